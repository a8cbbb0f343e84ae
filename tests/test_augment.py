"""`augment.RandomAffine` against Keras 3's own RandomRotation/Zoom/Shear.

Runs on whichever backend `KERAS_BACKEND` names (`make test BACKEND=jax`
runs it on JAX).
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import ops  # noqa: E402

from mnist_talk import augment, data, keras_augment  # noqa: E402

N = 64


@pytest.fixture(scope="module")
def digits():
    (x, _), _ = data.load_mnist()
    return x[:N, :, :, None].astype("float32")


@pytest.fixture(scope="module")
def draws():
    rng = np.random.default_rng(0)
    return (rng.uniform(-10, 10, N).astype("float32"),
            rng.uniform(0.9, 1.1, N).astype("float32"),
            rng.uniform(-0.1, 0.1, N).astype("float32"))


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("step", ["rotation", "zoom", "shear"])
def test_each_transform_is_keras_own(digits, draws, step):
    """One transform at a time, ours and Keras's layer agree to 1/100 of a
    grey level on 0-255 pixels, for the same draw."""
    angle, zoom, shear = draws
    ones, zeros = np.ones(N, "float32"), np.zeros(N, "float32")
    alone = {"rotation": (angle, ones, zeros), "zoom": (zeros, zoom, zeros),
             "shear": (zeros, ones, shear)}[step]
    ours = _np(augment.warp(digits, augment.matrix(*alone, 28, 28)))
    theirs = _np(keras_augment.through_keras_layers(digits, *alone, steps=step))
    assert np.abs(ours - theirs).max() < 0.01
    assert np.abs(ours - digits).max() > 50  # it did move the digits


def test_moves_are_keras_own_translation(digits, draws):
    """A move alone, and a move after the three transforms in one warp,
    against Keras's `RandomTranslation` after its three layers."""
    rng = np.random.default_rng(1)
    right, down = (rng.uniform(-2.8, 2.8, N).astype("float32")
                   for _ in range(2))
    ones, zeros = np.ones(N, "float32"), np.zeros(N, "float32")
    alone = _np(augment.warp(digits, augment.matrix(
        zeros, ones, zeros, 28, 28, right, down)))
    theirs = _np(keras_augment.through_keras_layers(
        digits, zeros, ones, zeros, steps="none", right=right, down=down))
    assert np.abs(alone - theirs).max() < 0.01
    assert np.abs(alone - digits).max() > 50
    # whole pixels: the digit's ink is where it was, moved
    moved = _np(augment.warp(digits, augment.matrix(
        zeros, ones, zeros, 28, 28, np.full(N, 2.0, "float32"),
        np.full(N, -1.0, "float32"))))
    assert np.array_equal(moved[:, :27, 2:], digits[:, 1:, :26])
    # after the three, by whole pixels (no fourth blur): as close as the
    # three alone are (test_one_warp_keeps_the_ink_of_three)
    whole = [rng.integers(-2, 3, N).astype("float32") for _ in range(2)]
    four = _np(augment.warp(digits, augment.matrix(*draws, 28, 28, *whole)))
    keras_four = _np(keras_augment.through_keras_layers(
        digits, *draws, right=whole[0], down=whole[1]))
    assert np.abs(four - keras_four).mean() < 0.02 * 255


def test_moves_are_drawn_only_when_asked(digits):
    """`translate=0` (the talk's) draws no moves, so the stages' random
    stream is what it was; `translate=0.1` moves up to 2.8 pixels."""
    talk = augment.RandomAffine(seed=4)
    assert talk.draw_moves(5, 28, 28) == (None, None)
    assert np.array_equal(
        _np(talk(digits, training=True)),
        _np(augment.RandomAffine(seed=4, translate=0)(digits,
                                                      training=True)))
    right, down = (_np(m) for m in augment.RandomAffine(
        seed=4, translate=0.1).draw_moves(20_000, 28, 28))
    for moves in (right, down):
        assert -2.8 <= moves.min() < -2.7 and 2.7 < moves.max() <= 2.8


