"""The offline base map: raster tiles from a PMTiles or MBTiles archive that the bureau puts in place.

The archive is a single file: ``settings.LOCATION_BASEMAP`` (``JZ_BASEMAP``) or, when that is empty,
``basemap.pmtiles`` / ``basemap.mbtiles`` in the data directory. The platform serves its tiles itself
(``views.basemap_tile``): each request reads the tile's byte range from the archive, nothing is fetched
from the internet and nothing is unpacked on disk. An archive that is replaced is picked up at the next
request (its size and modification time are part of the cache key and of the tile URLs).

Raster tiles only (PNG, JPEG, WebP, AVIF): an archive of vector tiles is reported as unsupported, and the
map falls back to the county outlines. Tiles must be in WGS-84 / CGCS2000 coordinates (OpenStreetMap,
天地图), like the positions; GCJ-02 tiles (高德, 腾讯) or BD-09 tiles (百度) would be shifted by hundreds
of metres.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from jiaozheng.core.headers import mark_public_content

UNSUPPORTED = gettext_noop(
    "its tiles are of type %(kind)s; only raster tiles (PNG, JPEG, WebP) are supported"
)
RASTER_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
MAX_ZOOM = 24  # deeper than any raster archive; larger values answer 404 without reading the file


class BasemapError(Exception):
    """The archive is there but cannot be used (not an archive, vector tiles, unreadable). The message is
    translated when shown (the cached error outlives the request that found it)."""

    def __init__(self, message: str, **params: Any):
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.message) % self.params


def configured_path() -> Path | None:
    """The archive the platform uses, or None when none is installed."""
    explicit = getattr(settings, "LOCATION_BASEMAP", "") or ""
    if explicit:
        path = Path(explicit)
        return path if path.is_file() else None
    var_dir = Path(settings.VAR_DIR)
    for name in ("basemap.pmtiles", "basemap.mbtiles"):
        if (var_dir / name).is_file():
            return var_dir / name
    return None


def expected_location() -> str:
    """Where an administrator puts the archive, for the map's notice and the command."""
    explicit = getattr(settings, "LOCATION_BASEMAP", "") or ""
    return explicit or str(Path(settings.VAR_DIR) / "basemap.pmtiles")


