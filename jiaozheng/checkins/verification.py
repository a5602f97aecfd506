"""The automated check of one check-in attempt: identity against the reference, and liveness.

Inputs: the reference descriptor, the captured frames in capture order (the phone page captures the first
frames with the person looking straight at the camera, then the frames while they do the challenge), the
challenge, and the parameters in force (rules). Output: one of the five results with every number that
led to it, so an officer can see why.

Order of the decision:
1. several faces in any frame -> ``several_faces`` (someone else is in the picture);
2. fewer than two frames with a face -> ``no_face``;
3. identity: the median distance of the frames to the reference above the threshold, or two frames
   further apart than the threshold (not the same person throughout) -> ``no_match``;
4. liveness: the frames do not show the challenged change -> ``liveness_failed``;
5. otherwise ``match``.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from jiaozheng.checkins.face import DetectionParams, FrameAnalysis, distance, engine


@dataclass(frozen=True)
class VerifyParams:
    threshold: float = 0.6
    turn: float = 0.10
    blink: float = 0.4
    mouth: float = 0.15
    nod: float = 0.12
    secondary_min_score: float = 0.5

    @classmethod
    def for_unit(cls, unit: Any) -> VerifyParams:
        from jiaozheng.core.rules import rule

        return cls(
            threshold=float(rule("checkins.match_threshold", unit)),
            turn=float(rule("checkins.liveness_turn", unit)),
            blink=float(rule("checkins.liveness_blink", unit)),
            mouth=float(rule("checkins.liveness_mouth", unit)),
            nod=float(rule("checkins.liveness_nod", unit)),
            secondary_min_score=float(rule("checkins.secondary_face_min_score", unit)),
        )


@dataclass
class Outcome:
    result: str
    reason: str
    identity_distance: float | None = None
    max_distance: float | None = None
    frames_spread: float | None = None
    liveness_passed: bool | None = None
    liveness: dict[str, Any] = field(default_factory=dict)
    frames: list[dict[str, Any]] = field(default_factory=list)
    model_version: str = ""
    processing_ms: int = 0
    threshold: float = 0.6


# --- liveness -----------------------------------------------------------------------------------------

MEASURE_OF = {
    "turn_left": "yaw",
    "turn_right": "yaw",
    "blink": "eyes",
    "open_mouth": "mouth",
    "nod": "pitch",
}


def evaluate_liveness(challenge: str, series: list[dict[str, float]], params: VerifyParams) -> dict[str, Any]:
    """Did the measures of the face frames (in capture order) change as the challenge asks?

    - turn_left / turn_right: the nose offset (yaw proxy) moves from the first frame's value towards the
      image's right / left by at least ``turn`` inter-ocular distances (unmirrored front-camera frames: the
      person's left is the image's right);
    - blink: the eye-openness measure drops by at least the share ``blink`` below its highest value;
    - open_mouth: the dark mouth-area share rises by at least ``mouth`` above the first frame's value;
    - nod: the nose drop (pitch proxy) varies by at least ``nod`` inter-ocular distances.
    A photograph, or a video that does something else, shows no such change.
    """
    measure = MEASURE_OF.get(challenge)
    if measure is None:
        raise ValueError(f"unknown challenge {challenge!r}")
    values = [float(s[measure]) for s in series if measure in s]
    out: dict[str, Any] = {
        "challenge": challenge,
        "measure": measure,
        "values": [round(v, 4) for v in values],
    }
    if len(values) < 2:
        out.update(passed=False, reason="fewer than two frames with a face", change=0.0)
        return out
    first = values[0]
    if challenge == "turn_left":
        peak = max(values[1:])
        change, required = peak - first, params.turn
    elif challenge == "turn_right":
        peak = min(values[1:])
        change, required = first - peak, params.turn
    elif challenge == "blink":
        top, peak = max(values), min(values)
        change = (top - peak) / top if top > 0.02 else 0.0
        required, first = params.blink, top
    elif challenge == "open_mouth":
        peak = max(values[1:])
        change, required = peak - first, params.mouth
    else:  # nod
        peak = max(values, key=lambda v: abs(v - first))
        change, required = max(values) - min(values), params.nod
    passed = change >= required
    out.update(
        baseline=round(first, 4),
        peak=round(peak, 4),
        change=round(change, 4),
        required=required,
        passed=passed,
        reason="" if passed else "the frames do not show the requested movement",
    )
    return out


# --- the whole check ----------------------------------------------------------------------------------


def analyse_frames(frames: list[np.ndarray], params: VerifyParams) -> list[FrameAnalysis]:
    detection = DetectionParams(secondary_min_score=params.secondary_min_score)
    return [engine().analyse(f, want_descriptor=True, want_measures=True, params=detection) for f in frames]


def verify(reference: np.ndarray, frames: list[np.ndarray], challenge: str, params: VerifyParams) -> Outcome:
    started = time.perf_counter()
    analyses = analyse_frames(frames, params)
    outcome = _decide(reference, analyses, challenge, params)
    outcome.model_version = engine().version
    outcome.processing_ms = int((time.perf_counter() - started) * 1000)
    outcome.threshold = params.threshold
    return outcome


def _decide(
    reference: np.ndarray, analyses: list[FrameAnalysis], challenge: str, params: VerifyParams
) -> Outcome:
    details = []
    for index, analysis in enumerate(analyses):
        entry = {"index": index, **analysis.summary()}
        if analysis.descriptor is not None:
            entry["distance"] = round(distance(reference, analysis.descriptor), 4)
        details.append(entry)

    crowded = [i for i, a in enumerate(analyses) if a.status == "several_faces"]
    if crowded:
        return Outcome(
            "several_faces",
            f"several faces in frame {', '.join(str(i + 1) for i in crowded)}",
            frames=details,
        )
    with_face = [a for a in analyses if a.status == "ok" and a.descriptor is not None]
    if len(with_face) < 2:
        return Outcome(
            "no_face", f"a face was found in {len(with_face)} of {len(analyses)} frames", frames=details
        )

    distances = [distance(reference, a.descriptor) for a in with_face]  # type: ignore[arg-type]
    median = float(statistics.median(distances))
    spread = max(
        distance(a.descriptor, b.descriptor)  # type: ignore[arg-type]
        for a, b in combinations(with_face, 2)
    )
    liveness = evaluate_liveness(challenge, [a.measures for a in with_face], params)
    common = {
        "identity_distance": round(median, 4),
        "max_distance": round(max(distances), 4),
        "frames_spread": round(spread, 4),
        "liveness_passed": bool(liveness["passed"]),
        "liveness": liveness,
        "frames": details,
    }
    if median > params.threshold:
        return Outcome(
            "no_match",
            f"face distance {median:.3f} is above the threshold {params.threshold:.2f}",
            **common,
        )
    if spread > params.threshold:
        return Outcome(
            "no_match",
            f"the frames do not show the same person throughout (distance {spread:.3f} between frames)",
            **common,
        )
    if not liveness["passed"]:
        return Outcome(
            "liveness_failed",
            f"{liveness['reason']} ({liveness['measure']} change {liveness['change']:.3f}, "
            f"needs {liveness['required']})",
            **common,
        )
    return Outcome("match", "", **common)
