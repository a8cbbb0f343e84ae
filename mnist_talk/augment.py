"""The talk's augmentation as one random affine warp in `keras.ops` (stage 10).

Keras 3's `RandomRotation`, `RandomZoom` and `RandomShear` each warp the
image once, with `keras.ops.image.affine_transform`. On JAX they declare
`supports_jit = False`, so a model that holds them trains uncompiled; on
PyTorch the warp loops over the images in Python. `RandomAffine` draws the
same three transforms per image, multiplies them into one matrix and samples
the image once, bilinearly, with array operations every backend compiles.

Each transform is Keras's own, with the same parameters: stage 10 and the
tests (`tests/test_augment.py`) warp images with both and compare, Keras's
own layers coming from `keras_augment`.
"""

from __future__ import annotations

import math

import keras
from keras import ops


def matrix(angle, zoom, shear, height: int, width: int, right=None,
           down=None):
    """The 3×3 matrices that map an output pixel to where it is read from.

    `angle` in degrees, `zoom` as a factor (1.1 reads 10% further from the
    centre, so the digit shrinks), `shear` as `RandomShear`'s `x_factor`;
    each of shape `(batch,)`. Coordinates are `(column, row, 1)`, as in
    `keras.ops.image.affine_transform`. Rotation and zoom turn about the
    image's centre, as Keras's layers do; Keras's shear turns about the
    corner (0, 0). The three layers one after the other read the input at
    `R @ Z @ S @ p` for output pixel `p`, so one matrix does all three.
    `right` and `down` (pixels, `(batch,)`, or None for none) move the
    digit as `RandomTranslation` would after the three: `R @ Z @ S @ T`.
    A plain number stands for the same value for every image: `matrix(30,
    1, 0, 28, 28)` is one matrix, `matrix(angles, 1, 0, 28, 28)` one per
    angle.
    """
    given = {"angle": angle, "zoom": zoom, "shear": shear, "right": right,
             "down": down}
    given = {k: ops.convert_to_tensor(v, "float32")
             for k, v in given.items() if v is not None}
    for name, value in given.items():
        if len(ops.shape(value)) > 1:
            raise ValueError(
                f"augment.matrix: {name} has shape {tuple(ops.shape(value))}; "
                "give one number, or one value per image (shape (batch,)), "
                "e.g. np.full(n, 30.0) for n images turned by 30 degrees")
    n = next((ops.shape(v)[0] for v in given.values()
              if len(ops.shape(v)) == 1), 1)
    given = {k: ops.broadcast_to(v, (n,)) for k, v in given.items()}
    angle, zoom, shear = given["angle"], given["zoom"], given["shear"]
    right, down = given.get("right"), given.get("down")
    zero, one = ops.zeros((n,)), ops.ones((n,))

    def stack(rows):
        return ops.stack([ops.stack(row, axis=-1) for row in rows], axis=-2)

    theta = angle * (math.pi / 180)
    cos, sin = ops.cos(theta), ops.sin(theta)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    # rotate, then zoom, about (cx, cy): translate, R @ Z, translate back
    a, b = cos * zoom, -sin * zoom
    c, d = sin * zoom, cos * zoom
    rotate_zoom = stack([[a, b, cx - a * cx - b * cy],
                         [c, d, cy - c * cx - d * cy],
                         [zero, zero, one]])
    shear_m = stack([[one, shear, zero], [zero, one, zero],
                     [zero, zero, one]])
    m = ops.matmul(rotate_zoom, shear_m)
    if right is None and down is None:
        return m
    right = zero if right is None else right
    down = zero if down is None else down
    move = stack([[one, zero, -right], [zero, one, -down],
                  [zero, zero, one]])
    return ops.matmul(m, move)


def warp(images, matrices, fill_value: float = 0.0, displacement=None):
    """Read each image at `matrices @ (x, y, 1)`, bilinearly (stage 10).

    `images` is `(batch, height, width, channels)`; `matrices` is
    `(batch, 3, 3)`. A neighbour outside the image counts as `fill_value`,
    as with Keras's `fill_mode="constant"`. `displacement`, if given,
    `(batch, height, width, 2)` in pixels as (right, down), is added to
    where each output pixel reads from (`elastic_field`).
    """
    batch, height, width, channels = ops.shape(images)
    ys, xs = ops.meshgrid(ops.arange(height, dtype="float32"),
                          ops.arange(width, dtype="float32"), indexing="ij")
    grid = ops.stack([ops.reshape(xs, (-1,)), ops.reshape(ys, (-1,)),
                      ops.ones((height * width,))])             # (3, H*W)
    source = ops.matmul(ops.cast(matrices, "float32"), grid)   # (B, 3, H*W)
    x, y = source[:, 0], source[:, 1]
    if displacement is not None:
        moved = ops.reshape(ops.cast(displacement, "float32"),
                            (batch, height * width, 2))
        x, y = x + moved[..., 0], y + moved[..., 1]
    x0, y0 = ops.floor(x), ops.floor(y)
    flat = ops.reshape(ops.cast(images, "float32"),
                       (batch, height * width, channels))
    out = 0.0
    for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        xi, yi = x0 + dx, y0 + dy
        weight = (1 - ops.abs(x - xi)) * (1 - ops.abs(y - yi))
        inside = (xi >= 0) & (xi <= width - 1) & (yi >= 0) & (yi <= height - 1)
        index = ops.cast(ops.clip(yi, 0, height - 1) * width
                         + ops.clip(xi, 0, width - 1), "int32")
        index = ops.broadcast_to(index[..., None],
                                 (batch, height * width, channels))
        value = ops.take_along_axis(flat, index, axis=1)
        value = ops.where(inside[..., None], value, fill_value)
        out = out + weight[..., None] * value
    return ops.cast(ops.reshape(out, (batch, height, width, channels)),
                    images.dtype)