@dataclass
class Archive:
    path: Path
    kind: str  # "pmtiles" or "mbtiles"
    format: str  # a key of RASTER_TYPES
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north (degrees)
    center: tuple[float, float, int] | None  # lon, lat, zoom
    attribution: str
    name: str
    version: str  # changes when the file is replaced
    _reader: Any = field(default=None, repr=False)

    @property
    def content_type(self) -> str:
        return RASTER_TYPES[self.format]

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes, or None when the archive has no such tile."""
        if not (self.min_zoom <= z <= min(self.max_zoom, MAX_ZOOM)) or not (0 <= x < 2**z and 0 <= y < 2**z):
            return None
        return self._reader.tile(z, x, y)

    def describe(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "format": self.format,
            "min_zoom": self.min_zoom,
            "max_zoom": self.max_zoom,
            "bounds": self.bounds,
            "center": self.center,
            "attribution": self.attribution,
            "name": self.name,
            "size": self.path.stat().st_size,
        }


# --- PMTiles (v3) --------------------------------------------------------------------------------


class _PMTilesReader:
    """Reads byte ranges with os.pread (thread-safe, no mapping of a multi-gigabyte file); directories
    are decoded once and kept in a small LRU cache."""

    def __init__(self, path: Path):
        from pmtiles.tile import Compression, deserialize_header

        self.fd = os.open(path, os.O_RDONLY)
        self._lock = threading.Lock()
        self._dirs: OrderedDict[tuple[int, int], list] = OrderedDict()
        try:
            self.header = deserialize_header(self.read(0, 127))
        except Exception as exc:
            raise BasemapError(gettext_noop("the file is not a PMTiles (version 3) archive")) from exc
        self.gzip_tiles = self.header["tile_compression"] == Compression.GZIP
        self.gzip_internal = self.header["internal_compression"] == Compression.GZIP

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self.fd, length, offset)
        if len(data) != length:
            raise BasemapError(gettext_noop("the archive is truncated"))
        return data

    def metadata(self) -> dict[str, Any]:
        h = self.header
        if not h["metadata_length"]:
            return {}
        raw = self.read(h["metadata_offset"], h["metadata_length"])
        try:
            value = json.loads(gzip.decompress(raw) if self.gzip_internal else raw)
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def _directory(self, offset: int, length: int) -> list:
        from pmtiles.tile import deserialize_directory

        key = (offset, length)
        with self._lock:
            entries = self._dirs.get(key)
            if entries is not None:
                self._dirs.move_to_end(key)
                return entries
        entries = deserialize_directory(self.read(offset, length))
        with self._lock:
            self._dirs[key] = entries
            while len(self._dirs) > 64:
                self._dirs.popitem(last=False)
        return entries

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        from pmtiles.tile import find_tile, zxy_to_tileid

        h = self.header
        tile_id = zxy_to_tileid(z, x, y)
        offset, length = h["root_offset"], h["root_length"]
        for _depth in range(4):  # the specification allows at most three levels of leaves
            entry = find_tile(self._directory(offset, length), tile_id)
            if entry is None:
                return None
            if entry.run_length == 0:  # a leaf directory
                offset, length = h["leaf_directory_offset"] + entry.offset, entry.length
                continue
            data = self.read(h["tile_data_offset"] + entry.offset, entry.length)
            return gzip.decompress(data) if self.gzip_tiles else data
        return None

    def __del__(self) -> None:  # a replaced archive is closed once no request uses it any more
        try:
            os.close(self.fd)
        except (AttributeError, OSError):
            pass


def _open_pmtiles(path: Path, version: str) -> Archive:
    from pmtiles.tile import TileType

    reader = _PMTilesReader(path)
    h = reader.header
    kinds = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp", TileType.AVIF: "avif"}
    if h["tile_type"] not in kinds:
        raise BasemapError(UNSUPPORTED, kind=h["tile_type"].name)
    meta = reader.metadata()
    bounds = (h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7, h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7)
    center = (h["center_lon_e7"] / 1e7, h["center_lat_e7"] / 1e7, h["center_zoom"])
    return Archive(
        path=path,
        kind="pmtiles",
        format=kinds[h["tile_type"]],
        min_zoom=h["min_zoom"],
        max_zoom=h["max_zoom"],
        bounds=_sane_bounds(bounds),
        center=center if _sane_bounds((center[0], center[1], center[0], center[1])) else None,
        attribution=str(meta.get("attribution") or ""),
        name=str(meta.get("name") or ""),
        version=version,
        _reader=reader,
    )


# --- MBTiles (SQLite; rows in TMS order, y flipped) ----------------------------------------------


class _MBTilesReader:
    def __init__(self, path: Path):
        self.uri = f"{path.resolve().as_uri()}?mode=ro"
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.uri, uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def metadata(self) -> dict[str, str]:
        rows = self.connection().execute("SELECT name, value FROM metadata").fetchall()
        return {str(name): str(value) for name, value in rows}

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        row = (
            self.connection()
            .execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, (2**z - 1) - y),
            )
            .fetchone()
        )
        return bytes(row[0]) if row else None


def _open_mbtiles(path: Path, version: str) -> Archive:
    reader = _MBTilesReader(path)
    try:
        meta = reader.metadata()
        zooms = reader.connection().execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
    except sqlite3.Error as exc:
        raise BasemapError(gettext_noop("the file is not an MBTiles archive")) from exc
    fmt = {"jpeg": "jpg"}.get(meta.get("format", "png").lower(), meta.get("format", "png").lower())
    if fmt not in RASTER_TYPES:
        raise BasemapError(UNSUPPORTED, kind=fmt)
    bounds = None
    try:
        values = [float(v) for v in meta.get("bounds", "").split(",")]
        if len(values) == 4:
            bounds = _sane_bounds((values[0], values[1], values[2], values[3]))
    except ValueError:
        pass
    center = None
    try:
        values = [float(v) for v in meta.get("center", "").split(",")]
        if len(values) == 3:
            center = (values[0], values[1], int(values[2]))
    except ValueError:
        pass
    min_zoom = int(meta["minzoom"]) if meta.get("minzoom", "").isdigit() else int(zooms[0] or 0)
    max_zoom = int(meta["maxzoom"]) if meta.get("maxzoom", "").isdigit() else int(zooms[1] or 0)
    return Archive(
        path=path,
        kind="mbtiles",
        format=fmt,
        min_zoom=min_zoom,
        max_zoom=max_zoom,
        bounds=bounds,
        center=center,
        attribution=meta.get("attribution", ""),
        name=meta.get("name", ""),
        version=version,
        _reader=reader,
    )


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The (x, y) of the Web Mercator tile that holds a point at zoom z."""
    n = 2**z
    lat = max(-85.0511, min(85.0511, lat))
    x = min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))
    y = min(n - 1, max(0, int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)))
    return x, y


