"""Training watched live (`live.Board`) and the compact model summary."""

import numpy as np
import pytest

from mnist_series import terminal
from mnist_talk import live, models, plots


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
    assert "acc" not in final  # the curves show each member's


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

    with terminal.epoch_lines():
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


def test_the_phase_after_each_training_is_on_the_line_and_in_the_time_left(
        monkeypatch):
    """Stage 12 predicts after each member: the line says so with its own
    progress, "trained" comes only after the last phase, and the time left
    counts the phases still to come."""
    shown = []
    board = live.Board(epochs=2, runs=2)
    monkeypatch.setattr(board, "_show", lambda line, draw: shown.append(line))
    now = [0.0]
    monkeypatch.setattr(live.time, "perf_counter", lambda: now[0])
    for member in (1, 2):
        label = f"member {member}"
        board.histories[label] = {"val_accuracy": [0.9, 0.95]}
        board.epochs_run += 2
        board.train_seconds += 40.0
        board._show(board._line(label, None, more=board.phases_run > 0),
                    draw=False)
        with board.phase("predicting the test images", steps=3) as step:
            for _ in range(3):
                now[0] += 10  # each prediction takes 10 s
                step()
    # member 1's phase: 0 of 3, then 1 of 3 after 10 s, each step 10 s
    assert shown[1] == "member 1, 1 of 2 · predicting the test images: " \
        "0 of 3 · 40 s so far"
    assert shown[2].startswith("member 1, 1 of 2 · predicting the test "
                               "images: 1 of 3 · 50 s so far · about ")
    # member 1's first step left: 2 more steps (20 s) + 2 epochs (40 s)
    assert shown[2].endswith("about 60 s left")
    # after member 2's training, not yet "trained": its phase is to come
    after_training = shown[6]
    assert after_training.startswith("member 2, 2 of 2 · done · ")
    assert "left" in after_training
    assert not any(s.startswith("trained") for s in shown[:-1])
    assert shown[-1] == "trained 2 × 2 epochs in 80 s (+ 60 s predicting)"
    assert board.phases_run == 2


def test_a_run_at_other_settings_is_shown_beside_the_committed_one():
    """A live or smoke run names the committed full run beside its own
    result; a run at the committed settings does not."""
    from mnist_talk import files, results

    full = results.load(files.RESULTS, "10_augmentation")
    assert results.full_run("10_augmentation", full.settings) is None
    other = {**full.settings, "epochs": 2}
    assert results.full_run("10_augmentation", other) == full
    board = live.Board(epochs=2, full_run=full)
    board.histories["run 1"] = {"val_accuracy": [0.9, 0.95]}
    board.epochs_run, board.train_seconds = 2, 20.0
    line = board._line("run 1", None)
    assert line.endswith(f"full run {full.test_accuracy:.2%}")


def test_a_student_sees_how_far_apart_the_full_runs_seeds_land():
    """Beside the committed full run, the status line gives where its
    seeds landed (`results.spread`, from the committed seeds' records):
    how far a student's run on other hardware may land from it."""
    from mnist_talk import files, results

    full = results.load(files.RESULTS, "01_linear")
    spread = results.spread("01_linear")
    board = live.Board(epochs=2, full_run=full, spread=spread)
    board.histories["run 1"] = {"val_accuracy": [0.85, 0.88]}
    board.epochs_run, board.train_seconds = 2, 20.0
    line = board._line("run 1", None)
    assert line.endswith(f"full run {full.test_accuracy:.2%} (seeds "
                         f"{spread.low:.2%} to {spread.high:.2%})")


def test_an_ensembles_last_line_fits_one_line_of_a_slide():
    """The line a training ends on stays on one line of a 1280x720 slide
    (about 125 characters of the notebook's text), at its longest: an
    ensemble, times in minutes, a phase, and the committed run's seeds."""
    from mnist_talk import files, results

    full = results.load(files.RESULTS, "12_averaging")
    board = live.Board(epochs=30, runs=5, talk_accuracy=0.995,
                       full_run=full, spread=results.Spread(0.9964, 0.9969, 3))
    for member in range(1, 6):
        board.histories[f"member {member}"] = {"accuracy": [0.99871],
                                               "val_accuracy": [0.99654]}
    board.train_seconds, board.epochs_run = 5999.0, 150
    board.phase_seconds, board.phases_run = 599.0, 5
    board._phase = "predicting the test images"
    final = board._line("member 5", None)
    assert final.startswith("trained 5 × 30 epochs in 100.0 min (+ 10.0 min")
    assert "acc" not in final.split(" · full run")[0]
    assert len(final) <= 115, final
