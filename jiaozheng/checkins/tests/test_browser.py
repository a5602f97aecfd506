"""The phone check-in page in Debian Chromium with a fake camera and fake geolocation, and the staff
pages at desktop and phone sizes.

The fake camera plays a .y4m video made from the astronaut photo shipped in scikit-image, padded to
640x480 (keeping its aspect ratio, dependencies.md §7). A still photo cannot perform a liveness
challenge, so the first test asserts exactly what the production rules give for it: the identity matches
and liveness fails. The second test plays a video in which the eyes close after about two seconds (a
synthetic edit of the same photo), so the whole pipeline can reach a match with the real rules.
"""

from __future__ import annotations

import json

import pytest

from jiaozheng.checkins import services, synthetic
from jiaozheng.checkins.models import CheckinAttempt
from jiaozheng.checkins.tests.conftest import face, failed_request

LAT, LON = 27.908, 110.595  # 卢峰镇, 溆浦县


def _screenshot(page, name):
    from conftest import screenshot

    return screenshot(page, name)


@pytest.fixture
def camera_browser(tmp_path, playwright):
    """launch(frames, fps) -> a Chromium whose camera plays ``frames``; closed at the end.

    It uses the session's Playwright (conftest.playwright): a second sync instance in the same test
    process fails once another browser test has run."""
    from conftest import CHROMIUM, CHROMIUM_ARGS

    started = []

    def launch(frames, fps):
        video = synthetic.write_y4m(tmp_path / "camera.y4m", frames, fps=fps)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        started.append(browser)
        return browser

    yield launch
    for browser in started:
        browser.close()


def _phone_login(browser, live_server, username):
    from conftest import sign_in

    return sign_in(
        browser,
        live_server.url,
        username,
        phone=True,
        geolocation={"latitude": LAT, "longitude": LON, "accuracy": 15},
        permissions=["geolocation", "camera"],
    )


def _enrol(world):
    services.reference_enrol(
        actor=world.squadron_officer,
        person=world.subject_person,
        image=synthetic.to_bytes(face(synthetic.ASTRONAUT), "PNG"),
    )


def _check_in(page, live_server, req):
    page.goto(f"{live_server.url}/checkins/me/")
    page.click(f'[data-testid="start-{req.pk}"]')
    page.wait_for_selector('[data-action="start"]')
    page.click('[data-action="start"]')
    page.wait_for_selector('[data-step="result"]:not([hidden])', timeout=30_000)


@pytest.mark.browser
def test_a_still_face_on_the_camera_matches_but_fails_liveness(live_world, live_server, camera_browser):
    # given the person enrolled with the astronaut photo and a turn-left check-in waiting
    world = live_world
    _enrol(world)
    req = services.request_create(
        actor=world.squadron_officer, person=world.subject_person, challenge="turn_left"
    )
    # and a phone whose camera shows the same photo, standing still, at 卢峰镇
    still = synthetic.padded_640x480(face(synthetic.ASTRONAUT))
    page = _phone_login(camera_browser([still], fps=10), live_server, "subject")
    # when the person opens the check-in, sees the challenge in plain Chinese and starts
    page.goto(f"{live_server.url}/checkins/me/{req.pk}/")
    assert "请慢慢向左转头" in page.inner_text("main")
    _screenshot(page, "checkins-phone-intro")
    _check_in(page, live_server, req)
    _screenshot(page, "checkins-phone-liveness-failed")
    # then the frames reached the server: the face is the enrolled person's, the head did not turn
    attempt = CheckinAttempt.objects.get(request=req)
    assert attempt.result == "liveness_failed"
    assert attempt.identity_distance < attempt.threshold
    assert attempt.liveness_passed is False and attempt.frame_count == 6
    assert all(f["status"] == "ok" for f in attempt.frames_detail)
    # with the phone's position
    assert (
        abs(attempt.latitude - LAT) < 1e-6 and abs(attempt.longitude - LON) < 1e-6 and attempt.accuracy == 15
    )
    # and the person is told to try again, with the attempts left
    assert page.get_attribute("#checkin", "data-result") == "liveness_failed"
    text = page.inner_text('[data-step="result"]')
    assert "没有看到要求的动作" in text and "还可以再试 2 次" in text
    assert page.is_visible('[data-step="result"] [data-action="retry"]')


@pytest.mark.browser
def test_eyes_closing_on_the_camera_completes_a_blink_check_in(live_world, live_server, camera_browser):
    # given a blink check-in, and a camera video: eyes open for 1.8 s, then closed (the file is long
    # enough that the capture ends before it loops)
    world = live_world
    _enrol(world)
    req = services.request_create(
        actor=world.squadron_officer, person=world.subject_person, challenge="blink"
    )
    open_eyes = synthetic.padded_640x480(face(synthetic.ASTRONAUT))
    closed = synthetic.closed_eyes(open_eyes)
    fps = 5
    frames = [open_eyes] * 9 + [closed] * 26  # 1.8 s open, 5.2 s closed
    page = _phone_login(camera_browser(frames, fps=fps), live_server, "subject")
    # when the person checks in
    _check_in(page, live_server, req)
    _screenshot(page, "checkins-phone-match")
    # then the check-in is completed with a match
    attempt = CheckinAttempt.objects.get(request=req)
    req.refresh_from_db()
    assert attempt.result == "match", json.dumps(attempt.liveness)
    assert req.status == "completed"
    assert "签到成功" in page.inner_text('[data-step="result"]')
    assert not page.is_visible('[data-step="result"] [data-action="retry"]')


@pytest.mark.browser
def test_staff_pages_at_desktop_and_phone_sizes(live_world, live_server, browser_login):
    from conftest import PHONE, wait_until

    world = live_world
    _enrol(world)
    req = failed_request(world.subject_person)
    services.request_create(actor=world.squadron_officer, person=world.subject_person)
    # the officer's board, the review page and the person's check-in settings
    page = browser_login("squadron_officer")
    page.goto(f"{live_server.url}/checkins/today/")
    assert "今日签到" in page.inner_text("main") and world.subject_person.name in page.inner_text("main")
    _screenshot(page, "checkins-board-desktop")
    page.goto(f"{live_server.url}/checkins/requests/{req.pk}/")
    assert "活体检测未通过" in page.inner_text("main")
    wait_until(page, "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    _screenshot(page, "checkins-review-desktop")
    # the officer records the decision through the form
    page.check('input[name="decision"][value="match"]')
    page.fill('textarea[name="note"]', "电话视频核实，本人在家，签到时光线不足")
    page.click("form[action$='/review/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text('[data-testid="review-decision"]') == "确认为本人"
    page.goto(f"{live_server.url}/checkins/persons/{world.subject_person.pk}/")
    _screenshot(page, "checkins-person-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/checkins/requests/{req.pk}/")
    _screenshot(page, "checkins-review-phone")
    page.goto(f"{live_server.url}/checkins/today/")
    _screenshot(page, "checkins-board-phone")
