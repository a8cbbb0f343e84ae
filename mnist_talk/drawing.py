"""A digit drawn as pen strokes, made into the 28 × 28 image MNIST would
have made of it (stage 13 scores drawings with every stage's network).

MNIST's digits were not photographs of paper: NIST's scans were cropped to
their ink, scaled to fit a 20 × 20 box keeping their shape, and centred in
28 × 28 by their centre of mass. `mnist_image` does the same to strokes;
`plain_image` only shrinks the whole canvas to 28 × 28, to show why that
matters. The drawing page (`slides/draw.js`) does the same arithmetic, so
the page and Python give the models the same image
(tests/test_drawing.py).

Strokes are lists of (x, y) points on a square canvas, y pointing down;
the pen draws round-ended lines `pen` pixels wide between them. Each
output pixel's grey level is the share of its 4 × 4 sample points that
the ink covers, times 255.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

#: MNIST's geometry: the ink fits a 20 × 20 box, centred by its centre of
#: mass in a 28 × 28 image.
SIZE, BOX = 28, 20
#: Sample points per pixel along each axis (the grey levels' resolution).
SAMPLES = 4
#: The drawings stage 13 scores: digits written as strokes, with labels.
DRAWINGS = Path(__file__).with_name("drawings.json")


class DrawingError(ValueError):
    """Strokes that make no image: none, or points that are not numbers."""


def _segments(strokes) -> np.ndarray:
    """Every stroke's segments as rows (x0, y0, x1, y1); a lone point is a
    segment of length zero (a dot)."""
    rows = []
    for stroke in strokes:
        points = np.asarray(stroke, dtype=float).reshape(-1, 2)
        if len(points) == 1:
            points = np.repeat(points, 2, axis=0)
        rows.append(np.hstack([points[:-1], points[1:]]))
    if not rows or not sum(len(r) for r in rows):
        raise DrawingError("no strokes to draw: draw a digit first")
    segments = np.vstack(rows)
    if not np.isfinite(segments).all():
        raise DrawingError("a stroke has a point that is not a number")
    return segments


def render(segments: np.ndarray, radius: float, scale: float = 1.0,
           dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """A 28 × 28 image (0 to 255) of round-ended lines of `radius` through
    `segments` mapped by x → x·scale + dx, y → y·scale + dy."""
    seg = segments * scale + np.array([dx, dy, dx, dy])
    r = radius * scale
    steps = (np.arange(SIZE * SAMPLES) + 0.5) / SAMPLES
    px, py = np.meshgrid(steps, steps)  # rows are y, columns x
    px, py = px.ravel(), py.ravel()
    covered = np.zeros(px.shape, dtype=bool)
    for x0, y0, x1, y1 in seg:
        vx, vy = x1 - x0, y1 - y0
        length2 = vx * vx + vy * vy
        t = (np.zeros_like(px) if length2 == 0 else
             np.clip(((px - x0) * vx + (py - y0) * vy) / length2, 0, 1))
        ex, ey = px - (x0 + t * vx), py - (y0 + t * vy)
        covered |= ex * ex + ey * ey <= r * r
    grid = covered.reshape(SIZE, SAMPLES, SIZE, SAMPLES)
    return grid.mean(axis=(1, 3)) * 255.0


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(x, y) of the image's centre of mass, pixel centres at i + 0.5."""
    total = image.sum()
    if total == 0:
        raise DrawingError("the strokes left no ink on the image")
    centres = np.arange(SIZE) + 0.5
    return (float((image.sum(axis=0) * centres).sum() / total),
            float((image.sum(axis=1) * centres).sum() / total))


def mnist_image(strokes, pen: float) -> np.ndarray:
    """The strokes as MNIST made its images: the ink (lines `pen` wide)
    cropped, scaled to fit 20 × 20 keeping its shape, then moved so that
    its centre of mass is the image's centre. 28 × 28, 0 to 255."""
    segments = _segments(strokes)
    radius = pen / 2
    x0 = min(segments[:, 0].min(), segments[:, 2].min()) - radius
    x1 = max(segments[:, 0].max(), segments[:, 2].max()) + radius
    y0 = min(segments[:, 1].min(), segments[:, 3].min()) - radius
    y1 = max(segments[:, 1].max(), segments[:, 3].max()) + radius
    scale = BOX / max(x1 - x0, y1 - y0)
    dx = (SIZE - (x1 - x0) * scale) / 2 - x0 * scale
    dy = (SIZE - (y1 - y0) * scale) / 2 - y0 * scale
    cx, cy = centre_of_mass(render(segments, radius, scale, dx, dy))
    return render(segments, radius, scale, dx + SIZE / 2 - cx,
                  dy + SIZE / 2 - cy)


