"""Training watched live: the learning curves redrawn after every epoch.

Introduced in stage 01. `Board` hands out Keras callbacks. In a notebook
it shows one status line (epoch k of N, time spent, time left) and one
figure (`plots.draw_curves`), and replaces both after each epoch, so a
training cell fits a slide however long it trains, and the saved notebook
keeps the final line and figure. The members of an ensemble share one
board: each adds its curves to the same figure.

Every epoch's line also goes to the file named by `$MNIST_TALK_EPOCH_LOG`
when it is set (the series runner sets it and prints the file as it grows,
so the terminal of `make talk` shows each epoch), and to standard output
when no notebook is watching (a script, a test).
"""

from __future__ import annotations

import contextlib
import io
import os
import time

from IPython import get_ipython
from IPython.display import Image, display

from . import plots

#: The variable that names the file every epoch's line is appended to.
LOG_VARIABLE = "MNIST_TALK_EPOCH_LOG"


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def epoch_line(epoch: int, epochs: int, logs: dict, seconds: float) -> str:
    """One epoch in one line: `epoch  3/10 · loss 0.1234 · acc 96.10% · …`."""
    parts = [f"epoch {epoch:>2}/{epochs}"]
    for key, label in (("loss", "loss"), ("accuracy", "acc"),
                       ("val_accuracy", "test acc")):
        if key in logs:
            value = float(logs[key])
            parts.append(f"{label} {value:.4f}" if key == "loss"
                         else f"{label} {value:.2%}")
    parts.append(f"{seconds:.1f} s")
    return " · ".join(parts)


def epoch_clock(on_epoch=None, on_begin=None, on_end=None):
    """The one epoch timer: a Keras callback whose `seconds` lists each
    epoch's training seconds (stage 01).

    `on_epoch(clock, epoch, logs)` runs after each epoch is timed,
    `on_begin(clock)` and `on_end(clock)` when training starts and ends.
    The live board draws with it; `make bench` and `make backends` time
    their trainings with it.
    """
    import keras  # only now: the device is chosen before Keras starts

    class EpochClock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []
            if on_begin:
                on_begin(self)

        def on_epoch_begin(self, epoch, logs=None):
            self._started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._started)
            if on_epoch:
                on_epoch(self, epoch, logs or {})

        def on_train_end(self, logs=None):
            if on_end:
                on_end(self)

    return EpochClock()


class Status(str):
    """A line of text that shows as itself, in a notebook and elsewhere."""

    def _repr_markdown_(self):
        return self

    def __repr__(self):
        return str(self)


