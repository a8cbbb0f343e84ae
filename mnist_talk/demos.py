"""NumPy demos of the layers the talk explains before using them.

Stage 01 introduces this (how Keras 1's clipped loss moves when a weight is
nudged); 3×3 convolution comes in stage 05, 2×2 max-pooling in stage 06,
batch normalization in stage 08, dropout in stage 09.
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


def convolve_3x3(image, kernel) -> np.ndarray:
    """Slide a 3×3 kernel over a 2-D image, zero-padded ("same") (stage 05).

    Each output pixel is the sum of the 3×3 neighbourhood times the kernel:
    what one filter of `keras.layers.Conv2D(…, 3, padding="same")` computes
    (Keras, like most libraries, does not flip the kernel).
    """
    image = np.asarray(image, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    if image.ndim != 2 or kernel.shape != (3, 3):
        raise ValueError("convolve_3x3 expects a 2-D image and a 3×3 kernel")
    padded = np.pad(image, 1)
    h, w = image.shape
    out = np.zeros_like(image)
    for dy in range(3):
        for dx in range(3):
            out += kernel[dy, dx] * padded[dy:dy + h, dx:dx + w]
    return out


#: Two hand-made filters: they light up on horizontal and vertical edges.
EDGE_FILTERS = {
    "horizontal edges": np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], float),
    "vertical edges": np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], float),
}


def batch_norm(batch, gamma=1.0, beta=0.0, eps: float = 1e-3) -> np.ndarray:
    """Batch normalization of a batch of activations, training mode (stage 08).

    Each feature (last axis) is shifted to mean 0 and scaled to standard
    deviation 1 over the batch, then scaled by the learned `gamma` and
    shifted by the learned `beta`. `eps` is Keras's default.
    """
    batch = np.asarray(batch, dtype=np.float32)
    axes = tuple(range(batch.ndim - 1))
    mean, var = batch.mean(axis=axes), batch.var(axis=axes)
    return (gamma * (batch - mean) / np.sqrt(var + eps) + beta).astype(
        np.float32)


def loss_moves_when_nudged(model, loss, x, y_hot, scale: float = 1e-5,
                           seed: int = 0):
    """Which images' loss changes when every weight is nudged (stage 01).

    Adds Gaussian noise of standard deviation `scale` to each weight of
    `model`, computes `loss(y_hot, predictions)` per image before and
    after, puts the weights back, and returns a boolean array: True where
    the image's loss moved. An image whose loss does not move has, there,
    a zero gradient: the optimizer cannot learn from it.
    """
    import keras

    truth = keras.ops.convert_to_tensor(y_hot, "float32")

    def per_image():
        p = keras.ops.convert_to_tensor(model.predict(x, verbose=0))
        return keras.ops.convert_to_numpy(loss(truth, p))

    weights = model.get_weights()
    before = per_image()
    rng = np.random.default_rng(seed)
    try:
        model.set_weights([w + rng.normal(0, scale, w.shape).astype(w.dtype)
                           for w in weights])
        return per_image() != before
    finally:
        model.set_weights(weights)