def plain_image(strokes, pen: float, canvas: float) -> np.ndarray:
    """The strokes with the whole `canvas` shrunk to 28 × 28, nothing
    cropped or centred: what a model sees without MNIST's preparation."""
    return render(_segments(strokes), pen / 2, SIZE / canvas)


def drawings(path=DRAWINGS) -> dict:
    """The committed drawings: {"canvas": size, "drawings": [{"name",
    "label", "pen", "strokes"}, ...]}."""
    return json.loads(Path(path).read_text())


def images(found: dict, prepared: bool = True) -> np.ndarray:
    """Every drawing's image, N × 28 × 28 × 1, as the models take them:
    MNIST's preparation (`mnist_image`) or none (`plain_image`)."""
    return np.stack([
        (mnist_image(d["strokes"], d["pen"]) if prepared else
         plain_image(d["strokes"], d["pen"], found["canvas"]))
        for d in found["drawings"]])[..., None].astype("float32")


def _answer(network, images) -> np.ndarray:
    """The network's probabilities for a few images, called directly (one
    `predict` per network would trace a function each time)."""
    import keras

    shape = (-1,) + tuple(network.input_shape[1:])  # 01 to 04: 28 × 28
    return keras.ops.convert_to_numpy(
        network(images.reshape(shape), training=False))


def answers(results_dir, found: dict | None = None) -> dict:
    """Every kept stage's probabilities for every drawing, prepared as
    MNIST was and not: {stage: (prepared N × 10, plain N × 10)}. Stages
    that kept no network (not run) are left out."""
    from . import saved

    found = found or drawings()
    prepared, plain = images(found), images(found, prepared=False)
    scored = {}
    folder = Path(results_dir) / saved.FOLDER
    for kept in sorted(folder.glob("*.keras")):
        network = saved.load(results_dir, kept.stem)
        scored[kept.stem] = (_answer(network, prepared),
                             _answer(network, plain))
    return scored


def scores_table(scored: dict, found: dict | None = None):
    """Per stage: how many drawings it reads right with MNIST's
    preparation and without, and its answer for the drawings that the
    last stage misreads."""
    from .tables import Table

    found = found or drawings()
    labels = np.array([d["label"] for d in found["drawings"]])
    last = scored[max(scored)][0].argmax(axis=1) if scored else labels
    missed = np.flatnonzero(last != labels)
    header = (["stage", "right, prepared", "right, canvas shrunk"]
              + [found["drawings"][i]["name"] for i in missed])
    rows = []
    for stage, (prepared, plain) in scored.items():
        rows.append([stage[:2],
                     f"{(prepared.argmax(1) == labels).sum()} of {len(labels)}",
                     f"{(plain.argmax(1) == labels).sum()} of {len(labels)}"]
                    + [f"{prepared[i].argmax()} ({prepared[i].max():.0%})"
                       for i in missed])
    return Table(header, rows)


def page(height: int = 430):
    """The drawing page in a notebook, as JupyterLab serves it beside the
    presented notebooks (`make present` and `make lab` put it in their
    `draw/` folder); elsewhere, `make draw` serves it on its own."""
    from IPython.display import HTML

    return HTML(
        '<p style="font-size:14px;color:#666">Blank below? Run <code>make '
        'draw</code> and open <code>http://127.0.0.1:8765/draw.html</code>.'
        '</p>\n'
        f'<iframe class="mnist-draw" width="100%" height="{height}" '
        'style="border:0"></iframe>\n'
        '<script>(function () {\n'
        '  var c = document.getElementById("jupyter-config-data");\n'
        '  var base = c ? JSON.parse(c.textContent).baseUrl : "/";\n'
        '  var frames = document.querySelectorAll("iframe.mnist-draw");\n'
        '  frames.forEach(function (f) {\n'
        '    if (!f.src) f.src = base + "files/draw/draw.html"; });\n'
        '})();</script>')


def read(strokes, results_dir, pen: float = 18):
    """Every kept stage's answer for one drawing, in the kernel: the
    strokes as the page's *Copy strokes* button gives them (or any list of
    strokes), prepared as MNIST was, read by each stage's `.keras`
    network."""
    from . import saved
    from .tables import Table

    image = mnist_image(strokes, pen)[None, ..., None].astype("float32")
    rows = []
    for kept in sorted((Path(results_dir) / saved.FOLDER).glob("*.keras")):
        p = _answer(saved.load(results_dir, kept.stem), image)[0]
        rows.append([kept.stem[:2], int(p.argmax()), f"{p.max():.1%}"])
    return Table(["stage", "says", "probability"], rows)