def _in_notebook() -> bool:
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class Board:
    """Live learning curves and a status line for `runs` trainings.

    `epochs` is each training's length and `runs` how many trainings share
    the board (the members of an ensemble). `train_seconds` and
    `epochs_run` add up over all of them.
    """

    def __init__(self, epochs: int, runs: int = 1,
                 talk_accuracy: float | None = None, full_run=None,
                 spread=None):
        self.epochs, self.runs = epochs, runs
        self.talk_accuracy = talk_accuracy
        self.full_run = full_run  # the committed run, when this one differs
        self.spread = spread  # where its seeds land (`results.Spread`)
        self.histories: dict[str, dict] = {}
        self.train_seconds = 0.0
        self.epochs_run = 0
        self.phase_seconds = 0.0  # steps after a training (`phase`)
        self.phases_run = 0
        self._status = self._figure = None
        self._live = _in_notebook()
        self._log = os.environ.get(LOG_VARIABLE)

    # -- what the board shows -------------------------------------------
    def _emit(self, line: str) -> None:
        if self._log:
            with open(self._log, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        if not self._live:
            print(line, flush=True)

    def _show(self, status: str, draw: bool) -> None:
        if not self._live:
            return
        if self._status is None:
            self._status = display(Status(status), display_id=True)
            self._figure = display(Status("(the learning curves appear "
                                          "after the first epoch)"),
                                   display_id=True)
        else:
            self._status.update(Status(status))
        if draw:
            self._figure.update(Image(data=self.png()))

    def png(self) -> bytes:
        """The current learning curves as a PNG."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=plots.CURVES_SIZE, dpi=100)
        plots.draw_curves(fig, self.histories, self.talk_accuracy,
                          epochs=self.epochs)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()

    # -- the callbacks --------------------------------------------------
    def callback(self, label: str = ""):
        """A Keras callback that records one training onto this board."""
        board = self
        label = label or f"run {len(self.histories) + 1}"

        def begin(clock):
            board.histories[label] = {}
            if board.runs > 1:
                board._emit(f"{label} ({len(board.histories)} of "
                            f"{board.runs})")
            board._show(board._line(label, 0), draw=False)

        def epoch(clock, index, logs):
            for key, value in logs.items():
                board.histories[label].setdefault(key, []).append(
                    float(value))
            board.epochs_run += 1
            board.train_seconds += clock.seconds[-1]
            total = clock.params.get("epochs") or board.epochs
            board._emit(epoch_line(index + 1, total, logs, clock.seconds[-1]))
            board._show(board._line(label, index + 1, logs), draw=True)

        def end(clock):
            # when each training is followed by a phase, the last line
            # waits for the last phase
            more = board.phases_run > 0
            board._show(board._line(label, None, more=more), draw=False)

        return epoch_clock(on_begin=begin, on_epoch=epoch, on_end=end)

    @contextlib.contextmanager
    def phase(self, what: str, steps: int = 1):
        """A step after a training (predicting, averaging), on the status
        line with its own progress; yields `step()`, called as each of its
        `steps` is done. Each training is taken to be followed by one."""
        label = list(self.histories)[-1] if self.histories else ""
        started, done = time.perf_counter(), 0

        def show():
            elapsed = time.perf_counter() - started
            per_step = elapsed / done if done else None
            left = self._left(phases_after=1)
            if per_step is not None and left is not None:
                left += per_step * (steps - done)
            where = (f"{label}, {len(self.histories)} of {self.runs} · "
                     if self.runs > 1 else "")
            line = (f"{where}{what}: {done} of {steps} · "
                    f"{_duration(self._spent() + elapsed)} so far")
            if done and left is not None:
                line += f" · about {_duration(left)} left"
            self._show(line, draw=False)

        def step():
            nonlocal done
            done += 1
            show()

        show()
        yield step
        seconds = time.perf_counter() - started
        self._phase = what
        self.phase_seconds += seconds
        self.phases_run += 1
        self._emit(f"{label + ': ' if label else ''}{what} in "
                   f"{_duration(seconds)}")
        last = len(self.histories) == self.runs and self.phases_run >= self.runs
        self._show(self._line(label, None, more=not last), draw=False)

    def _spent(self) -> float:
        return self.train_seconds + self.phase_seconds

    def _left(self, phases_after: int = 0) -> float | None:
        """Seconds left for the epochs and phases still to come, beyond
        the current phase (`phases_after` = 1 while one runs)."""
        if not self.epochs_run:
            return None
        left = (self.train_seconds / self.epochs_run
                * (self.runs * self.epochs - self.epochs_run))
        if self.phases_run:
            todo = self.runs - self.phases_run - phases_after
            left += self.phase_seconds / self.phases_run * max(todo, 0)
        return left

    def _line(self, label: str, epoch: int | None, logs=None,
              more: bool = False) -> str:
        """The status line: where training is, and how long is left.
        `more`: a training has ended, but a phase follows it."""
        spent = _duration(self._spent())
        where = (f"{label}, {len(self.histories)} of {self.runs} · "
                 if self.runs > 1 else "")
        if epoch is None:  # a training (or the phase after it) has ended
            if len(self.histories) < self.runs or more:
                left = self._left()
                return (f"{where}done · {spent} so far" + (
                    f" · about {_duration(left)} left" if left else ""))
            what = (f"{self.runs} × {self.epochs} epochs" if self.runs > 1
                    else f"{self.epochs_run} epochs")
            h = self.histories[label]
            # an ensemble's accuracy is not a member's: its line names
            # none (the curves show each member's), and stays on one line
            # of a slide
            last = [f"{name} {h[key][-1]:.2%}" for key, name in
                    (("accuracy", "train acc"), ("val_accuracy", "test acc"))
                    if h.get(key) and self.runs == 1]
            done = f"trained {what} in {_duration(self.train_seconds)}"
            if self.phases_run:
                done += (f" (+ {_duration(self.phase_seconds)} "
                         f"{self._phase.split()[0]})")
            if self.full_run is not None:
                seeds = f" ({self.spread})" if self.spread else ""
                last.append(
                    f"full run {self.full_run.test_accuracy:.2%}{seeds}")
            return " · ".join([done] + last)
        if not epoch:
            return f"{where}epoch 0 of {self.epochs} · {spent} so far"
        left = self._left()
        test = (logs or {}).get("val_accuracy")
        acc = f" · test acc {float(test):.2%}" if test is not None else ""
        return (f"{where}epoch {epoch} of {self.epochs}{acc} · {spent} so "
                f"far · about {_duration(left)} left")
