"""`make bench` section P7: time to verify one selfie against an enrolled reference, offline with dlib.

The models are loaded and warmed up once (cold start excluded, as in a running server process); then one
640x480 JPEG selfie (the astronaut photo shipped in scikit-image, padded as the phone's camera frame would
be) is verified against the enrolled reference descriptor repeatedly: decode, HOG detection, 5-point
landmarks, 128-d ResNet descriptor, distance. The line also gives the time of a whole phone attempt
(6 frames with liveness measures), which is what a check-in submission costs.
"""

from __future__ import annotations

import statistics
import time

REPEATS = 40


def bench(report) -> None:
    from jiaozheng.checkins import face, synthetic
    from jiaozheng.checkins.verification import VerifyParams, verify

    name = synthetic.ASTRONAUT if synthetic.shipped_face_path(synthetic.ASTRONAUT) else synthetic.GRACE_HOPPER
    photo = synthetic.shipped_face(name)
    engine = face.engine()
    started = time.perf_counter()
    engine.load()
    reference = engine.analyse(photo).descriptor  # enrolment (also warms the models up)
    cold_ms = (time.perf_counter() - started) * 1000
    selfie = synthetic.to_bytes(synthetic.padded_640x480(photo), quality=85)
    threshold = VerifyParams().threshold

    def verify_one() -> float:
        rgb = face.decode_image(selfie)
        result = engine.analyse(rgb)
        return face.distance(reference, result.descriptor)

    verify_one()  # warm-up
    times, distance = [], 0.0
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        distance = verify_one()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    frames = [face.decode_image(selfie)] * 6
    attempt_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        verify(reference, frames, "blink", VerifyParams())
        attempt_times.append((time.perf_counter() - t0) * 1000)
    report(
        f"BENCH P7 face_verify_ms={statistics.median(times):.1f} "
        f"p95_ms={times[int(len(times) * 0.95) - 1]:.1f} "
        f"attempt_6frames_ms={statistics.median(attempt_times):.0f} "
        f"repeats={REPEATS} distance={distance:.3f} match={distance <= threshold} "
        f"load_and_enrol_ms={cold_ms:.0f} image={name} size=640x480"
    )
