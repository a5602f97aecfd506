"""Offline face analysis with dlib: HOG detector, 5-point shape predictor, ResNet descriptor.

The model files come from the ``face_recognition_models`` package and are located with
``importlib.util.find_spec`` (never ``import face_recognition``: its ``pkg_resources`` import fails on
current setuptools, dependencies.md §3.1). Models are loaded once per process, on first use, and guarded
by a lock because dlib objects are not documented as thread-safe.

This module knows nothing about Django models: it turns image bytes into faces, descriptors and the
per-frame measures the liveness check uses (``jiaozheng.checkins.liveness``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# Images: what the phone and the staff page may send.
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
MIN_SIDE = 120  # pixels: smaller images cannot hold a usable face
MAX_PIXELS = 4096 * 4096  # refuse larger images before decoding them (decompression bombs)
WORK_MAX_SIDE = 1024  # images are scaled down to this before detection (speed; faces stay large enough)

# The aligned face chip used for appearance measures (eyes, mouth): eye line horizontal, eyes 64 px apart.
CHIP_SIZE = 192
CHIP_IOD = 64.0
CHIP_EYES_Y = 72.0


class ImageError(ValueError):
    """The bytes are not an acceptable image. ``code``: empty, format, small, large or corrupt."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face_recognition_models is not installed: face verification is unavailable")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def model_version() -> str:
    """Identifies the models a result was computed with (stored with every result)."""
    import dlib

    try:
        models = importlib.metadata.version("face_recognition_models")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - installed from source
        models = "unknown"
    return f"dlib {dlib.__version__}; face_recognition_models {models}; hog+sp5+resnet_v1"


@dataclass
class Face:
    box: tuple[int, int, int, int]  # left, top, right, bottom in the analysed image
    score: float  # HOG detector confidence
    points: np.ndarray  # 5 x 2 landmarks: right-eye corners (image right), left-eye corners, nose base

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def area(self) -> int:
        return max(0, self.box[2] - self.box[0]) * max(0, self.box[3] - self.box[1])


@dataclass
class FrameAnalysis:
    """One image: how many faces, the face used, its descriptor and measures."""

    status: str  # "ok", "no_face", "several_faces"
    width: int
    height: int
    face: Face | None = None
    others: list[dict[str, Any]] = field(default_factory=list)  # other boxes found (kept for the record)
    ignored: int = 0  # boxes discarded as small or weak false positives
    descriptor: np.ndarray | None = None
    measures: dict[str, float] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "size": [self.width, self.height]}
        if self.face is not None:
            out["box"] = list(self.face.box)
            out["score"] = round(self.face.score, 3)
        if self.others:
            out["others"] = self.others
        if self.ignored:
            out["ignored_boxes"] = self.ignored
        if self.measures:
            out["measures"] = {k: round(v, 4) for k, v in self.measures.items()}
        if self.quality:
            out["quality"] = self.quality
        return out


@dataclass(frozen=True)
class DetectionParams:
    """How strictly extra detector boxes count as more faces (rules ``checkins.secondary_face_*``)."""

    secondary_min_score: float = 0.5
    secondary_min_area_ratio: float = 0.05


