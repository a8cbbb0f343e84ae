"""Input normalization and one-hot labels, written out in NumPy.

Introduced in stage 01 (one-hot) and stage 02 (normalization).
"""

from __future__ import annotations

import numpy as np


def one_hot(labels, num_classes: int = 10) -> np.ndarray:
    """One-hot encode integer labels as float32 rows (stage 01).

    The talk's "method 1", written out: a row of zeros per label with a
    single 1 in the label's column. `keras.utils.to_categorical` agrees.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("one_hot expects a 1-D array of integer labels")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}")
    encoded = np.zeros((labels.size, num_classes), dtype=np.float32)
    encoded[np.arange(labels.size), labels] = 1.0
    return encoded


def pixel_stats(images) -> tuple[float, float]:
    """Mean and standard deviation over every pixel of every image (stage 02).

    One number each, not one per pixel: the aim is to bring all inputs to
    the same scale, as the talk does.
    """
    images = np.asarray(images, dtype=np.float64)
    return float(images.mean()), float(images.std())


def normalize(images, mean: float, std: float) -> np.ndarray:
    """`(images - mean) / std` as float32 (stage 02)."""
    if std <= 0:
        raise ValueError("std must be positive")
    return ((np.asarray(images, dtype=np.float32) - mean) / std).astype(
        np.float32)
