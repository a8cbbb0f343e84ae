import numpy as np

from mnist_talk import installed, live, results, session


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


def test_a_run_records_everything_a_results_file_promises(tmp_path):
    run = session.Run("01_linear", {"results_dir": str(tmp_path),
                                    "accuracy_floor": 0.5}, "CPU (test)")
    run.board = live.Board(epochs=3)
    run.board.train_seconds, run.board.epochs_run = 12.34, 3
    record = run.finish(0.91234567, 7850, note="kept")
    saved = results.load(tmp_path, "01_linear")
    assert saved == record
    assert saved.test_accuracy == 0.912346 and saved.epochs == 3
    assert saved.networks_trained == 1 and saved.parameter_count == 7850
    assert saved.extra == {"note": "kept"} and saved.backend in installed.BACKENDS
    assert saved.device == "CPU (test)" and saved.finished
    assert {"python", "keras", "numpy"} <= set(saved.versions)
    # the lock the venv was installed from, and nothing that differs
    assert saved.versions["lock"] == installed.describe()
    assert saved.versions["lock"].startswith(
        ("tensorflow-", "jax-", "torch-", "none"))
    assert "**91.23%** test accuracy · 3 epochs" in saved._repr_markdown_()
    run.add(later=1)
    assert results.load(tmp_path, "01_linear").extra == {"note": "kept",
                                                         "later": 1}


def test_an_ensemble_records_its_epochs_per_network(tmp_path):
    run = session.Run("12_averaging", {"results_dir": str(tmp_path),
                                       "accuracy_floor": 0.5}, "CPU (test)")
    run.board = live.Board(epochs=20, runs=5)
    run.board.train_seconds, run.board.epochs_run = 500.0, 100
    record = run.finish(0.99, 5 * 1000)
    assert (record.epochs, record.networks_trained) == (20, 5)
    assert record.epochs_text == "5 × 20" and record.seconds_per_epoch == 5
