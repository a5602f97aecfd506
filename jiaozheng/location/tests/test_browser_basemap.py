"""The offline base map in Debian Chromium: the map asks the platform (and nothing else) for the archive's
tiles and draws them under a person's track; without an archive it says so."""

from __future__ import annotations

import io

import pytest

from conftest import screenshot, wait_until
from jiaozheng.location import tiles
from jiaozheng.location.testing import basemap_installed, covering, png_tile
from jiaozheng.location.tests.conftest import COUNTY_SEAT

SAND = (236, 222, 190)  # the test tiles' ground
ROAD = (150, 120, 90)  # their grid of "roads"


def _walk(live_world):
    from jiaozheng.location.ingest import ingest
    from jiaozheng.location.protocols import Batch, ParsedFix
    from jiaozheng.location.storage import DeviceInfo
    from jiaozheng.location.testing import enrol, times_today

    person = live_world.person_a
    device, _token = enrol(live_world, person)
    times = times_today(12)
    batch = Batch(protocol=1)
    batch.fixes = [
        ParsedFix(
            client_id=f"w{i}",
            time=times[i],
            lat=COUNTY_SEAT[0] + 0.001 * i,
            lon=COUNTY_SEAT[1] + 0.0007 * i,
            accuracy=8.0,
            source=1,
            battery=0.8 - 0.01 * i,
        )
        for i in range(12)
    ]
    ingest(DeviceInfo(device.pk, person.pk, person.county_id), batch)
    return person


def _map_pixels(page):
    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB")
    return np.asarray(image, dtype=int).reshape(-1, 3)


def _near(pixels, color: tuple[int, int, int], tolerance: int = 12):
    return (abs(pixels - color) <= tolerance).all(axis=1)


@pytest.mark.browser
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_base_map_comes_from_the_platform_and_lies_under_the_track(
    live_world, browser_login, live_server, phone
):
    # given a person who walked this morning, and a small PMTiles archive of the county seat's area
    person = _walk(live_world)
    tile = png_tile(SAND, grid=ROAD)
    archive = dict.fromkeys(covering(*COUNTY_SEAT, range(8, 16), radius=4), tile)
    with basemap_installed(archive):
        page = browser_login("squadron_officer", phone=phone)
        requests: list[str] = []
        tile_responses: list[tuple[str, int, str]] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on(
            "response",
            lambda r: (
                tile_responses.append((r.url, r.status, r.headers.get("content-type", "")))
                if "/location/tiles/" in r.url
                else None
            ),
        )
        # when the officer opens the map and chooses the person's track of today
        page.goto(f"{live_server.url}/location/map/")
        page.wait_for_selector("#person-list li")
        page.wait_for_load_state("networkidle")
        screenshot(page, f"location-basemap-county-{'phone' if phone else 'desktop'}")
        page.click(f"#person-list li:has-text('{person.name}')")
        wait_until(page, "document.getElementById('track-count').textContent.length > 0")
        assert "12" in page.inner_text("#track-count")
        page.wait_for_timeout(900)  # the zoom to the track
        page.wait_for_load_state("networkidle")
        wait_until(
            page,
            "[...document.querySelectorAll('.basemap img')].filter(i => i.complete && i.naturalWidth === 256)"
            ".length >= 4",
        )
        screenshot(page, f"location-basemap-track-{'phone' if phone else 'desktop'}")
        # then the base layer's tiles were asked of the platform and answered as PNG images
        ok = [(url, ctype) for url, status, ctype in tile_responses if status == 200]
        assert len(ok) >= 4
        assert all(url.startswith(live_server.url + "/location/tiles/") for url, _ in ok)
        assert all(ctype == "image/png" for _, ctype in ok)
        # and nothing at all was asked of another host (no CDN, no internet map)
        assert all(url.startswith((live_server.url, "data:", "blob:")) for url in requests), [
            u for u in requests if not u.startswith(live_server.url)
        ]
        # and the tiles lie in the tile pane, under the overlay pane where the track is drawn
        panes = page.evaluate(
            """() => {
              const z = (sel) => Number(getComputedStyle(document.querySelector(sel)).zIndex);
              return {tile: z('.leaflet-tile-pane'), overlay: z('.leaflet-overlay-pane'),
                      tilesInTilePane: document.querySelectorAll('.leaflet-tile-pane .basemap img').length,
                      canvasInOverlay: document.querySelectorAll('.leaflet-overlay-pane canvas').length}
            }"""
        )
        assert panes["tile"] < panes["overlay"]
        assert panes["tilesInTilePane"] >= 4 and panes["canvasInOverlay"] >= 1
        # and on screen the map is the tiles' ground and roads with the blue track over them
        pixels = _map_pixels(page)
        ground = int((_near(pixels, SAND) | _near(pixels, ROAD, 30)).sum())
        r, g, b = pixels[:, 0], pixels[:, 1], pixels[:, 2]
        track = int(((b > 150) & (b - r > 60) & (g < 170)).sum())
        assert ground / len(pixels) > 0.5, ground / len(pixels)
        assert track > 50, track
        # and the page names the base map instead of the "none installed" notice
        assert "底图" in page.inner_text("#basemap-note")
        assert page.locator("#basemap-missing").count() == 0
    tiles.forget()


