"""Test-time augmentation: one network's probabilities averaged over the
image and its four one-pixel shifts (stage 12 introduces this).

Stage 12 scores its members both ways; the search for the final recipe
(`mnist_series.search`) scores each trial's network the same way.
"""

from __future__ import annotations

import numpy as np

#: The image and its four one-pixel shifts, as (right, down).
VIEWS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


def shift(images: np.ndarray, right: int, down: int) -> np.ndarray:
    """`images` (N×H×W×C) moved `right` and `down` pixels, zeros shifted in."""
    out = np.zeros_like(images)
    h, w = images.shape[1:3]
    rows = slice(max(down, 0), h + min(down, 0))
    cols = slice(max(right, 0), w + min(right, 0))
    out[:, rows, cols] = images[:, max(-down, 0):h + min(-down, 0),
                                max(-right, 0):w + min(-right, 0)]
    return out


def predict_views(model, images, views=VIEWS, each=None) -> np.ndarray:
    """The mean of the model's probabilities over shifted copies;
    `each()` is called after each view (a status line's progress)."""
    found = []
    for v in views:
        found.append(model.predict(shift(images, *v), verbose=0,
                                   batch_size=1000))
        if each:
            each()
    return np.mean(found, axis=0)