def gaussian_kernel(sigma: float):
    """A normalized 1-D Gaussian of `sigma` pixels, cut at 3 sigma."""
    radius = max(1, int(math.ceil(3 * sigma)))
    taps = [math.exp(-0.5 * (i / sigma) ** 2)
            for i in range(-radius, radius + 1)]
    return [t / sum(taps) for t in taps]


def elastic_field(noise, alpha: float, sigma: float):
    """Simard et al.'s (2003) elastic distortion field, from `noise`.

    `noise` is `(batch, height, width, 2)`, uniform in [-1, 1] (one random
    move per pixel and axis); each of its two planes is smoothed by a
    Gaussian of `sigma` pixels (zeros beyond the border) and scaled by
    `alpha`. Every image gets its own field: Keras's
    `RandomElasticTransform` draws one for the whole batch.
    """
    taps = ops.convert_to_tensor(gaussian_kernel(sigma), "float32")
    k = ops.shape(taps)[0]
    rows = ops.tile(ops.reshape(taps, (k, 1, 1, 1)), (1, 1, 2, 1))
    cols = ops.tile(ops.reshape(taps, (1, k, 1, 1)), (1, 1, 2, 1))
    field = ops.cast(noise, "float32")
    for kernel in (rows, cols):  # separable: down the columns, then across
        field = ops.depthwise_conv(field, kernel, padding="same")
    return alpha * field


@keras.saving.register_keras_serializable(package="mnist_talk")
class RandomAffine(keras.layers.Layer):
    """Rotation, zoom and shear drawn per image, applied in one warp (stage 10).

    The talk's `ImageDataGenerator(rotation_range=10, zoom_range=0.1,
    shear_range=0.1)`, with Keras 3's meaning of each range: an angle in
    [-10°, 10°], one zoom factor in [0.9, 1.1] for both axes, a horizontal
    shear in [-0.1, 0.1]. Active only while training, like every Keras
    augmentation layer. `translate` (0 in the talk, which draws nothing
    for it) also moves the digit by up to that fraction of the image's
    width and height, as `RandomTranslation(translate, translate)` would.
    `elastic` (0: none) adds Simard et al.'s elastic distortion of that
    strength (their `alpha`; they used 34 with `elastic_sigma` 4), a new
    field for each image (`elastic_field`).
    """

    def __init__(self, rotation_degrees: float = 10, zoom: float = 0.1,
                 shear: float = 0.1, seed: int | None = None,
                 translate: float = 0.0, elastic: float = 0.0,
                 elastic_sigma: float = 4.0, **kwargs):
        super().__init__(**kwargs)
        for name, value, top in (("rotation_degrees", rotation_degrees, 180),
                                 ("zoom", zoom, 1), ("shear", shear, 1),
                                 ("translate", translate, 1),
                                 ("elastic", elastic, 100)):
            if not 0 <= value <= top:
                raise ValueError(f"{name}={value!r}: use a number from 0 to "
                                 f"{top} (the range is ±{name})")
        if not 0.5 <= elastic_sigma <= 14:
            raise ValueError(f"elastic_sigma={elastic_sigma!r}: use a number "
                             "of pixels from 0.5 to 14 (half the image)")
        self.rotation_degrees, self.zoom, self.shear = (
            float(rotation_degrees), float(zoom), float(shear))
        self.translate = float(translate)
        self.elastic, self.elastic_sigma = float(elastic), float(elastic_sigma)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def draw(self, n):
        """`(angle, zoom, shear)` for `n` images, each uniform in its range."""
        def uniform(half_width, centre=0.0):
            return keras.random.uniform(
                (n,), centre - half_width, centre + half_width,
                seed=self.generator)
        return (uniform(self.rotation_degrees), uniform(self.zoom, 1.0),
                uniform(self.shear))

    def draw_moves(self, n, height, width):
        """`(right, down)` in pixels for `n` images, or `(None, None)`."""
        if not self.translate:
            return None, None
        return tuple(keras.random.uniform((n,), -self.translate * size,
                                          self.translate * size,
                                          seed=self.generator)
                     for size in (width, height))

    def call(self, images, training=None):
        if not training:
            return images
        n, height, width, _ = ops.shape(images)
        draws = self.draw(n)
        right, down = self.draw_moves(n, height, width)
        field = None
        if self.elastic:
            noise = keras.random.uniform((n, height, width, 2), -1.0, 1.0,
                                         seed=self.generator)
            field = elastic_field(noise, self.elastic, self.elastic_sigma)
        return warp(images, matrix(*draws, height, width, right, down),
                    displacement=field)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rotation_degrees":
                self.rotation_degrees, "zoom": self.zoom,
                "shear": self.shear, "seed": self.seed,
                "translate": self.translate, "elastic": self.elastic,
                "elastic_sigma": self.elastic_sigma}
