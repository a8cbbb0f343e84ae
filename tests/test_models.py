"""The talk's architectures, rebuilt in Keras 3, have the talk's sizes."""

import numpy as np
import pytest

from mnist_talk import analysis, demos, models, plots


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_vgg_has_the_talks_parameter_counts():
    plain = models.vgg(33.3, 78.6)
    assert plain.count_params() == 98_354
    bn = models.vgg(33.3, 78.6, batch_norm=True)
    # Keras 1 counted only γ and β; Keras 3 adds the two running statistics.
    assert _trainable(bn) == 98_564 and bn.count_params() == 98_774
    full = models.vgg(33.3, 78.6, batch_norm=True,
                      dropout=models.TALK_DROPOUT,
                      augmentation=models.augmentation(seed=0))
    assert full.count_params() == 98_774
    assert sum(type(l).__name__ == "Dropout" for l in full.layers) == 5


def test_vgg_rejects_a_wrong_number_of_dropout_rates():
    with pytest.raises(ValueError, match="5 rates"):
        models.vgg(0, 1, dropout=(0.1, 0.2))


def test_norm_each_conv_normalizes_every_convolution_before_its_relu():
    import keras

    model = models.vgg(33.3, 78.6, norm_each_conv=True,
                       filters=(8, 16, 32, 64))
    kinds = [type(layer).__name__ for layer in model.layers]
    convs = [i for i, k in enumerate(kinds) if k == "Conv2D"]
    assert len(convs) == sum(models.CONVS)
    for i in convs:  # convolution without bias, normalized, then ReLU
        assert not model.layers[i].use_bias
        assert model.layers[i].get_config()["activation"] == "linear"
        assert kinds[i + 1:i + 3] == ["BatchNormalization", "Activation"]
        assert model.layers[i + 2].get_config()["activation"] == "relu"
    # no normalization after the pools: every BatchNormalization follows
    # a convolution
    assert kinds.count("BatchNormalization") == len(convs)
    # each normalization sees a batch with mean 0 and variance 1 per channel
    # in training: what makes the convolution's bias redundant
    first = keras.Model(model.inputs, model.layers[convs[0] + 1].output)
    images = np.random.default_rng(0).uniform(0, 255, (16, 28, 28, 1))
    out = keras.ops.convert_to_numpy(first(images, training=True))
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    # variance v / (v + epsilon), v the convolution's own, whatever the
    # random initial weights make v
    conv = keras.Model(model.inputs, model.layers[convs[0]].output)
    v = keras.ops.convert_to_numpy(conv(images)).var(axis=(0, 1, 2))
    eps = model.layers[convs[0] + 1].epsilon
    np.testing.assert_allclose(out.var(axis=(0, 1, 2)), v / (v + eps),
                               rtol=1e-3)
    # the annealed recipe swaps its four pool normalizations for these:
    # 4 weights per channel per convolution instead of per block, no biases
    each = models.annealed_vgg(33.3, 78.6, 20, 469, seed=0,
                               filters=(8, 16, 32, 64), norm_each_conv=True)
    pooled = models.annealed_vgg(33.3, 78.6, 20, 469, seed=0,
                                 filters=(8, 16, 32, 64))
    channels = sum(f * n for f, n in zip((8, 16, 32, 64), models.CONVS))
    assert each.count_params() == (pooled.count_params() - channels
                                   + 4 * channels - 4 * (8 + 16 + 32 + 64))
    with pytest.raises(ValueError, match="batch_norm=False"):
        models.vgg(0, 1, batch_norm=True, norm_each_conv=True)


def test_normalizer_computes_x_minus_mean_over_std():
    import keras

    x = np.array([[0.0, 33.3, 255.0]], dtype="float32")
    out = keras.ops.convert_to_numpy(models.normalizer(33.3, 78.6)(x))
    assert np.allclose(out, (x - 33.3) / 78.6, atol=1e-5)


def test_augmentation_is_active_only_while_training():
    import keras

    augment = keras.Sequential(models.augmentation(seed=0))
    x = np.zeros((4, 28, 28, 1), dtype="float32")
    x[:, 10:18, 12:16] = 255
    same = keras.ops.convert_to_numpy(augment(x, training=False))
    moved = keras.ops.convert_to_numpy(augment(x, training=True))
    assert np.array_equal(same, x)
    assert not np.allclose(moved, x)
    assert moved.min() >= 0  # the new border is background, not reflections


def test_numpy_convolution_matches_conv2d(mnist):
    import keras

    (x_train, _), _ = mnist
    image = x_train[0].astype("float32")
    for kernel in demos.EDGE_FILTERS.values():
        conv = keras.layers.Conv2D(1, 3, padding="same", use_bias=False)
        conv.build((None, 28, 28, 1))
        conv.set_weights([kernel.reshape(3, 3, 1, 1)])
        theirs = keras.ops.convert_to_numpy(conv(image[None, :, :, None]))
        assert np.allclose(theirs[0, :, :, 0],
                           demos.convolve_3x3(image, kernel), atol=1e-3)


