"""Face images shipped inside installed packages, and synthetic frame sequences made from them.

No installed package ships two photos of the same person (dependencies.md §8.3), so "same person" cases
use a transformed copy of one photo, and liveness sequences are made by editing a still photo: closing
the eyes, opening the mouth, or shifting the nose sideways as a head turn does. These exercise the
pipeline end to end; they do not calibrate thresholds (that needs real enrolment data).

Used by the tests, the demo (clearly marked test images) and the benchmark; never by production paths.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np

from jiaozheng.checkins.face import engine

ASTRONAUT = "astronaut"
CHALLENGE_NAMES = ("blink", "open_mouth", "turn_left", "turn_right", "nod")
GRACE_HOPPER = "grace_hopper"


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def shipped_face_path(name: str) -> Path | None:
    """Path of a face photo shipped in an installed package, or None if the package is missing.

    astronaut: scikit-image ``skimage/data/astronaut.png`` (Eileen Collins, NASA, public domain);
    grace_hopper: matplotlib ``mpl-data/sample_data/grace_hopper.jpg``.
    """
    if name == ASTRONAUT:
        folder = _package_dir("skimage")
        path = folder / "data" / "astronaut.png" if folder else None
    elif name == GRACE_HOPPER:
        folder = _package_dir("matplotlib")
        path = folder / "mpl-data" / "sample_data" / "grace_hopper.jpg" if folder else None
    else:
        raise ValueError(f"unknown shipped face {name!r}")
    return path if path is not None and path.exists() else None


SHIPPED_FACE_LABELS = {
    ASTRONAUT: "scikit-image astronaut.png (Eileen Collins, NASA)",
    GRACE_HOPPER: "matplotlib grace_hopper.jpg",
}


def shipped_face(name: str) -> np.ndarray:
    from PIL import Image

    path = shipped_face_path(name)
    if path is None:
        raise FileNotFoundError(f"the shipped face image {name!r} is not installed")
    return np.asarray(Image.open(path).convert("RGB"))


def to_bytes(rgb: np.ndarray, fmt: str = "JPEG", quality: int = 90) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    if fmt == "JPEG":
        Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    else:
        Image.fromarray(rgb).save(buffer, fmt)
    return buffer.getvalue()


def transformed_copy(rgb: np.ndarray) -> np.ndarray:
    """The same photo rotated 8°, cropped, scaled to 0.7, darkened and re-saved as JPEG quality 40."""
    from PIL import Image, ImageEnhance

    image = Image.fromarray(rgb).rotate(8, resample=Image.BICUBIC)
    w, h = image.size
    image = image.crop((int(w * 0.08), int(h * 0.04), int(w * 0.94), int(h * 0.98)))
    image = image.resize((int(image.width * 0.7), int(image.height * 0.7)), Image.LANCZOS)
    image = ImageEnhance.Brightness(image).enhance(0.7)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def side_by_side(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two photos in one image (a "several faces" case)."""
    height = min(a.shape[0], b.shape[0])
    return np.concatenate([a[:height], b[:height]], axis=1)


def blank(width: int = 640, height: int = 480, shade: int = 180) -> np.ndarray:
    """An image with no face."""
    gradient = np.linspace(shade - 40, shade + 40, width, dtype=np.float64)
    image = np.tile(gradient, (height, 1))
    return np.stack([image, image * 0.95, image * 0.9], axis=-1).clip(0, 255).astype(np.uint8)


def _points(rgb: np.ndarray) -> np.ndarray:
    faces, _ = engine().faces(rgb)
    if not faces:
        raise ValueError("no face to edit")
    return faces[0].points


def closed_eyes(rgb: np.ndarray) -> np.ndarray:
    """Paint both eyes over with the skin tone below them and a dark lash line: a closed-eye frame."""
    from PIL import Image, ImageDraw

    points = _points(rgb)
    image = Image.fromarray(rgb.copy())
    draw = ImageDraw.Draw(image)
    iod = float(np.hypot(*((points[0] + points[1]) / 2 - (points[2] + points[3]) / 2)))
    for outer, inner in ((points[0], points[1]), (points[2], points[3])):
        centre = (outer + inner) / 2
        half_w = abs(outer[0] - inner[0]) / 2 + 0.08 * iod
        half_h = 0.14 * iod
        sample_y = int(min(rgb.shape[0] - 1, centre[1] + 0.3 * iod))
        sample_x = int(centre[0])
        skin = tuple(int(v) for v in rgb[sample_y, sample_x])
        draw.ellipse(
            [centre[0] - half_w, centre[1] - half_h, centre[0] + half_w, centre[1] + half_h], fill=skin
        )
        draw.line(
            [centre[0] - half_w + 1, centre[1] + 0.04 * iod, centre[0] + half_w - 1, centre[1] + 0.04 * iod],
            fill=(70, 50, 40),
            width=max(1, int(0.04 * iod)),
        )
    return np.asarray(image)