@pytest.mark.browser
def test_without_an_archive_the_map_shows_the_outline_and_says_how_to_add_one(
    live_world, browser_login, live_server, tmp_path, settings
):
    # given no base map at the configured place
    settings.LOCATION_BASEMAP = str(tmp_path / "basemap.pmtiles")
    tiles.forget()
    _walk(live_world)
    page = browser_login("bureau_admin")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    # when the administrator opens the map
    page.goto(f"{live_server.url}/location/map/")
    page.wait_for_selector("#person-list li")
    page.wait_for_load_state("networkidle")
    # then positions and the county outline are drawn, no tile is asked for, and the notice says what to do
    assert page.locator("#map canvas").count() >= 1
    assert not [u for u in requests if "/location/tiles/" in u]
    notice = page.inner_text("#basemap-missing")
    assert "未安装底图" in notice
    assert str(tmp_path / "basemap.pmtiles") in notice and "配置" in notice
    screenshot(page, "location-basemap-missing-desktop")


@pytest.mark.browser
def test_an_intranet_tile_service_is_drawn_when_there_is_no_archive(
    live_world, browser_login, live_server, tmp_path, settings
):
    # given no archive, and a provincial intranet service named in JZ_BASEMAP_URL (answered here by the test)
    settings.LOCATION_BASEMAP = str(tmp_path / "basemap.pmtiles")
    settings.LOCATION_BASEMAP_URL = "http://tdt.hunan.intranet/vec_w/{z}/{x}/{y}.png"
    tiles.forget()
    person = _walk(live_world)
    tile = png_tile(SAND, grid=ROAD)
    page = browser_login("squadron_officer")
    asked: list[str] = []

    def intranet(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=tile)

    page.route("http://tdt.hunan.intranet/**", intranet)
    # when the officer opens the map and a person's track
    page.goto(f"{live_server.url}/location/map/")
    page.wait_for_selector("#person-list li")
    page.click(f"#person-list li:has-text('{person.name}')")
    wait_until(page, "document.getElementById('track-count').textContent.length > 0")
    page.wait_for_timeout(900)
    page.wait_for_load_state("networkidle")
    # then the service's tiles are drawn under the track, and the page names the service
    assert len(asked) >= 4 and all("/vec_w/" in u for u in asked)
    pixels = _map_pixels(page)
    assert (_near(pixels, SAND) | _near(pixels, ROAD, 30)).mean() > 0.5
    assert "tdt.hunan.intranet" in page.inner_text("#basemap-note")
    assert page.locator("#basemap-missing").count() == 0
