"""Drawings become MNIST's images; kept networks load, answer as the
notebooks' ensembles do, and export to ONNX that answers the same."""

import hashlib
import os

import numpy as np
import pytest

from mnist_talk import drawing, saved, shifts

STICK = [[[140, 40], [140, 240]]]  # a 1 drawn as a stick, 200 px tall


def test_a_drawing_fits_a_20_by_20_box_centred_by_its_mass():
    for found in drawing.drawings()["drawings"]:
        image = drawing.mnist_image(found["strokes"], found["pen"])
        assert image.shape == (28, 28) and 0 <= image.min() < image.max() <= 255
        rows = np.flatnonzero(image.sum(axis=1))
        cols = np.flatnonzero(image.sum(axis=0))
        # the ink's longer side is 20 pixels, give or take the grey edges
        assert 19 <= max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 22
        cx, cy = drawing.centre_of_mass(image)
        assert abs(cx - 14) < 0.25 and abs(cy - 14) < 0.25, found["name"]


def test_the_preparation_keeps_the_shape_and_the_plain_image_does_not_move():
    tall = drawing.mnist_image(STICK, 18)
    cols = np.flatnonzero(tall.sum(axis=0))
    assert len(cols) <= 4  # a stick stays a stick: not stretched to 20 wide
    plain = drawing.plain_image([[[10, 10], [30, 30]]], 18, 280)
    assert plain[:5, :5].sum() > 0 and plain[10:].sum() == 0  # top left


def test_the_same_strokes_give_the_same_image_wherever_they_are_drawn():
    moved = [[[x / 2 + 7, y / 2 + 100] for x, y in s] for s in STICK]
    a = drawing.mnist_image(STICK, 18)
    b = drawing.mnist_image(moved, 9)  # half the size, half the pen
    assert np.abs(a - b).mean() < 2


def test_strokes_that_make_no_image_are_a_clear_error():
    with pytest.raises(drawing.DrawingError, match="draw a digit first"):
        drawing.mnist_image([], 18)
    with pytest.raises(drawing.DrawingError, match="not a number"):
        drawing.mnist_image([[[1, float("nan")], [2, 3]]], 18)


def test_the_drawings_cover_every_digit_and_the_hard_cases():
    found = drawing.drawings()
    labels = [d["label"] for d in found["drawings"]]
    assert all(labels.count(digit) >= 3 for digit in range(10))
    names = " ".join(d["name"] for d in found["drawings"])
    for case in ("European", "flag", "thin", "bold", "corner"):
        assert case in names
    assert drawing.images(found).shape == (len(labels), 28, 28, 1)


def test_the_shift_layer_moves_images_as_the_numpy_shift_does():
    images = np.random.default_rng(0).random((3, 28, 28, 1), "float32")
    for right, down in shifts.VIEWS + ((2, -3),):
        layer = shifts.shift_layer()(right, down)
        import keras

        got = keras.ops.convert_to_numpy(layer(images))
        np.testing.assert_array_equal(got, shifts.shift(images, right, down))


def _tiny(seed):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((28, 28, 1)),
                             keras.layers.Conv2D(2, 3, activation="relu"),
                             keras.layers.Flatten(),
                             keras.layers.Dense(10, activation="softmax")])


def test_an_ensemble_answers_as_its_members_averaged(tmp_path):
    a, b = _tiny(1), _tiny(2)
    x = np.random.default_rng(1).random((5, 28, 28, 1), "float32") * 255
    views = [shifts.predict_views(m, x) for m in (a, b)]
    model = shifts.ensemble([a, b], views=shifts.VIEWS, votes=[2, 1])
    expected = (2 * views[0] + views[1]) / 3
    np.testing.assert_allclose(model.predict(x, verbose=0), expected,
                               atol=1e-6)
    saved.keep(model, tmp_path, "12_averaging")
    again = saved.load(tmp_path, "12_averaging")
    np.testing.assert_allclose(again.predict(x, verbose=0), expected,
                               atol=1e-6)


def test_a_kept_network_has_the_same_bytes_when_kept_again(tmp_path):
    import keras

    model = _tiny(3)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    first = saved.keep(model, tmp_path, "05_convolutions").read_bytes()
    second = saved.keep(model, tmp_path, "05_convolutions").read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    loaded = saved.load(tmp_path, "05_convolutions")
    assert getattr(loaded, "optimizer", None) is None  # only what answers
    assert keras.ops.convert_to_numpy(loaded.weights[0]).shape == (3, 3, 1, 2)


def test_a_network_not_kept_names_the_command_that_keeps_it(tmp_path):
    with pytest.raises(saved.ModelMissing, match="make talk ARGS='--stages 07'"):
        saved.load(tmp_path, "07_vgg")


def test_the_onnx_export_answers_as_keras_and_is_the_same_twice(tmp_path):
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("the ONNX export runs on TensorFlow (make models)")
    import onnxruntime

    from mnist_series import export
    from mnist_talk import models

    keras.utils.set_random_seed(4)
    network = models.vgg(33.3, 78.6, batch_norm=True,
                         filters=(2, 2, 2, 2), dense=8)
    saved.keep(shifts.ensemble([network, _tiny(5)], views=shifts.VIEWS),
               tmp_path, "12_averaging")
    first = export.export(tmp_path, "12_averaging").read_bytes()
    second = export.export(tmp_path, "12_averaging").read_bytes()
    assert first == second
    x = np.random.default_rng(2).random((7, 28, 28, 1), "float32") * 255
    session = onnxruntime.InferenceSession(first)
    assert [i.name for i in session.get_inputs()] == [export.INPUT]
    got = session.run([export.OUTPUT], {export.INPUT: x})[0]
    want = saved.load(tmp_path, "12_averaging").predict(x, verbose=0)
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_every_kept_network_was_exported_and_answers_as_keras():
    from mnist_series import export
    from mnist_talk.files import RESULTS, read_json

    folder = RESULTS / saved.FOLDER
    kept = sorted(p.stem for p in folder.glob("*.keras"))
    assert len(kept) == 13, "a full run keeps every stage's network"
    summary = read_json(folder / export.SUMMARY)
    for stage in kept:
        assert (folder / f"{stage}.onnx").is_file()
        found = summary[stage]
        assert found["same_class"] == found["images"] == 10_000, stage
        # stage 01 works on raw pixels: its logits run to the thousands
        assert found["largest_difference"] < 1e-3, stage
        assert found["onnx_bytes"] == (folder / f"{stage}.onnx").stat().st_size


@pytest.mark.skipif(os.environ.get("MNIST_TALK_TRAIN_LIVE") != "1",
                    reason="the second tier (make test-live): 100,000 "
                    "images through stage 12's networks")
def test_the_kept_stage_12_ensemble_gives_the_committed_predictions():
    from mnist_talk import data, results
    from mnist_talk.files import RESULTS

    images = data.prepare().x_test.astype("float32")
    found = saved.load(RESULTS, "12_averaging").predict(
        images, batch_size=500, verbose=0)
    committed = results.load_predictions(RESULTS, "12_averaging")
    assert (found.argmax(1) == committed.argmax(1)).all()
    assert np.abs(found - committed).max() < 1e-5
