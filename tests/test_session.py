import json

import numpy as np
import pytest

from mnist_talk import results, session


def _train_tiny(seed):
    import keras

    session.seed_everything(seed)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 20)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((20,)),
                              keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.3),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    return np.concatenate([w.ravel() for w in model.get_weights()])


def test_same_seed_same_numbers_other_seed_other_numbers():
    a, b, c = _train_tiny(7), _train_tiny(7), _train_tiny(8)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_results_are_written_atomically_and_read_back(tmp_path):
    record = {"stage": "01_linear", "test_accuracy": 0.9}
    target = results.save(tmp_path, record)
    assert json.loads(target.read_text()) == record
    assert results.load(tmp_path, "01_linear") == record
    assert results.load(tmp_path, "02_normalized") is None
    assert [p.name for p in tmp_path.iterdir()] == ["01_linear.json"]


def test_accuracy_floor_fails_below_and_passes_at_or_above():
    results.check_floor(0.9, 0.9)
    with pytest.raises(results.AccuracyError, match="below this stage's floor"):
        results.check_floor(0.8999, 0.9)


def test_ladder_shows_ours_beside_the_talk(tmp_path):
    results.save(tmp_path, {"stage": "01_linear", "test_accuracy": 0.875,
                            "params": 7850, "epochs": 10,
                            "train_seconds": 90})
    table = results.ladder(tmp_path, ["01_linear", "02_normalized"])
    assert table.rows[0][2:] == ["87.50%", "66.37%", "7,850", 10, "1.5"]
    assert table.rows[1][2] == "—"
    assert "| 01 |" in table._repr_markdown_()


def test_a_run_records_everything_a_results_file_promises(tmp_path):
    run = session.Run("01_linear", {"results_dir": str(tmp_path),
                                    "accuracy_floor": 0.5}, "CPU (test)")
    run.train_seconds, run.epochs_run = 12.34, 3
    record = run.finish(0.91234567, 7850)
    saved = results.load(tmp_path, "01_linear")
    assert saved == record
    for key in ("stage", "test_accuracy", "epochs", "train_seconds", "params",
                "device", "versions", "parameters", "finished"):
        assert key in saved
    assert saved["test_accuracy"] == 0.912346 and saved["epochs"] == 3
    assert {"python", "keras", "numpy"} <= set(saved["versions"])


def test_the_readme_ladder_is_generated_from_the_results_files():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    assert results.replace_ladder(readme, root / "results") == readme, (
        "README.md's ladder is out of date: run `make ladder`")


def test_ladder_block_is_required(tmp_path):
    with pytest.raises(ValueError, match="ladder:start"):
        results.replace_ladder("no block here", tmp_path)


def test_members_table_counts_the_errors_averaging_saves(tmp_path):
    labels = np.array([0, 1, 2, 3])
    a = np.eye(4, 10)[[0, 1, 2, 0]]  # wrong on the last image
    b = np.eye(4, 10)[[0, 1, 1, 3]]  # wrong on the third
    average = (a + b) / 2
    assert results.accuracy(a, labels) == 0.75
    table = results.members_table([a, b], average + np.eye(4, 10) * 0.01,
                                  labels)
    assert [r[2] for r in table.rows] == [1, 1, 0]
    assert table.rows[-1][3].startswith("100% fewer")
    target = results.save_predictions(tmp_path, "12_averaging", average)
    assert target.name == "12_averaging_predictions.npz"
    assert np.allclose(results.load_predictions(tmp_path, "12_averaging"),
                       average)
    with pytest.raises(FileNotFoundError, match="run notebook 12_averaging"):
        results.load_predictions(tmp_path / "empty", "12_averaging")
