"""Access-matrix factories and API bodies of location supervision, and helpers for this app's tests:
today's fix times, and small PMTiles / MBTiles archives of raster tiles for the base-map tests (with the
access matrix's setup for the tile route, which answers from a file, not from database rows)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.test import override_settings
from django.utils import timezone

from jiaozheng.core.testing.matrix import api_body, object_factory, route_setup
from jiaozheng.location import tiles
from jiaozheng.location.choices import AlertSeverity, AlertType, DevicePlatform
from jiaozheng.location.models import Alert, Device, TravelPermit


def times_today(count: int, spacing: dt.timedelta = dt.timedelta(minutes=5)) -> list[dt.datetime]:
    """``count`` instants, oldest first, ending a minute ago and all within today's local date (a track
    "of today" must not start yesterday when a test runs just after midnight): the spacing shrinks as needed."""
    now = timezone.now()
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    end = max(now - dt.timedelta(minutes=1), midnight + (now - midnight) / 2)
    spacing = min(spacing, (end - midnight) / (count + 1))
    return [end - spacing * (count - 1 - i) for i in range(count)]


@object_factory("location.Alert")
def make_alert(world: Any, where: str) -> Alert:
    person = world.person(where)
    now = timezone.now()
    return Alert.objects.create(
        person=person,
        county_id=person.county_id,
        alert_type=AlertType.LOST_CONTACT,
        severity=AlertSeverity.HIGH,
        title="测试告警",
        evidence={},
        occurred_at=now,
        last_event_at=now,
    )


@object_factory("location.Device")
def make_device(world: Any, where: str) -> Device:
    person = world.person(where)
    return Device.objects.create(
        person=person,
        county_id=person.county_id,
        platform=DevicePlatform.TRACCAR_CLIENT,
        token_hash=f"{where}-{person.pk}-{timezone.now().timestamp()}".ljust(64, "0")[:64],
        token_hint="a1b2",
    )


@object_factory("location.TravelPermit")
def make_permit(world: Any, where: str) -> TravelPermit:
    person = world.person(where)
    today = timezone.localdate()
    return TravelPermit.objects.create(
        person=person,
        county_id=person.county_id,
        destination="长沙市芙蓉区",
        destination_code="430102",
        start_on=today,
        end_on=today + dt.timedelta(days=3),
        reason="探亲",
    )


@api_body("location_acknowledge_alert")
def acknowledge_body(world: Any, obj: Any) -> dict:
    return {"note": "已电话联系"}


@api_body("location_escalate_alert")
def escalate_body(world: Any, obj: Any) -> dict:
    return {"note": "电话关机，需要上报"}


@api_body("location_resolve_alert")
def resolve_body(world: Any, obj: Any) -> dict:
    return {"outcome": "explained", "note": "手机没电，已核实"}


@api_body("location_enrol_device")
def enrol_body(world: Any, obj: Any) -> dict:
    return {"platform": "traccar_client", "label": "红米 Note 12"}


@api_body("location_end_device")
def end_body(world: Any, obj: Any) -> dict:
    return {"reason": "手机丢失"}


@api_body("location_create_permit")
def permit_body(world: Any, obj: Any) -> dict:
    today = timezone.localdate()
    return {
        "destination": "长沙市芙蓉区",
        "destination_code": "430102",
        "start_on": today.isoformat(),
        "end_on": (today + dt.timedelta(days=2)).isoformat(),
        "reason": "探亲",
    }


@api_body("location_cancel_permit")
def cancel_permit_body(world: Any, obj: Any) -> dict:
    return {"reason": "行程取消"}


# --- helpers for tests -------------------------------------------------------------------------------


def enrol(world: Any, person: Any, actor: Any = None) -> tuple[Device, str]:
    from jiaozheng.location.services import device_enrol

    return device_enrol(
        actor=actor or world.bureau_officer,
        person=person,
        platform=DevicePlatform.TRACCAR_CLIENT,
        label="测试设备",
    )


@object_factory("people.ProhibitionOrder")
def make_prohibition(world: Any, where: str) -> Any:
    """An area prohibition with a circular zone (for the location schedule page)."""
    from jiaozheng.people.models import ProhibitionOrder

    today = timezone.localdate()
    return ProhibitionOrder.objects.create(
        person=world.person(where),
        kind="area",
        content="禁止进入娱乐场所",
        start_on=today,
        end_on=today + dt.timedelta(days=90),
        zone={"type": "Circle", "center": [110.6, 27.9], "radius_m": 300},
    )


# --- the offline base map ----------------------------------------------------------------------------------


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
        cx, cy = tiles.tile_of(lat, lon, z)
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
