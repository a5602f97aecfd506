"""The offline base map: tiles served from a PMTiles or MBTiles archive, and the map page with or without
one."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
from django.test import override_settings

from jiaozheng.location import tiles
from jiaozheng.location.testing import (
    basemap_installed,
    covering,
    png_tile,
    write_mbtiles,
    write_pmtiles,
)
from jiaozheng.location.tests.conftest import COUNTY_SEAT
from jiaozheng.location.tiles import tile_of

GREEN = png_tile((40, 160, 60))
GREY = png_tile((200, 200, 200))


@pytest.fixture(autouse=True)
def _no_cached_archive():
    tiles.forget()
    yield
    tiles.forget()


def _seat(z: int) -> tuple[int, int, int]:
    x, y = tile_of(*COUNTY_SEAT, z)
    return z, x, y


def _config(response) -> dict:
    match = re.search(
        r'<script id="loc-config" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match
    return json.loads(match.group(1))


def test_a_tile_is_served_from_the_archive_with_its_type_and_cache_headers(world, login):
    # given an archive with a green tile over the county seat at zoom 12 and grey ones around it
    data = dict.fromkeys(covering(*COUNTY_SEAT, [12], radius=1), GREY)
    data[_seat(12)] = GREEN
    with basemap_installed(data):
        client = login(world.squadron_officer)
        # when the map asks for the seat's tile
        z, x, y = _seat(12)
        response = client.get(f"/location/tiles/{z}/{x}/{y}")
        # then the archive's bytes come back as a PNG, cacheable by the browser only
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response.content == GREEN
        assert response["Cache-Control"] == "private, max-age=86400"
        assert response["Content-Length"] == str(len(GREEN))
        assert "Last-Modified" in response
        # and the same request with its ETag is answered 304 without the body
        again = client.get(f"/location/tiles/{z}/{x}/{y}", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        assert again.content == b""
        # and a neighbour is the grey tile
        assert client.get(f"/location/tiles/{z}/{x + 1}/{y}").content == GREY


def test_a_tile_the_archive_lacks_is_404(world, login):
    # given an archive with tiles around the seat at zoom 12 only
    with basemap_installed(dict.fromkeys(covering(*COUNTY_SEAT, [12], radius=1), GREY)):
        client = login(world.squadron_officer)
        z, x, y = _seat(12)
        # when tiles outside it, at other zooms, or outside the world are asked for; then 404, never a 5xx
        for url in [
            f"/location/tiles/12/{x + 5}/{y}",
            f"/location/tiles/13/{2 * x}/{2 * y}",
            "/location/tiles/12/4096/0",
            "/location/tiles/3/0/99",
            "/location/tiles/40/0/0",
            f"/location/tiles/{10**9}/1/1",
        ]:
            response = client.get(url)
            assert response.status_code == 404, url
        # and the one it has is there
        assert client.get(f"/location/tiles/{z}/{x}/{y}").status_code == 200


def test_without_an_archive_tiles_are_404_and_the_map_says_how_to_add_one(world, login, tmp_path):
    # given no archive at the configured path
    with override_settings(LOCATION_BASEMAP=str(tmp_path / "missing.pmtiles")):
        client = login(world.bureau_admin)
        # when a tile is asked for; then 404, not cached (the administrator may install one any minute)
        response = client.get("/location/tiles/0/0/0")
        assert response.status_code == 404
        assert "no-store" in response["Cache-Control"]
        # and the map page still works, says plainly that there is no base map and where to put one
        page = client.get("/location/map/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "未安装底图" in html
        assert "PMTiles" in html and "配置" in html
        assert str(tmp_path / "missing.pmtiles") in html  # the administrator sees the exact path
        assert _config(page)["basemap"]["state"] == "none"
        # and an officer is told the same without the server's file system
        officer_page = login(world.squadron_officer).get("/location/map/").content.decode()
        assert "未安装底图" in officer_page
        assert str(tmp_path) not in officer_page


def test_the_map_draws_the_archive_when_one_is_installed(world, login):
    with basemap_installed({_seat(12): GREEN}):
        page = login(world.squadron_officer).get("/location/map/")
        config = _config(page)["basemap"]
        html = page.content.decode()
    assert config["state"] == "ok"
    assert re.fullmatch(r"/location/tiles/\{z\}/\{x\}/\{y\}\?v=[0-9a-f]+", config["url"])
    assert (config["min_zoom"], config["max_zoom"]) == (12, 12)
    assert config["bounds"] == [108.0, 26.0, 112.0, 30.0]
    assert "未安装底图" not in html
    assert "test base map" in html


def test_a_replaced_archive_is_picked_up_with_a_new_version(world, login, tmp_path):
    path = tmp_path / "basemap.pmtiles"
    write_pmtiles(path, {_seat(12): GREY})
    with override_settings(LOCATION_BASEMAP=str(path)):
        client = login(world.squadron_officer)
        z, x, y = _seat(12)
        first = client.get(f"/location/tiles/{z}/{x}/{y}")
        version = _config(client.get("/location/map/"))["basemap"]["url"]
        # when the administrator puts a new archive in its place
        write_pmtiles(path, {_seat(12): GREEN, _seat(13): GREEN})
        os.utime(path, ns=(1_900_000_000 * 10**9, 1_900_000_000 * 10**9))
        second = client.get(f"/location/tiles/{z}/{x}/{y}", HTTP_IF_NONE_MATCH=first["ETag"])
        # then the new tile is served (the old ETag no longer matches) under new URLs
        assert second.status_code == 200 and second.content == GREEN
        assert _config(client.get("/location/map/"))["basemap"]["url"] != version


def test_an_mbtiles_archive_is_read_in_its_tms_row_order(world, login, tmp_path):
    z, x, y = _seat(12)
    path = write_mbtiles(tmp_path / "basemap.mbtiles", {(z, x, y): GREEN, (z, x, y + 1): GREY})
    with override_settings(LOCATION_BASEMAP=str(path)):
        client = login(world.squadron_officer)
        assert client.get(f"/location/tiles/{z}/{x}/{y}").content == GREEN
        assert client.get(f"/location/tiles/{z}/{x}/{y + 1}").content == GREY
        assert client.get(f"/location/tiles/{z}/{x}/{y + 2}").status_code == 404


def test_the_archive_in_the_data_directory_is_found_without_a_setting(world, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.LOCATION_BASEMAP = ""
    client = login(world.squadron_officer)
    assert client.get("/location/tiles/12/0/0").status_code == 404
    write_pmtiles(Path(tmp_path) / "basemap.pmtiles", {_seat(12): GREEN})
    z, x, y = _seat(12)
    assert client.get(f"/location/tiles/{z}/{x}/{y}").content == GREEN


@pytest.mark.parametrize("kind", ["vector", "garbage"])
def test_an_unusable_archive_is_named_on_the_map_and_answers_404(world, login, tmp_path, kind):
    path = tmp_path / "basemap.pmtiles"
    if kind == "vector":
        write_pmtiles(path, {(0, 0, 0): b"\x1a\x00"}, tile_type="mvt")
    else:
        path.write_bytes(b"<html>not a tile archive</html>" * 10)
    with override_settings(LOCATION_BASEMAP=str(path)):
        client = login(world.bureau_admin)
        assert client.get("/location/tiles/0/0/0").status_code == 404
        page = client.get("/location/map/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "底图无法使用" in html
        assert ("MVT" in html) if kind == "vector" else ("PMTiles" in html)


def test_tiles_are_for_the_staff_who_may_open_the_map(world, client, login):
    with basemap_installed({_seat(12): GREEN}):
        z, x, y = _seat(12)
        url = f"/location/tiles/{z}/{x}/{y}"
        # anonymous: to the sign-in page, no tile
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
        # the supervised person: forbidden
        assert login(world.subject).get(url).status_code == 403
        # every other persona: the tile exactly when the map is open to it
        for name, user in world.personas.items():
            if name == "subject":
                continue
            c = login(user)
            map_status = c.get("/location/map/").status_code
            tile_status = c.get(url).status_code
            assert (map_status == 200) == (tile_status == 200), name
            assert tile_status in (200, 403), name


def test_the_command_checks_an_archive_before_it_is_put_in_place(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    good = write_pmtiles(tmp_path / "county.pmtiles", {_seat(12): GREEN})
    out = StringIO()
    call_command("location_basemap", "--check", str(good), stdout=out)
    assert "format: png" in out.getvalue() and "min_zoom: 12" in out.getvalue()
    bad = tmp_path / "bad.pmtiles"
    bad.write_bytes(b"not an archive" * 20)
    with pytest.raises(CommandError):
        call_command("location_basemap", "--check", str(bad), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("location_basemap", "--check", str(tmp_path / "missing.pmtiles"), stdout=StringIO())


def test_a_large_archive_with_leaf_directories_is_read_right(tmp_path):
    # given an archive too large for its root directory alone (distinct tiles: no run-length sharing)
    rng = random.Random(13)
    cells = rng.sample(range(1024 * 1024), 30000)
    data = {(10, c % 1024, c // 1024): rng.randbytes(rng.randint(5, 300)) for c in cells}
    path = write_pmtiles(tmp_path / "big.pmtiles", data)
    from pmtiles.reader import MmapSource, Reader

    with open(path, "rb") as f:
        assert Reader(MmapSource(f)).header()["leaf_directory_length"] > 0
    with override_settings(LOCATION_BASEMAP=str(path)):
        archive = tiles.current()
        # then every tile is found, and the holes between them are not
        assert all(archive.tile(*zxy) == blob for zxy, blob in data.items())
        present = set(cells)
        holes = [c for c in rng.sample(range(1024 * 1024), 2000) if c not in present][:500]
        assert all(archive.tile(10, c % 1024, c // 1024) is None for c in holes)


def test_an_mbtiles_file_converted_with_pmtiles_convert_serves_the_same_tiles(tmp_path):
    from pmtiles.convert import mbtiles_to_pmtiles

    data = {
        zxy: png_tile((zxy[1] % 256, zxy[2] % 256, 9)) for zxy in covering(*COUNTY_SEAT, [10, 11], radius=2)
    }
    write_mbtiles(tmp_path / "county.mbtiles", data)
    mbtiles_to_pmtiles(str(tmp_path / "county.mbtiles"), str(tmp_path / "basemap.pmtiles"), 11)
    with override_settings(LOCATION_BASEMAP=str(tmp_path / "basemap.pmtiles")):
        archive = tiles.current()
        assert (archive.format, archive.min_zoom, archive.max_zoom) == ("png", 10, 11)
        assert all(archive.tile(*zxy) == blob for zxy, blob in data.items())


SERVICE = "http://tdt.hunan.intranet/vec_w/{z}/{x}/{y}.png http://tdt.hunan.intranet/cva_w/{z}/{x}/{y}.png"


def test_without_an_archive_an_intranet_service_named_in_the_settings_is_the_base_map(world, login, tmp_path):
    with override_settings(LOCATION_BASEMAP=str(tmp_path / "none.pmtiles"), LOCATION_BASEMAP_URL=SERVICE):
        page = login(world.squadron_officer).get("/location/map/")
        config = _config(page)["basemap"]
        assert config["source"] == "service"
        assert config["url"] == SERVICE.split()[0] and config["extra"] == [SERVICE.split()[1]]
        assert "内网瓦片服务" in page.content.decode() and "未安装底图" not in page.content.decode()
        # and an archive, once installed, comes first
        write_pmtiles(tmp_path / "none.pmtiles", {_seat(12): GREEN})
        assert _config(login(world.squadron_officer).get("/location/map/"))["basemap"]["source"] == "archive"


@pytest.mark.parametrize(
    "url", ["ftp://x/{z}/{x}/{y}", "http://tdt.intranet/tiles?l=1", "javascript:alert(1)"]
)
def test_a_malformed_service_url_is_named_on_the_map(world, login, tmp_path, url):
    with override_settings(LOCATION_BASEMAP=str(tmp_path / "none.pmtiles"), LOCATION_BASEMAP_URL=url):
        page = login(world.bureau_admin).get("/location/map/")
        assert page.status_code == 200
        assert _config(page)["basemap"]["state"] == "error"
        assert "底图无法使用" in page.content.decode() and "JZ_BASEMAP_URL" in page.content.decode()
