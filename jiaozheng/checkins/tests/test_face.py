"""The offline face pipeline on faces shipped in installed packages (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from jiaozheng.checkins import face, synthetic
from jiaozheng.checkins.tests.conftest import challenge_rgb, reference_descriptor
from jiaozheng.checkins.verification import VerifyParams, evaluate_liveness, verify

PARAMS = VerifyParams()


def analyse(rgb):
    return face.engine().analyse(rgb, want_descriptor=True, want_measures=True)


def test_a_transformed_copy_of_the_same_photo_matches_and_another_person_does_not(astronaut, grace):
    # given the astronaut photo, a degraded copy of it (rotated, cropped, scaled, darkened, JPEG 40) and Grace Hopper
    reference = analyse(astronaut).descriptor
    # when both are compared with the reference
    same = face.distance(reference, analyse(synthetic.transformed_copy(astronaut)).descriptor)
    other = face.distance(reference, analyse(grace).descriptor)
    # then the copy is within dlib's default threshold and the other person is beyond it
    assert same < 0.6 < other
    assert same < 0.35 and other > 0.62


def test_an_image_without_a_face_gives_no_face():
    # given a plain gradient image
    result = analyse(synthetic.blank())
    # then no face is found and nothing is measured
    assert result.status == "no_face" and result.descriptor is None


def test_two_people_in_one_image_are_several_faces_and_weak_boxes_are_ignored(astronaut, grace):
    # given the two photos side by side (HOG also finds a weak false box on the flag)
    result = face.engine().analyse(synthetic.side_by_side(astronaut, grace))
    # then both real faces count, the weak box does not
    assert result.status == "several_faces"
    assert len(result.others) == 1 and result.ignored >= 1
    # and when only strong boxes may count as faces, the weak one is still ignored but a
    # threshold above the second face's score leaves one face
    strict = face.engine().analyse(
        synthetic.side_by_side(astronaut, grace), params=face.DetectionParams(secondary_min_score=2.0)
    )
    assert strict.status == "ok"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 100, "format"),
        (b"%PDF-1.4 not an image", "format"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 50, "corrupt"),
    ],
)
def test_decode_refuses_what_is_not_a_usable_image(data, code):
    # when bytes that are not a JPEG/PNG image are decoded
    with pytest.raises(face.ImageError) as err:
        face.decode_image(data)
    # then the reason is named
    assert err.value.code == code


def test_decode_refuses_tiny_and_oversized_images():
    tiny = synthetic.to_bytes(np.zeros((40, 40, 3), dtype=np.uint8))
    with pytest.raises(face.ImageError) as err:
        face.decode_image(tiny)
    assert err.value.code == "small"
    big = synthetic.to_bytes(synthetic.blank(640, 480))
    with pytest.raises(face.ImageError) as err:
        face.decode_image(big, max_bytes=1000)
    assert err.value.code == "large"


def test_descriptors_survive_the_byte_round_trip(astronaut):
    descriptor = analyse(astronaut).descriptor
    assert np.array_equal(face.descriptor_from_bytes(face.descriptor_to_bytes(descriptor)), descriptor)
    with pytest.raises(ValueError):
        face.descriptor_from_bytes(b"\0" * 100)


# --- liveness -----------------------------------------------------------------------------------------


def _reference(name="astronaut"):
    return reference_descriptor(name)


@pytest.mark.parametrize("challenge", ["blink", "open_mouth", "turn_left", "turn_right"])
def test_frames_that_perform_the_challenge_match(challenge):
    # given frames of the enrolled face that perform the challenge (synthetic edits of the photo)
    frames = list(challenge_rgb("astronaut", challenge))
    # when verified
    outcome = verify(_reference(), frames, challenge, PARAMS)
    # then identity and liveness pass
    assert outcome.result == "match", outcome.reason
    assert outcome.liveness_passed is True
    assert outcome.liveness["change"] >= outcome.liveness["required"]
    assert outcome.identity_distance < PARAMS.threshold
    assert outcome.model_version.startswith("dlib")


@pytest.mark.parametrize("challenge", ["blink", "open_mouth", "turn_left", "turn_right", "nod"])
def test_a_still_photo_fails_every_challenge(challenge):
    # given the same picture in every frame (a photo held up to the camera)
    frames = list(challenge_rgb("astronaut", "still"))
    # when verified
    outcome = verify(_reference(), frames, challenge, PARAMS)
    # then the identity matches but the liveness check fails
    assert outcome.result == "liveness_failed"
    assert outcome.identity_distance < 0.1
    assert outcome.liveness["change"] == 0


def test_the_wrong_movement_fails(astronaut):
    # given frames of a head turned to the person's left
    frames = list(challenge_rgb("astronaut", "turn_left"))
    # when the challenge was to turn right, or to blink
    for challenge in ("turn_right", "blink"):
        outcome = verify(_reference(), frames, challenge, PARAMS)
        # then liveness fails
        assert outcome.result == "liveness_failed", challenge


def test_another_person_does_not_match(astronaut):
    # given Grace Hopper's reference and the astronaut blinking
    outcome = verify(_reference("grace_hopper"), list(challenge_rgb("astronaut", "blink")), "blink", PARAMS)
    # then no match, with the distance recorded
    assert outcome.result == "no_match"
    assert outcome.identity_distance > PARAMS.threshold


def test_a_face_swapped_in_between_frames_is_no_match(astronaut, grace):
    # given a sequence where one frame shows someone else
    frames = list(challenge_rgb("astronaut", "blink"))
    frames[3] = grace
    # when verified against the astronaut
    outcome = verify(_reference(), frames, "blink", PARAMS)
    # then the identity is not the same throughout
    assert outcome.result == "no_match"
    assert outcome.frames_spread > PARAMS.threshold
    assert "same person" in outcome.reason


def test_frames_without_a_face_or_with_two_faces(astronaut, grace):
    blank = synthetic.blank()
    outcome = verify(_reference(), [blank, blank, astronaut], "blink", PARAMS)
    assert outcome.result == "no_face"
    crowded = synthetic.side_by_side(astronaut, grace)
    outcome = verify(_reference(), [astronaut, crowded, astronaut], "blink", PARAMS)
    assert outcome.result == "several_faces"


def test_liveness_rules_on_measure_series():
    # given measure series as the phone's frames would give them
    flat = [{"yaw": 0.02, "pitch": 0.7, "eyes": 0.33, "mouth": 0.01}] * 5
    blink = flat[:2] + [{**flat[0], "eyes": 0.1}] + flat[:2]
    turn = flat[:2] + [{**flat[0], "yaw": 0.2}] * 3
    # then each passes only its own challenge, and thresholds decide
    assert evaluate_liveness("blink", blink, PARAMS)["passed"]
    assert not evaluate_liveness("blink", flat, PARAMS)["passed"]
    assert evaluate_liveness("turn_left", turn, PARAMS)["passed"]
    assert not evaluate_liveness("turn_right", turn, PARAMS)["passed"]
    assert not evaluate_liveness("turn_left", turn, VerifyParams(turn=0.3))["passed"]
    assert not evaluate_liveness("blink", flat[:1], PARAMS)["passed"]
    with pytest.raises(ValueError):
        evaluate_liveness("dance", flat, PARAMS)


def test_the_fake_camera_video_keeps_the_aspect_ratio(astronaut, tmp_path):
    # given the astronaut padded into 640x480 and written as a Y4M video
    padded = synthetic.padded_640x480(astronaut)
    path = synthetic.write_y4m(tmp_path / "face.y4m", [padded])
    # then the face is still found, and the file has the expected size (header + one I420 frame)
    assert padded.shape == (480, 640, 3)
    assert analyse(padded).status == "ok"
    header = path.read_bytes().split(b"\n", 1)[0]
    assert header.startswith(b"YUV4MPEG2 W640 H480")
    assert path.stat().st_size == len(header) + 1 + len(b"FRAME\n") + 640 * 480 * 3 // 2