def test_one_warp_is_the_three_matrices_composed(digits, draws):
    """Our warp of the combined matrix equals Keras's own `affine_transform`
    of the same matrix: one bilinear sampling, as Keras samples."""
    m = augment.matrix(*draws, 28, 28)
    flat = ops.reshape(m, (N, 9))[:, :8] / ops.reshape(m[:, 2, 2], (N, 1))
    theirs = keras.ops.image.affine_transform(
        digits, flat, interpolation="bilinear", fill_mode="constant")
    ours = augment.warp(digits, m)
    assert np.abs(_np(ours) - _np(theirs)).max() < 0.01


def test_one_warp_keeps_the_ink_of_three(digits, draws):
    """Keras's three warps in a row and our one warp move the same ink to
    the same places: they differ only by the blur of interpolating three
    times (mean difference under 2% of full scale) and keep the same
    total ink within 1%."""
    ours = _np(augment.warp(digits, augment.matrix(*draws, 28, 28)))
    three = _np(keras_augment.through_keras_layers(digits, *draws))
    assert np.abs(ours - three).mean() < 0.02 * 255
    assert abs(ours.sum() / three.sum() - 1) < 0.01


def test_draws_cover_the_talks_ranges():
    layer = augment.RandomAffine(seed=3)
    angle, zoom, shear = (_np(d) for d in layer.draw(20_000))
    for values, lo, hi in ((angle, -10, 10), (zoom, 0.9, 1.1),
                           (shear, -0.1, 0.1)):
        assert values.min() >= lo and values.max() <= hi
        # uniform: both ends reached, the middle half holds about half
        assert values.min() < lo + 0.01 * (hi - lo)
        assert values.max() > hi - 0.01 * (hi - lo)
        middle = np.mean(np.abs(values - (lo + hi) / 2) < (hi - lo) / 4)
        assert 0.48 < middle < 0.52


def test_only_while_training_and_per_image(digits):
    layer = augment.RandomAffine(seed=1)
    assert np.array_equal(_np(layer(digits, training=False)), digits)
    out = _np(layer(ops.convert_to_tensor(np.repeat(digits[:1], 8, 0)),
                    training=True))
    assert out.shape == (8, 28, 28, 1) and out.dtype == np.float32
    # eight copies of one digit come out eight different ways
    assert len({o.tobytes() for o in out}) == 8


def test_seeded_layer_repeats_and_saves(tmp_path, digits):
    a = augment.RandomAffine(seed=5)
    b = augment.RandomAffine(seed=5)
    assert np.array_equal(_np(a(digits, training=True)),
                          _np(b(digits, training=True)))
    model = keras.Sequential([keras.Input((28, 28, 1)),
                              augment.RandomAffine(rotation_degrees=5,
                                                   seed=2)])
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    assert again.layers[0].get_config()["rotation_degrees"] == 5


@pytest.mark.parametrize("bad", [{"rotation_degrees": -1}, {"zoom": 1.5},
                                 {"shear": -0.1}, {"translate": 2}])
def test_impossible_ranges_are_refused(bad):
    with pytest.raises(ValueError, match="use a number from 0"):
        augment.RandomAffine(**bad)


