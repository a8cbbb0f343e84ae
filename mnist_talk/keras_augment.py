"""Keras 3's own rotation, zoom and shear layers, the reference that
`augment.RandomAffine` is checked against (stage 10 introduces this).

Stage 10 warps the same digits with both and shows them side by side;
`tests/test_augment.py` compares them pixel by pixel.
"""

from __future__ import annotations

import keras
from keras import ops


def keras_layers(rotation_degrees: float = 10, zoom: float = 0.1,
                 shear: float = 0.1, seed: int | None = None) -> list:
    """Keras 3's own three layers for the same ranges (stage 10's reference).

    `RandomRotation` takes a fraction of a full turn, so 10° is 10/360.
    """
    from keras import layers

    return [
        layers.RandomRotation(rotation_degrees / 360, fill_mode="constant",
                              seed=seed),
        layers.RandomZoom(zoom, fill_mode="constant", seed=seed),
        layers.RandomShear(x_factor=shear, fill_mode="constant", seed=seed),
    ]


def through_keras_layers(images, angle, zoom, shear, steps="all",
                         right=None, down=None):
    """`images` warped by Keras's three layers with the given draws.

    `steps` picks "rotation", "zoom", "shear" or "all" (one after the
    other, as a `Sequential` of `keras_layers()` applies them). With
    `right` and `down`, Keras's `RandomTranslation` moves the result.
    """
    rotation, zooming, shearing = keras_layers()
    n = ops.shape(angle)[0]
    out = ops.convert_to_tensor(images, "float32")
    zeros = ops.zeros((n,))
    if steps in ("rotation", "all"):
        # Keras has no public way to rotate by a given angle: its layer's
        # own (private) matrix is what we compare against, so we call it.
        m = rotation._compute_affine_matrix(
            0.5, 0.5, ops.cast(angle, "float32"), zeros, zeros,
            ops.ones((n,)), zeros, zeros, *ops.shape(images)[1:3])
        out = rotation.transform_images(out, {"rotation_matrix": m})
    if steps in ("zoom", "all"):
        z = ops.reshape(ops.cast(zoom, "float32"), (n, 1))
        out = zooming.transform_images(out, {"height_zoom": z,
                                             "width_zoom": z})
    if steps in ("shear", "all"):
        factors = ops.stack([ops.cast(shear, "float32"), zeros], axis=1)
        out = shearing.transform_images(out, {"shear_factor": factors})
    if right is not None:
        moving = keras.layers.RandomTranslation(0.1, 0.1,
                                                fill_mode="constant")
        moves = ops.stack([ops.cast(right, "float32"),
                           ops.cast(down, "float32")], axis=1)
        out = moving.transform_images(out, {"translations": moves})
    return out