def _sane_bounds(b: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    west, south, east, north = b
    if -180 <= west <= east <= 180 and -90 <= south <= north <= 90:
        return b
    return None


# --- the archive in use, cached per worker ---------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "archive": None, "error": None}


def current() -> Archive | None:
    """The archive in use, or None when none is installed; BasemapError when it cannot be used."""
    path = configured_path()
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:  # removed meanwhile
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _lock:
        if _cache["key"] == key:
            if _cache["error"]:
                raise _cache["error"]
            return _cache["archive"]
        version = f"{stat.st_size:x}{stat.st_mtime_ns:x}"[-16:]
        archive, error = None, None
        try:
            if path.suffix.lower() == ".mbtiles":
                archive = _open_mbtiles(path, version)
            else:
                archive = _open_pmtiles(path, version)
        except BasemapError as exc:
            error = exc
        except OSError as exc:
            error = BasemapError(
                gettext_noop("the platform cannot read the file (%(reason)s)"), reason=exc.strerror or exc
            )
        _cache.update(key=key, archive=archive, error=error)
    if error:
        raise error
    return archive


def forget() -> None:
    """Drop the cached archive (tests)."""
    with _lock:
        _cache.update(key=None, archive=None, error=None)


def status() -> dict[str, Any]:
    """For the map page: {"state": "ok"|"none"|"error", ...}."""
    try:
        archive = current()
    except BasemapError as exc:
        return {"state": "error", "error": str(exc), "expected": expected_location()}
    if archive is None:
        return {"state": "none", "expected": expected_location()}
    return {"state": "ok", "archive": archive}


# --- HTTP ------------------------------------------------------------------------------------------

TILE_MAX_AGE = 86400  # tile URLs carry the archive's version, so a replaced archive is never stale


def map_config() -> dict[str, Any]:
    """What the map page needs to draw the base layer, or why there is none."""
    from django.urls import reverse

    state = status()
    if state["state"] == "none" and service_templates():
        return service_config()
    if state["state"] != "ok":
        return {"state": state["state"], "error": state.get("error", "")}
    archive: Archive = state["archive"]
    template = reverse("location:basemap_tile", args=[0, 0, 0]).replace("/0/0/0", "/{z}/{x}/{y}")
    return {
        "state": "ok",
        "source": "archive",
        "url": f"{template}?v={archive.version}",
        "extra": [],
        "min_zoom": archive.min_zoom,
        "max_zoom": archive.max_zoom,
        "bounds": archive.bounds,
        "center": archive.center,
        "attribution": archive.attribution,
        "name": archive.name or archive.path.name,
    }


def service_templates() -> list[str]:
    """The intranet tile service's URL templates (``JZ_BASEMAP_URL``), bottom layer first."""
    return (getattr(settings, "LOCATION_BASEMAP_URL", "") or "").split()


def allow_service_images(response: Any, basemap: dict[str, Any]) -> Any:
    """A page drawing an intranet service's tiles lets the browser load images from that service's origins
    (the Content-Security-Policy otherwise allows images from the platform only)."""
    from urllib.parse import urlsplit

    if basemap.get("source") == "service" and basemap.get("state") == "ok":
        origins = sorted({"{0.scheme}://{0.netloc}".format(urlsplit(t)) for t in service_templates()})
        response._csp_update = {"img-src": origins}
    return response


def service_config() -> dict[str, Any]:
    """Without an archive: an intranet XYZ service (e.g. a provincial 天地图 node), which the browser asks
    directly. A template must be http(s) and name {z}, {x} and {y}."""
    from urllib.parse import urlsplit

    templates = service_templates()
    for template in templates:
        parts = urlsplit(template)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or not all(k in template for k in ("{z}", "{x}", "{y}"))
        ):
            error = BasemapError(
                gettext_noop("JZ_BASEMAP_URL is not an http(s) URL template with {z}, {x} and {y}: %(url)s"),
                url=template,
            )
            return {"state": "error", "error": str(error)}
    return {
        "state": "ok",
        "source": "service",
        "url": templates[0],
        "extra": templates[1:],
        "min_zoom": 0,
        "max_zoom": 18,
        "bounds": None,
        "center": None,
        "attribution": "",
        "name": urlsplit(templates[0]).netloc,
    }


def tile_response(request: Any, z: int, x: int, y: int) -> Any:
    import logging

    from django.http import HttpResponse, HttpResponseNotModified
    from django.utils.http import http_date

    try:
        archive = current()
    except BasemapError as exc:
        logging.getLogger(__name__).warning("base map archive unusable: %s", exc)
        archive = None
    if archive is None:
        response = HttpResponse("未安装底图".encode(), status=404, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response
    etag = f'"{archive.version}-{z}-{x}-{y}"'
    cache_control = f"private, max-age={TILE_MAX_AGE}"
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Cache-Control"] = cache_control
        mark_public_content(response)
        return response
    try:
        data = archive.tile(z, x, y)
    except (BasemapError, OSError, sqlite3.Error, ValueError, OverflowError, EOFError) as exc:
        logging.getLogger(__name__).warning("base map tile %s/%s/%s unreadable: %s", z, x, y, exc)
        data = None
    if data is None:
        response = HttpResponse(b"no such tile", status=404, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = cache_control
        mark_public_content(response)
        return response
    response = HttpResponse(data, content_type=archive.content_type)
    response["Cache-Control"] = cache_control
    mark_public_content(response)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(archive.path.stat().st_mtime)
    response["Content-Length"] = str(len(data))
    return response
