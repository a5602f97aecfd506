"""Test helpers of the offline base map: write a small PMTiles or MBTiles archive of raster tiles, and the
access matrix's setup for the tile route (which answers from a file, not from database rows)."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.test import override_settings

from jiaozheng.core.testing.matrix import route_setup
from jiaozheng.location import tiles
from jiaozheng.location.tiles import tile_of


def png_tile(
    color: tuple[int, int, int], *, size: int = 256, grid: tuple[int, int, int] | None = None
) -> bytes:
    """A solid PNG tile, with a grid of lines every 32 px when ``grid`` is a colour."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), color)
    if grid:
        draw = ImageDraw.Draw(image)
        for i in range(0, size, 32):
            draw.line([(i, 0), (i, size)], fill=grid, width=2)
            draw.line([(0, i), (size, i)], fill=grid, width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def covering(lat: float, lon: float, zooms: Iterable[int], radius: int = 2) -> list[tuple[int, int, int]]:
    """Tiles (z, x, y) around a point at each zoom, ``radius`` tiles each way."""
    out = []
    for z in zooms:
        cx, cy = tile_of(lat, lon, z)
        for x in range(cx - radius, cx + radius + 1):
            for y in range(cy - radius, cy + radius + 1):
                if 0 <= x < 2**z and 0 <= y < 2**z:
                    out.append((z, x, y))
    return out


def write_pmtiles(
    path: Path,
    tile_data: dict[tuple[int, int, int], bytes],
    *,
    bounds: tuple[float, float, float, float] = (108.0, 26.0, 112.0, 30.0),
    attribution: str = "test tiles",
    tile_type: str = "png",
) -> Path:
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    kinds = {"png": TileType.PNG, "jpg": TileType.JPEG, "webp": TileType.WEBP, "mvt": TileType.MVT}
    with open(path, "wb") as f:
        writer = Writer(f)
        for tile_id, data in sorted((zxy_to_tileid(*zxy), data) for zxy, data in tile_data.items()):
            writer.write_tile(tile_id, data)
        west, south, east, north = bounds
        zooms = [z for z, _x, _y in tile_data]
        writer.finalize(
            {
                "tile_type": kinds[tile_type],
                "tile_compression": Compression.GZIP if tile_type == "mvt" else Compression.NONE,
                "min_lon_e7": int(west * 1e7),
                "min_lat_e7": int(south * 1e7),
                "max_lon_e7": int(east * 1e7),
                "max_lat_e7": int(north * 1e7),
                "center_zoom": min(zooms),
                "center_lon_e7": int((west + east) / 2 * 1e7),
                "center_lat_e7": int((south + north) / 2 * 1e7),
            },
            {"name": "test base map", "attribution": attribution},
        )
    return path


def write_mbtiles(path: Path, tile_data: dict[tuple[int, int, int], bytes], *, fmt: str = "png") -> Path:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        conn.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
        )
        zooms = [z for z, _x, _y in tile_data]
        conn.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [
                ("name", "test"),
                ("format", fmt),
                ("minzoom", str(min(zooms))),
                ("maxzoom", str(max(zooms))),
                ("bounds", "108,26,112,30"),
            ],
        )
        conn.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, 2**z - 1 - y, data) for (z, x, y), data in tile_data.items()],
        )
    conn.close()
    return path


@contextlib.contextmanager
def basemap_installed(tile_data: dict[tuple[int, int, int], bytes] | None = None) -> Iterator[Path]:
    """A PMTiles archive in a temporary directory, named by ``LOCATION_BASEMAP`` for the duration."""
    data = tile_data if tile_data is not None else {(0, 0, 0): png_tile((200, 220, 200))}
    with tempfile.TemporaryDirectory(prefix="jz-basemap-") as folder:
        path = write_pmtiles(Path(folder) / "basemap.pmtiles", data)
        tiles.forget()
        try:
            with override_settings(LOCATION_BASEMAP=str(path)):
                yield path
        finally:
            tiles.forget()


@route_setup("location:basemap_tile")
def _matrix_basemap() -> contextlib.AbstractContextManager:
    return basemap_installed()