def test_numpy_batch_norm_matches_keras_in_training_mode():
    import keras

    batch = np.random.default_rng(0).normal(5, 3, size=(16, 4)).astype("f4")
    theirs = keras.layers.BatchNormalization()(batch, training=True)
    assert np.allclose(keras.ops.convert_to_numpy(theirs),
                       demos.batch_norm(batch), atol=1e-5)
    out = demos.batch_norm(batch, gamma=2.0, beta=1.0)
    assert np.allclose(out.mean(axis=0), 1, atol=1e-5)


def test_prepared_data_has_a_channel_axis_and_one_hot_labels(mnist):
    from mnist_talk import data

    (x_train, y_train), (x_test, y_test) = mnist
    prepared = data.Prepared(x_train, y_train, x_test, y_test)
    assert prepared.x_train.shape == (60000, 28, 28, 1)
    assert prepared.y_test_hot.shape == (10000, 10)
    assert "pixel mean 33.318, std 78.567" in repr(prepared)


def test_plots_draw_without_error():
    import matplotlib

    matplotlib.use("Agg")
    import keras
    import matplotlib.pyplot as plt

    images = np.random.default_rng(0).integers(0, 255, (12, 28, 28))
    plots.show_digits(images, list(range(12)))
    plots.show_digits([images[0], images[0][::2, ::2]], ["a", "b"])
    plots.show_image(images[0])
    plots.compare_images({"a": images[:5], "b": images[5:10]}, cols=5)
    plots.draw_curves(plt.figure(), {"": {"loss": [1, 0.5],
                                          "accuracy": [0.5, 0.8]}}, 0.75)
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, 100)
    plots.learning_rate(schedule, 100, 10)
    norms = [keras.layers.BatchNormalization() for _ in range(2)]
    for n in norms:
        n.build((None, 3))
    plots.batch_norm_weights(norms)
    assert len(plt.get_fignums()) == 7
    plt.close("all")


def test_prediction_views_and_confusion_matrix():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 200)
    probs = rng.random((200, 10))
    probs[np.arange(150), labels[:150]] += 5  # the first 150 are right
    probs /= probs.sum(axis=1, keepdims=True)
    counts = analysis.confusion_matrix(labels, probs)
    assert counts.sum() == 200 and np.trace(counts) >= 150
    assert counts[labels[0], labels[0]] >= 1
    images = rng.integers(0, 255, (200, 28, 28))
    analysis.random_predictions(images, labels, probs, correct=True)
    analysis.random_predictions(images, labels, probs, correct=False)
    analysis.show_confusion(labels, probs)
    assert len(plt.get_fignums()) == 3
    plt.close("all")


def test_annealed_vgg_is_stage_11s_recipe():
    import keras

    model = models.annealed_vgg(33.3, 78.6, epochs=20, steps_per_epoch=469,
                                seed=0)
    assert model.count_params() == 98_774
    schedule = models.annealing_schedule(20, 469)
    assert abs(float(schedule(0)) - 1e-4) < 1e-9
    assert abs(float(schedule(469)) - 3e-3) < 1e-6
    assert float(schedule(20 * 469)) < 1e-5
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    short = models.annealing_schedule(2, 100, warmup_epochs=0.3)
    assert abs(float(short(30)) - 3e-3) < 1e-6  # peak after 0.3 epochs
    assert float(short(29)) < float(short(30)) > float(short(31))
    assert float(short(200)) < 1e-5


def test_cyclic_schedule_repeats_the_annealing_schedule():
    """Each cycle is Keras's own CosineDecay with warm-up (stage 11's
    schedule for a cycle's epochs), started again at each restart; the
    model compiled with it trains with that learning rate."""
    cycle = models.annealing_schedule(5, 100, warmup_epochs=0.5)
    cyclic = models.cyclic_schedule(20, 100, cycles=4)
    for step in (0, 25, 50, 51, 300, 499):
        for restart in range(4):
            assert abs(float(cyclic(step + 500 * restart))
                       - float(cycle(step))) < 1e-9, (step, restart)
    assert float(cyclic(499)) < 1e-5 and float(cyclic(500)) == float(
        cycle(0))
    assert cyclic.get_config()["cycles"] == 4
    with pytest.raises(ValueError, match="multiple of cycles"):
        models.cyclic_schedule(20, 100, cycles=3)
    model = models.annealed_vgg(33.3, 78.6, epochs=4, steps_per_epoch=10,
                                seed=0, cycles=2)
    rate = model.optimizer.get_config()["learning_rate"]
    assert rate["class_name"] == "Cyclic", rate
    assert rate["config"]["cycles"] == 2 and rate["config"]["epochs"] == 4


