"""The helpers that compute what a notebook's prose cites (mnist_talk.evidence),
the ensemble tables of stages 12-13, and stage 01's nudge experiment."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_talk import demos, ensembles, evidence, results


def _history(loss, val):
    return {"loss": loss, "accuracy": [v - 0.01 for v in val],
            "val_accuracy": val}


def test_falls_and_largest_move():
    assert evidence.falls([5, 4, 4.5, 3]) == 2
    assert evidence.falls([1]) == 0
    assert evidence.largest_move([0.9, 0.95, 0.93]) == pytest.approx(0.05)
    assert evidence.largest_move([0.9]) == 0.0


def test_curves_reads_a_history_or_a_recorded_run():
    h = _history([2.0, 1.0, 1.5], [0.90, 0.95, 0.93])
    text = evidence.curves(h)
    assert "falling in 1 of 2 epochs" in text
    assert "90.00% to 95.00%" in text and "5.00 points" in text
    assert evidence.curves({"run 1": h}) == text
    with pytest.raises(ValueError, match="one training"):
        evidence.curves({"a": h, "b": h})


def test_versus_compares_two_recorded_stages(tmp_path, record):
    for sid, acc, params, seconds in (("04_deeper", 0.9765, 239_410, 30.0),
                                      ("05_convolutions", 0.9803, 55_856,
                                       50.0)):
        results.save(tmp_path, record(sid, test_accuracy=acc,
                                      parameter_count=params, epochs=5,
                                      train_seconds=seconds))
    text = evidence.versus(tmp_path, "04_deeper", "05_convolutions")
    assert "test errors 235 → 197" in text
    assert "(0.23×)" in text and "6.0 → 10.0 s per epoch" in text
    assert evidence.versus(tmp_path, "04_deeper", "06_max_pooling") is None


def test_talk_log_says_where_the_headline_sits():
    assert "headline above every epoch" in evidence.talk_log("01_linear")
    eleven = evidence.talk_log("11_annealing")
    assert "on 10's model" in eleven and "own run ended at 99.12%" in eleven
    assert "no log" in evidence.talk_log("12_averaging")


def test_dips_names_the_epochs_that_fell():
    text = ensembles.dips({"a": {"accuracy": [0.5, 0.6, 0.55, 0.54, 0.7]},
                          "b": {"accuracy": [0.1, 0.2]}})
    assert text.endswith("a: epochs 3, 4")
    assert "never fell" in ensembles.dips({"b": {"accuracy": [0.1, 0.2]}})


def _members(errors_per_member, n=100, seed=0):
    """Probabilities of members that each get given images wrong."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    members = []
    for wrong in errors_per_member:
        p = np.full((n, 10), 0.01)
        p[np.arange(n), labels] = 0.91
        for i in wrong:
            p[i] = 0.01
            p[i, (labels[i] + 1) % 10] = 0.91
        members.append(p)
    return np.array(members), labels


def test_ensemble_sizes_counts_every_subset():
    members, labels = _members([[0, 1], [1, 2], [3]])
    sizes = ensembles.ensemble_sizes(members, labels)
    assert sizes[1] == [1, 2, 2]
    assert sizes[2] == [0, 0, 1]  # image 1 is wrong in two of three
    assert sizes[3] == [1]
    table = repr(ensembles.ensemble_sizes_table(members, labels))
    assert "saved by the last member" in table


def test_equal_size_table_pairs_sizes_of_both_groups():
    teachers, labels = _members([[0, 1], [1, 2], [3]])
    students, _ = _members([[0], [5]])
    rows = ensembles.equal_size_table(teachers, students, labels).rows
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][1] == "2 (1 to 2)" and rows[0][2] == "1 (1 to 1)"
    assert rows[0][3] == "+1 (+50%)"


def test_predictions_keep_their_members(tmp_path):
    members, _ = _members([[0], [1]])
    results.save_predictions(tmp_path, "12_averaging", members.mean(axis=0),
                             members=members)
    back = results.load_predictions(tmp_path, "12_averaging", members=True)
    assert back.shape == members.shape
    results.save_predictions(tmp_path, "12_averaging", members.mean(axis=0))
    with pytest.raises(KeyError, match="run that notebook again"):
        results.load_predictions(tmp_path, "12_averaging", members=True)


def test_a_clipped_loss_does_not_move_at_the_floor():
    """Stage 01's experiment on a tiny model: where the true digit's
    probability is clipped, nudging the weights leaves the loss unchanged."""
    import keras

    def clipped(y_true, y_pred):
        p = keras.ops.clip(y_pred, 1e-7, 1 - 1e-7)
        return -keras.ops.sum(y_true * keras.ops.log(p), axis=-1)

    model = keras.Sequential([keras.Input((2,)),
                              keras.layers.Dense(2, activation="softmax")])
    model.set_weights([np.array([[1.0, -1.0], [0.0, 0.0]], "float32"),
                       np.zeros(2, "float32")])
    x = np.array([[40.0, 0.0], [0.1, 0.0]], "float32")  # saturated, not
    y = np.array([[0.0, 1.0], [0.0, 1.0]], "float32")
    moved = demos.loss_moves_when_nudged(model, clipped, x, y, scale=1e-4)
    assert moved.tolist() == [False, True]
    assert np.array_equal(model.get_weights()[0],
                          [[1.0, -1.0], [0.0, 0.0]])  # weights put back
