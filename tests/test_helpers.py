import numpy as np
import pytest

from mnist_talk import demos, normalization


def test_one_hot_agrees_with_keras(mnist):
    import keras

    (_, y_train), (_, y_test) = mnist
    for y in (y_train, y_test):
        assert np.array_equal(normalization.one_hot(y),
                              keras.utils.to_categorical(y, 10))


@pytest.mark.parametrize("bad", [[-1], [10], [0.5], [[1, 2]]])
def test_one_hot_rejects_labels_it_cannot_encode(bad):
    with pytest.raises(ValueError):
        normalization.one_hot(np.array(bad))


def test_normalization_uses_one_mean_and_std_over_all_pixels(mnist):
    (x_train, _), _ = mnist
    mean, std = normalization.pixel_stats(x_train)
    assert (round(mean, 3), round(std, 3)) == (33.318, 78.567)
    z = normalization.normalize(x_train[:1000], mean, std)
    assert z.dtype == np.float32
    assert np.allclose(z * std + mean, x_train[:1000], atol=1e-3)
    full = normalization.normalize(x_train, mean, std)
    assert abs(full.mean()) < 1e-4 and abs(full.std() - 1) < 1e-4


def test_max_pool_keeps_the_largest_of_each_2x2_block():
    image = np.arange(16).reshape(4, 4)
    assert demos.max_pool_2x2(image).tolist() == [[5, 7], [13, 15]]
    assert demos.max_pool_2x2(np.ones((5, 7))).shape == (2, 3)


def test_max_pool_agrees_with_keras(mnist):
    import keras

    (x_train, _), _ = mnist
    img = x_train[0].astype(np.float32)
    layer = keras.layers.MaxPooling2D(2)
    theirs = keras.ops.convert_to_numpy(layer(img[None, :, :, None]))[0, :, :, 0]
    assert np.array_equal(demos.max_pool_2x2(img), theirs)


def test_dropout_zeroes_about_rate_and_keeps_the_expected_sum():
    a = np.ones(100_000, np.float32)
    out = demos.dropout(a, 0.3, rng=0)
    assert abs((out == 0).mean() - 0.3) < 0.01
    assert abs(out.mean() - 1) < 0.02
    assert np.allclose(np.unique(out), [0, 1 / 0.7])
    assert np.array_equal(demos.dropout(a, 0.0), a)
    with pytest.raises(ValueError):
        demos.dropout(a, 1.0)