def test_bench_models_have_their_published_sizes():
    from mnist_series import bench

    assert bench.peer_model().count_params() == 34_826  # as keras-io prints
    quick = bench.quick_vgg(33.3, 78.6, epochs=2, steps_per_epoch=10)
    assert quick.count_params() == 98_774
    assert not any(type(l).__name__ == "Dropout" for l in quick.layers)


def test_bench_refuses_impossible_repeats(capsys):
    from mnist_series import bench

    assert bench.main(["--repeats", "0", "--device", "cpu"]) == 2
    assert "--repeats must be at least 1" in capsys.readouterr().err


def test_the_packaged_deeper_network_is_stage_04s():
    """`models.deeper` (what `make backends` times) is the network notebook
    04 writes out: its model cell, run here, gives the same layers and
    parameters."""
    import types

    import jupytext
    import keras

    from mnist_talk import files

    nb = jupytext.read(files.NOTEBOOKS / "04_deeper.py")
    cell = next(c.source for c in nb.cells
                if c.source.startswith("model = keras.Sequential("))
    scope = {"keras": keras, "layers": keras.layers,
             "mnist": types.SimpleNamespace(mean=33.3, std=78.6)}
    exec(cell, scope)
    ours, packaged = scope["model"], models.deeper(33.3, 78.6)
    assert ([type(layer).__name__ for layer in ours.layers]
            == [type(layer).__name__ for layer in packaged.layers])
    assert ([layer.count_params() for layer in ours.layers]
            == [layer.count_params() for layer in packaged.layers])
    assert packaged.count_params() == 239_410  # the talk's figure


def test_annealed_vgg_without_the_affine_warp_keeps_only_what_is_asked():
    import keras

    talk = models.annealed_vgg(33.3, 78.6, 20, 469, seed=0).layers[0]
    assert (talk.rotation_degrees, talk.zoom, talk.shear) == (10, 0.1, 0.1)
    bare = models.annealed_vgg(33.3, 78.6, 20, 469, seed=0, affine=False)
    layer = bare.layers[0]
    assert (layer.rotation_degrees, layer.zoom, layer.shear,
            layer.elastic) == (0, 0, 0, 0)
    images = np.random.default_rng(0).uniform(0, 255, (4, 28, 28, 1))
    out = keras.ops.convert_to_numpy(layer(images, training=True))
    np.testing.assert_allclose(out, images, atol=1e-3)  # nothing moves
    bent = models.annealed_vgg(33.3, 78.6, 20, 469, seed=0, affine=False,
                               elastic=34.0).layers[0]
    assert (bent.rotation_degrees, bent.elastic) == (0, 34.0)
    out = keras.ops.convert_to_numpy(bent(images, training=True))
    assert np.abs(out - images).max() > 1  # the field alone bends them


def test_annealed_vgg_takes_other_dropout_rates():
    rates = lambda m: [l.rate for l in m.layers  # noqa: E731
                       if type(l).__name__ == "Dropout"]
    talk = models.annealed_vgg(33.3, 78.6, 20, 469, seed=0)
    assert rates(talk) == list(models.TALK_DROPOUT)
    half = models.annealed_vgg(33.3, 78.6, 20, 469, seed=0,
                               dropout=(0.05, 0.1, 0.15, 0.2, 0.25))
    assert rates(half) == [0.05, 0.1, 0.15, 0.2, 0.25]
    with pytest.raises(ValueError, match="5 rates"):
        models.annealed_vgg(33.3, 78.6, 20, 469, seed=0, dropout=(0.1,))


def test_stage_12s_members_written_out_are_annealed_vgg():
    """Stage 12 writes its member network out layer by layer (`member`);
    run that cell's function here and compare it with the builder the
    search and the exercises use."""
    import ast

    import keras
    from keras import layers

    from mnist_talk import augment
    from mnist_talk.files import NOTEBOOKS

    source = (NOTEBOOKS / "12_averaging.py").read_text()
    tree = ast.parse(source)
    member = next(n for n in tree.body
                  if isinstance(n, ast.FunctionDef) and n.name == "member")

    class Data:
        mean, std = 33.3, 78.6

    space = {"keras": keras, "layers": layers, "augment": augment,
             "models": models, "mnist": Data, "epochs": 20,
             "steps_per_epoch": 469, "filters": [16, 32, 64, 128],
             "dropout": [0.05, 0.1, 0.15, 0.2, 0.25]}
    exec(compile(ast.Module([member], []), "12_averaging.py", "exec"), space)
    written = space["member"](41)
    packaged = models.annealed_vgg(33.3, 78.6, 20, 469, seed=41,
                                   filters=[16, 32, 64, 128],
                                   dropout=[0.05, 0.1, 0.15, 0.2, 0.25])
    assert models.same_layers(written, packaged)
    assert written.count_params() == packaged.count_params() == 492_614
    assert not models.same_layers(written, models.annealed_vgg(
        33.3, 78.6, 20, 469, seed=41))  # the narrower network differs