def open_mouth(rgb: np.ndarray) -> np.ndarray:
    """Draw a dark open mouth below the nose."""
    from PIL import Image, ImageDraw

    points = _points(rgb)
    iod = float(np.hypot(*((points[0] + points[1]) / 2 - (points[2] + points[3]) / 2)))
    nose = points[4]
    image = Image.fromarray(rgb.copy())
    draw = ImageDraw.Draw(image)
    top = nose[1] + 0.22 * iod
    draw.ellipse([nose[0] - 0.36 * iod, top, nose[0] + 0.36 * iod, top + 0.45 * iod], fill=(45, 18, 18))
    return np.asarray(image)


def turned(rgb: np.ndarray, amount: float) -> np.ndarray:
    """Shift the nose and its surroundings sideways by ``amount`` inter-ocular distances (positive: image
    right), with a smooth local warp: the landmark change a head turn makes."""
    from PIL import Image

    points = _points(rgb)
    iod = float(np.hypot(*((points[0] + points[1]) / 2 - (points[2] + points[3]) / 2)))
    nose = points[4]
    height, width = rgb.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    sigma = 0.45 * iod
    centre_y = nose[1] - 0.1 * iod
    weight = np.exp(-(((xs - nose[0]) ** 2) + ((ys - centre_y) ** 2) * 0.6) / (2 * sigma**2))
    source_x = xs - amount * iod * weight
    src_x = np.clip(np.round(source_x).astype(int), 0, width - 1)
    src_y = ys.astype(int)
    warped = rgb[src_y, src_x]
    return np.asarray(Image.fromarray(warped))


def challenge_frames(rgb: np.ndarray, challenge: str, count: int = 5) -> list[np.ndarray]:
    """A frame sequence that performs ``challenge`` (first frames neutral, then the action)."""
    neutral = [rgb] * 2
    if challenge == "blink":
        action = [rgb, closed_eyes(rgb), rgb]
    elif challenge == "open_mouth":
        mouth = open_mouth(rgb)
        action = [rgb, mouth, mouth]
    elif challenge == "turn_left":  # the person's left: the nose moves to the image's right
        action = [turned(rgb, 0.15), turned(rgb, 0.35), turned(rgb, 0.35)]
    elif challenge == "turn_right":
        action = [turned(rgb, -0.15), turned(rgb, -0.35), turned(rgb, -0.35)]
    elif challenge == "nod":
        from PIL import Image

        h, w = rgb.shape[:2]
        squashed = np.asarray(Image.fromarray(rgb).resize((w, int(h * 0.8))))
        pad = np.zeros_like(rgb)
        pad[: squashed.shape[0]] = squashed
        action = [rgb, pad, rgb]
    else:
        raise ValueError(f"unknown challenge {challenge!r}")
    frames = (neutral + action)[:count]
    while len(frames) < count:
        frames.append(rgb)
    return frames


def still_frames(rgb: np.ndarray, count: int = 5) -> list[np.ndarray]:
    """What a photo held up to the camera gives: the same picture every time."""
    return [rgb] * count


def padded_640x480(rgb: np.ndarray) -> np.ndarray:
    """Fit the photo into 640×480 keeping its aspect ratio (grey padding), as the fake camera needs."""
    from PIL import Image

    image = Image.fromarray(rgb)
    scale = min(640 / image.width, 480 / image.height)
    image = image.resize((int(image.width * scale), int(image.height * scale)), Image.LANCZOS)
    canvas = Image.new("RGB", (640, 480), (128, 128, 128))
    canvas.paste(image, ((640 - image.width) // 2, (480 - image.height) // 2))
    return np.asarray(canvas)


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 20) -> Path:
    """Write RGB frames (all 640×480) as a raw I420 Y4M video for Chromium's fake camera."""
    height, width = frames[0].shape[:2]
    with open(path, "wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
            y = 0.299 * r + 0.587 * g + 0.114 * b
            u = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
            v = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
            u = u.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))
            v = v.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))
            handle.write(b"FRAME\n")
            for plane in (y, u, v):
                handle.write(plane.clip(0, 255).round().astype(np.uint8).tobytes())
    return path
