"""Training watched live (`live.Board`) and the compact model summary."""

import numpy as np
import pytest

from mnist_talk import live, models, plots, series


def _tiny_fit(board, label, epochs=2):
    import keras

    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = keras.utils.to_categorical(x[:, 0] > 0, 2)
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0,
              validation_data=(x, y), callbacks=[board.callback(label)])


def test_members_share_one_board_and_every_epoch_is_logged(
        tmp_path, monkeypatch, capsys):
    log = tmp_path / "epochs.log"
    monkeypatch.setenv(live.LOG_VARIABLE, str(log))
    board = live.Board(epochs=2, runs=2, talk_accuracy=0.99)
    _tiny_fit(board, "member 1")
    _tiny_fit(board, "member 2")
    assert list(board.histories) == ["member 1", "member 2"]
    assert all(len(h["val_accuracy"]) == 2 for h in board.histories.values())
    assert board.epochs_run == 4 and board.train_seconds > 0
    lines = log.read_text().splitlines()
    assert lines[0] == "member 1 (1 of 2)"
    assert sum(line.startswith("epoch  ") for line in lines) == 4
    assert "epoch  2/2 · loss" in lines[-1] and "test acc" in lines[-1]
    # no notebook watching: the same lines on standard output
    assert capsys.readouterr().out.splitlines() == lines
    assert board.png().startswith(b"\x89PNG")
    final = board._line("member 2", None)
    assert final.startswith("trained 2 × 2 epochs in ")
    assert "member 2: train acc" in final


def test_the_status_line_says_how_long_is_left():
    board = live.Board(epochs=10)
    board.histories["run 1"] = {}
    board.train_seconds, board.epochs_run = 30.0, 3
    line = board._line("run 1", 3, {"val_accuracy": 0.5})
    assert line == ("epoch 3 of 10 · test acc 50.00% · 30 s so far · "
                    "about 70 s left")


def test_curves_plot_error_on_a_log_scale_with_whole_epochs():
    from matplotlib.figure import Figure

    fig = Figure()
    h = {"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.6, 0.5],
         "accuracy": [0.9, 0.99, 0.995], "val_accuracy": [0.9, 0.985, 0.99]}
    plots.draw_curves(fig, {"": h}, talk_accuracy=0.99)
    left, right = fig.axes
    assert right.get_yscale() == "log" and left.get_yscale() == "linear"
    fig.canvas.draw()
    ticks = [t for t in right.get_xticks() if 1 <= t <= 3]
    assert ticks == [1, 2, 3]
    labels = [t.get_text() for t in right.get_yticklabels()]
    assert "1%" in labels and "0.5%" in labels
    # the talk's figure is a reference line at its error, 1%
    assert any(np.allclose(line.get_ydata(), 1.0) for line in right.lines)


def test_the_runner_prints_each_epoch_line_the_notebook_logs(capsys):
    import os

    with series._epoch_lines():
        with open(os.environ[live.LOG_VARIABLE], "a") as f:
            f.write("epoch  1/1 · loss 0.5\n")
    assert live.LOG_VARIABLE not in os.environ
    assert "    epoch  1/1 · loss 0.5" in capsys.readouterr().out


def test_the_summary_fits_a_slide_and_keeps_every_layer():
    model = models.vgg(0.0, 1.0, batch_norm=True,
                       dropout=models.TALK_DROPOUT,
                       augmentation=models.augmentation(seed=1))
    s = models.summary(model)
    assert len(s.rows) == len(model.layers) > s.SPLIT
    assert s.rows[0] == ("RandomAffine", "28×28×1", 0)
    assert s.rows[2] == ("Conv2D 3×3 ×7, relu", "28×28×7", 70)
    assert sum(p for _, _, p in s.rows) == model.count_params() == 98_774
    html = s._repr_html_()
    assert html.count("<table class='mnist-summary'") == 2  # two halves
    assert "98,564 trained by the optimizer" in html
    text = repr(s)
    assert max(len(line) for line in text.splitlines()) <= 80


@pytest.mark.parametrize("layers, halves", [(2, 1), (13, 2)])
def test_short_models_stay_in_one_table(layers, halves):
    import keras

    model = keras.Sequential([keras.Input((4,))]
                             + [keras.layers.Dense(4) for _ in range(layers)])
    html = models.summary(model)._repr_html_()
    assert html.count("<table class='mnist-summary'") == halves