def test_trains_compiled(digits):
    """A model holding the layer (elastic fields too) compiles its training
    step: on JAX, where Keras's own layers force `jit_compile=False`, it
    stays compiled."""
    model = keras.Sequential([keras.Input((28, 28, 1)),
                              augment.RandomAffine(seed=1, elastic=34),
                              keras.layers.Flatten(),
                              keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss=keras.losses.
                  CategoricalCrossentropy(from_logits=True))
    model.fit(digits / 255, np.eye(10)[np.arange(N) % 10], epochs=1,
              batch_size=16, verbose=0)
    if keras.backend.backend() == "jax":
        assert model.jit_compile
        keras_own = keras.Sequential([keras.Input((28, 28, 1)),
                                      *keras_augment.keras_layers(),
                                      keras.layers.Flatten(),
                                      keras.layers.Dense(10)])
        keras_own.compile(optimizer="adam", loss="mse")
        keras_own.fit(digits, np.zeros((N, 10)), epochs=1, verbose=0)
        assert not keras_own.jit_compile


def test_an_even_displacement_is_a_move(digits):
    """A field that moves every pixel alike reads where Keras's own
    translation (the layer's `right`/`down`, tested above) reads."""
    n = 4
    identity = augment.matrix(ops.zeros((n,)), ops.ones((n,)),
                              ops.zeros((n,)), 28, 28)
    field = np.zeros((n, 28, 28, 2), "float32")
    field[..., 0], field[..., 1] = 1.5, -2.25
    bent = augment.warp(digits[:n], identity, displacement=field)
    moved = augment.warp(digits[:n], augment.matrix(
        ops.zeros((n,)), ops.ones((n,)), ops.zeros((n,)), 28, 28,
        right=ops.full((n,), -1.5), down=ops.full((n,), 2.25)))
    np.testing.assert_allclose(_np(bent), _np(moved), atol=1e-3)


def test_elastic_field_is_a_gaussian_smoothing():
    """One unit of noise comes out as the Gaussian (NumPy's formula) times
    alpha, in each plane on its own; the kernel sums to one."""
    sigma, alpha = 2.0, 5.0
    taps = np.asarray(augment.gaussian_kernel(sigma))
    assert len(taps) == 13 and abs(taps.sum() - 1) < 1e-6
    noise = np.zeros((1, 28, 28, 2), "float32")
    noise[0, 14, 10, 0] = 1.0
    field = _np(augment.elastic_field(noise, alpha, sigma))
    i = np.arange(-6, 7)
    gauss = np.exp(-0.5 * (i / sigma) ** 2)
    expected = alpha * np.outer(gauss, gauss) / gauss.sum() ** 2
    np.testing.assert_allclose(field[0, 8:21, 4:17, 0], expected, atol=1e-6)
    assert np.abs(field[..., 1]).max() == 0
    assert abs(field.sum() - alpha) < 1e-4


def test_elastic_bends_each_image_its_own_way(digits):
    """With rotation, zoom and shear off, eight copies of a digit come out
    eight ways: a field per image, not Keras's one per batch. Strength 0
    draws nothing more, so the layer's other draws are as before."""
    copies = ops.convert_to_tensor(np.repeat(digits[:1], 8, 0))
    bent = _np(augment.RandomAffine(0, 0, 0, seed=3, elastic=34)(
        copies, training=True))
    assert len({b.tobytes() for b in bent}) == 8
    assert np.abs(bent - digits[:1]).max() > 10  # moved ink, not rounding
    plain = augment.RandomAffine(seed=4)(digits, training=True)
    same = augment.RandomAffine(seed=4, elastic=0)(digits, training=True)
    assert np.array_equal(_np(plain), _np(same))
    assert augment.RandomAffine(elastic=34).get_config()["elastic"] == 34


@pytest.mark.parametrize("bad", [{"elastic": -1}, {"elastic": 500},
                                 {"elastic_sigma": 0}])
def test_impossible_elastic_settings_are_refused(bad):
    with pytest.raises(ValueError, match="use a number"):
        augment.RandomAffine(**bad)


def test_a_number_stands_for_every_image_and_a_table_is_refused():
    """`matrix` takes plain numbers as well as one value per image; a value
    of another shape gets one message that says what to give."""
    angles = np.array([0.0, 30.0, -45.0], "float32")
    per_image = augment.matrix(angles, np.ones(3), np.zeros(3), 28, 28)
    mixed = augment.matrix(angles, 1, 0, 28, 28)
    np.testing.assert_allclose(ops.convert_to_numpy(mixed),
                               ops.convert_to_numpy(per_image), atol=1e-6)
    one = augment.matrix(30, 1, 0, 28, 28, right=2)
    assert tuple(ops.shape(one)) == (1, 3, 3)
    np.testing.assert_allclose(
        ops.convert_to_numpy(one)[0],
        ops.convert_to_numpy(augment.matrix(angles[1:2], 1, 0, 28, 28,
                                            right=np.array([2.0])))[0],
        atol=1e-6)
    with pytest.raises(ValueError, match=r"angle has shape \(3, 1\).*one "
                                         r"value per image"):
        augment.matrix(angles[:, None], 1, 0, 28, 28)