def decode_image(data: bytes, *, max_bytes: int | None = None) -> np.ndarray:
    """JPEG or PNG bytes -> RGB array (EXIF orientation applied). Raises ImageError with a clear reason."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise ImageError("empty", "the image is empty")
    if max_bytes is not None and len(data) > max_bytes:
        raise ImageError("large", f"the image is larger than {max_bytes // 1024} KB")
    if not (data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"):
        raise ImageError("format", "not a JPEG or PNG image")
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in ACCEPTED_FORMATS:
            raise ImageError("format", "not a JPEG or PNG image")
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageError("large", f"the image is too large ({width}×{height} pixels)")
        if min(width, height) < MIN_SIDE:
            raise ImageError(
                "small", f"the image is too small ({width}×{height} pixels; at least {MIN_SIDE})"
            )
        image.load()
        image = ImageOps.exif_transpose(image)
        rgb = image.convert("RGB")
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError("corrupt", f"the image cannot be read ({type(exc).__name__})")
    return np.asarray(rgb)


def downscale(rgb: np.ndarray, max_side: int = WORK_MAX_SIDE) -> np.ndarray:
    height, width = rgb.shape[:2]
    if max(height, width) <= max_side:
        return rgb
    from PIL import Image

    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.BILINEAR))


def encode_jpeg(rgb: np.ndarray, *, max_side: int | None = None, quality: int = 88) -> bytes:
    from PIL import Image

    if max_side is not None:
        rgb = downscale(rgb, max_side)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


class FaceEngine:
    """Loads the dlib models once and analyses images. Use ``engine()`` for the process-wide instance."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._loaded = False
        self.version = ""

    def load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            import dlib

            folder = _models_dir()
            self._detector = dlib.get_frontal_face_detector()
            self._shape = dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat"))
            self._encoder = dlib.face_recognition_model_v1(
                str(folder / "dlib_face_recognition_resnet_model_v1.dat")
            )
            self._dlib = dlib
            self.version = model_version()
            self._loaded = True

    # --- detection ---------------------------------------------------------------------------------

    def _run_detector(self, rgb: np.ndarray, upsample: int) -> list[tuple[Any, float]]:
        boxes, scores, _kinds = self._detector.run(rgb, upsample, 0.0)
        return list(zip(boxes, scores, strict=True))

    def faces(self, rgb: np.ndarray, params: DetectionParams = DetectionParams()) -> tuple[list[Face], int]:
        """(faces, ignored): real faces, largest first, and how many boxes were ignored as false positives.

        Detection runs without upsampling first (fast, few false positives); only if that finds nothing is
        the image upsampled once, for small faces. Besides the largest box, a box counts as another face
        unless it is weak (score below ``secondary_min_score``) or tiny (area below
        ``secondary_min_area_ratio`` of the largest): HOG adds such boxes on textured backgrounds.
        """
        self.load()
        with self._lock:
            found = self._run_detector(rgb, 0)
            if not found and max(rgb.shape[:2]) <= 1400:
                found = self._run_detector(rgb, 1)
            if not found:
                return [], 0
            found.sort(key=lambda item: item[0].area(), reverse=True)
            main_area = max(1, found[0][0].area())
            kept = [found[0]]
            ignored = 0
            for rect, score in found[1:]:
                if (
                    score < params.secondary_min_score
                    or rect.area() < params.secondary_min_area_ratio * main_area
                ):
                    ignored += 1
                else:
                    kept.append((rect, score))
            faces = []
            height, width = rgb.shape[:2]
            for rect, score in kept:
                shape = self._shape(rgb, rect)
                points = np.array([(p.x, p.y) for p in shape.parts()], dtype=float)
                box = (
                    max(0, rect.left()),
                    max(0, rect.top()),
                    min(width, rect.right()),
                    min(height, rect.bottom()),
                )
                face = Face(box=box, score=float(score), points=points)
                face._shape = shape  # type: ignore[attr-defined]  (kept for the descriptor)
                faces.append(face)
            return faces, ignored

    def descriptor(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        self.load()
        with self._lock:
            shape = getattr(face, "_shape", None)
            if shape is None:
                rect = self._dlib.rectangle(*face.box)
                shape = self._shape(rgb, rect)
            return np.array(self._encoder.compute_face_descriptor(rgb, shape), dtype=np.float64)

    # --- one image -----------------------------------------------------------------------------------

    def analyse(
        self,
        rgb: np.ndarray,
        *,
        want_descriptor: bool = True,
        want_measures: bool = False,
        params: DetectionParams = DetectionParams(),
    ) -> FrameAnalysis:
        rgb = downscale(rgb)
        height, width = rgb.shape[:2]
        faces, ignored = self.faces(rgb, params)
        if not faces:
            return FrameAnalysis("no_face", width, height, ignored=ignored)
        main = faces[0]
        if len(faces) > 1:
            others = [{"box": list(f.box), "score": round(f.score, 3)} for f in faces[1:]]
            return FrameAnalysis("several_faces", width, height, face=main, others=others, ignored=ignored)
        result = FrameAnalysis("ok", width, height, face=main, ignored=ignored)
        result.quality = face_quality(rgb, main)
        if want_descriptor:
            result.descriptor = self.descriptor(rgb, main)
        if want_measures:
            result.measures = measures(rgb, main)
        return result


_ENGINE: FaceEngine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> FaceEngine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = FaceEngine()
        return _ENGINE


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def descriptor_to_bytes(descriptor: np.ndarray) -> bytes:
    return np.asarray(descriptor, dtype="<f8").tobytes()


def descriptor_from_bytes(data: bytes) -> np.ndarray:
    array = np.frombuffer(bytes(data), dtype="<f8")
    if array.shape != (128,):
        raise ValueError("a face descriptor has 128 numbers")
    return array


# --- quality and measures ------------------------------------------------------------------------------


def face_quality(rgb: np.ndarray, face: Face) -> dict[str, Any]:
    """Size, sharpness (variance of the Laplacian) and brightness of the face area."""
    left, top, right, bottom = face.box
    crop = luminance(rgb[top:bottom, left:right].astype(np.float64))
    if crop.size < 9:
        return {"face_px": face.width, "sharpness": 0.0, "brightness": 0.0}
    lap = crop[:-2, 1:-1] + crop[2:, 1:-1] + crop[1:-1, :-2] + crop[1:-1, 2:] - 4.0 * crop[1:-1, 1:-1]
    return {
        "face_px": int(face.width),
        "sharpness": round(float(lap.var()), 1),
        "brightness": round(float(crop.mean()), 1),
        "score": round(face.score, 3),
    }


def _eye_frame(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(mid, unit vector along the eye line towards image right, inter-ocular distance)."""
    eye_right = (points[0] + points[1]) / 2.0  # the eye on the image's right (the person's left)
    eye_left = (points[2] + points[3]) / 2.0
    vector = eye_right - eye_left
    iod = float(np.hypot(*vector))
    if iod < 1e-6:
        return (eye_right + eye_left) / 2.0, np.array([1.0, 0.0]), 1e-6
    return (eye_right + eye_left) / 2.0, vector / iod, iod


def pose(points: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) proxies from the 5 landmarks, independent of image scale and in-plane rotation.

    yaw: the nose base's offset along the eye line from the eyes' midpoint, in inter-ocular distances;
    it grows when the head turns towards the image's right (the person's own left on an unmirrored
    front-camera frame). A flat photograph tilted or turned in front of the camera keeps it nearly
    constant (both distances shrink together). pitch: the nose's drop below the eye line in the same unit.
    """
    mid, unit, iod = _eye_frame(points)
    nose = points[4] - mid
    perpendicular = np.array([-unit[1], unit[0]])
    return float(nose @ unit / iod), float(nose @ perpendicular / iod)


def aligned_chip(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The face rotated so the eye line is horizontal and scaled to 64 px between the eyes (grey levels)."""
    from PIL import Image

    mid, unit, iod = _eye_frame(points)
    s = iod / CHIP_IOD
    cx, cy = CHIP_SIZE / 2.0, CHIP_EYES_Y
    ux, uy = float(unit[0]), float(unit[1])
    coefficients = (
        s * ux,
        -s * uy,
        mid[0] - s * (ux * cx - uy * cy),
        s * uy,
        s * ux,
        mid[1] - s * (uy * cx + ux * cy),
    )
    chip = Image.fromarray(rgb).transform(
        (CHIP_SIZE, CHIP_SIZE), Image.AFFINE, coefficients, resample=Image.BILINEAR
    )
    return luminance(np.asarray(chip).astype(np.float64))


def _box(gray: np.ndarray, cx: float, cy: float, half_w: float, half_h: float) -> np.ndarray:
    h, w = gray.shape
    x0, x1 = max(0, int(round(cx - half_w))), min(w, int(round(cx + half_w)))
    y0, y1 = max(0, int(round(cy - half_h))), min(h, int(round(cy + half_h)))
    return gray[y0:y1, x0:x1]


def measures(rgb: np.ndarray, face: Face) -> dict[str, float]:
    """Per-frame measures for the liveness challenges.

    - ``yaw`` and ``pitch``: see ``pose``.
    - ``eyes``: how open the eyes look: the share of dark pixels (iris, pupil) in the two eye areas of the
      aligned chip, relative to the face's median skin level. Closed lids are skin-coloured, so it drops
      during a blink.
    - ``mouth``: the share of very dark pixels (the open mouth) in the mouth area below the nose; it rises
      when the mouth opens.
    Appearance measures on the 5-point alignment keep to the licence-clean 5-point model (the 68-point
    model's training data excludes commercial use, dependencies.md §3.3).
    """
    yaw, pitch = pose(face.points)
    gray = aligned_chip(rgb, face.points)
    cx, cy = CHIP_SIZE / 2.0, CHIP_EYES_Y
    half = CHIP_IOD / 2.0
    skin_area = _box(gray, cx, cy + 0.55 * CHIP_IOD, 0.75 * CHIP_IOD, 0.5 * CHIP_IOD)
    skin = float(np.median(skin_area)) if skin_area.size else float(np.median(gray))
    skin = max(skin, 1.0)
    eye_boxes = [
        _box(gray, cx - half, cy, 0.27 * CHIP_IOD, 0.13 * CHIP_IOD),
        _box(gray, cx + half, cy, 0.27 * CHIP_IOD, 0.13 * CHIP_IOD),
    ]
    eyes = float(np.mean([(b < 0.6 * skin).mean() if b.size else 0.0 for b in eye_boxes]))
    nose_y = cy + pitch * CHIP_IOD
    nose_x = cx + yaw * CHIP_IOD
    mouth_box = _box(gray, nose_x, nose_y + 0.4 * CHIP_IOD, 0.42 * CHIP_IOD, 0.22 * CHIP_IOD)
    mouth = float((mouth_box < 0.42 * skin).mean()) if mouth_box.size else 0.0
    return {"yaw": yaw, "pitch": pitch, "eyes": eyes, "mouth": mouth}


def angle_degrees(points: np.ndarray) -> float:
    """In-plane rotation of the eye line (for the record)."""
    _mid, unit, _iod = _eye_frame(points)
    return math.degrees(math.atan2(unit[1], unit[0]))
