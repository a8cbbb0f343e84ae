"""NumPy demos of the layers the talk explains before using them.

Dropout is introduced in stage 09, 2×2 max-pooling in stage 06.
"""

from __future__ import annotations

import numpy as np


def max_pool_2x2(image) -> np.ndarray:
    """2×2 max-pooling with stride 2 of a 2-D array (stage 06).

    Each output pixel is the largest of a 2×2 block of input pixels, so the
    image halves in each direction. Odd trailing rows/columns are dropped,
    as Keras's `MaxPooling2D` does with `padding="valid"`.
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError("max_pool_2x2 expects a 2-D image")
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    blocks = image[:h, :w].reshape(h // 2, 2, w // 2, 2)
    return blocks.max(axis=(1, 3))


def dropout(activations, rate: float, rng=None) -> np.ndarray:
    """Inverted dropout as applied during training (stage 09).

    Each value is zeroed with probability `rate`; the survivors are scaled
    by `1 / (1 - rate)` so the expected sum stays the same, which is why
    nothing needs rescaling at test time.
    """
    if not 0 <= rate < 1:
        raise ValueError("rate must lie in [0, 1)")
    rng = np.random.default_rng(rng)
    a = np.asarray(activations, dtype=np.float32)
    keep = rng.random(a.shape) >= rate
    return np.where(keep, a / (1 - rate), 0).astype(np.float32)
