"""Start a stage and record how it ended (stage 01).

`start()` checks the parameters, picks the device, seeds every random
generator and returns a `Run`; `Run.live()` is the Keras callback that
draws the training as it goes (`live.Board`) and times it; `Run.finish()`
checks the accuracy floor, writes the results JSON and keeps the network
(`saved`).
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys

import numpy

from . import devices, installed, live, params, results, saved, stages


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the backend, and make its ops deterministic.

    Introduced in stage 01: the same seed on the same CPU gives the same
    numbers.
    """
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def member_seed(seed: int, member: int, group: int = 0) -> int:
    """The seed of ensemble member `member` (counting from 0) (stage 12).

    Distinct for every run seed, group (0: stage 12's members, 1: stage
    13's students) and member, so that two runs with different seeds share
    no network: `seed + member` would make seeds 1 and 2 share all but one.
    """
    # group < 10 and member < params.MAX_MEMBERS keep the seeds apart
    return 10 * params.MAX_MEMBERS * seed + params.MAX_MEMBERS * group + member


def versions() -> dict:
    """The versions that produced a result (stage 01), and the lock they
    were installed from (`tensorflow-py3.11.txt`), with any package that
    differs from it."""
    import keras

    found = {"python": platform.python_version(), "keras": keras.__version__,
             "numpy": numpy.__version__}
    backend = keras.backend.backend()  # its module has the same name
    found[backend] = getattr(sys.modules.get(backend), "__version__",
                             "unknown")
    found["lock"] = installed.describe(backend)
    return found


class Run:
    """One execution of one stage: its parameters, device and timings."""

    def __init__(self, stage_id: str, config: dict, device: str):
        self.stage = stages.get(stage_id)
        self.config = config
        self.device = device
        self.board: live.Board | None = None

    def __repr__(self):
        c = self.config
        return (f"stage {self.stage.id} on {self.device}: {c['epochs']} "
                f"epoch(s), {c['train_size']:,} training images, batch "
                f"{c['batch_size']}, seed {c['seed']}")

    def live(self, label: str = "", runs: int = 1):
        """The callback that draws this run's training live (stage 01).

        Pass it to `model.fit(..., callbacks=[run.live()])`. The first call
        makes the run's `live.Board`; an ensemble's members call it once
        each, with a label and `runs=members`, and share its figure.
        """
        if self.board is None:
            full = results.full_run(self.stage.id,
                                    results.settings(self.config),
                                    self.device, devices.backend_name())
            self.board = live.Board(
                self.config["epochs"], runs, self.stage.talk_accuracy,
                full_run=full,
                spread=results.spread(self.stage.id) if full else None)
        return self.board.callback(label)

    def phase(self, what: str, steps: int = 1):
        """Show a step after a training on the status line (stage 12).

        `with run.phase("predicting the test images", steps=6) as step:`
        shows `what` and `step()` counts each of its `steps` done; the
        time left counts the phases of the trainings still to come.
        """
        if self.board is None:
            raise RuntimeError("run.phase() comes after run.live()")
        return self.board.phase(what, steps)

    @property
    def train_seconds(self) -> float:
        return self.board.train_seconds if self.board else 0.0

    @property
    def epochs_run(self) -> int:
        return self.board.epochs_run if self.board else 0

    @property
    def history(self) -> dict:
        """Each training's metrics per epoch, by label, rounded to 6 digits.

        Recorded with the result, so that what a notebook says about its
        curves can be checked against the run (tests/test_claims.py).
        """
        if self.board is None:
            return {}
        return {label: {key: [round(v, 6) for v in values]
                        for key, values in h.items()}
                for label, h in self.board.histories.items()}

    def finish(self, test_accuracy: float, parameter_count: int,
               model=None, **extra) -> results.Record:
        """Record the result and assert the stage's accuracy floor.

        `parameter_count` counts the weights of every network the result
        uses; `model`, the network that gave the result, is kept in
        `<results_dir>/models/` (`saved.keep`); `extra` holds the stage's
        own figures (`Record.extra`).
        """
        import keras  # started by now: `start` chose the device

        networks = self.board.runs if self.board else 1
        record = results.Record(
            stage=self.stage.id,
            title=self.stage.title,
            test_accuracy=round(float(test_accuracy), 6),
            talk_accuracy=self.stage.talk_accuracy,
            parameter_count=int(parameter_count),
            epochs=self.epochs_run // networks,
            networks_trained=networks,
            train_seconds=round(self.train_seconds, 1),
            device=self.device,
            backend=keras.backend.backend(),
            versions=versions(),
            parameters=self.config,
            finished=_dt.datetime.now(_dt.timezone.utc)
                     .isoformat(timespec="seconds"),
            history=self.history,
            extra=extra,
        )
        results.save(self.config["results_dir"], record)
        if model is not None:
            saved.keep(model, self.config["results_dir"], self.stage.id)
        record.full_run = results.full_run(self.stage.id, record.settings,
                                           record.device, record.backend)
        record.spread = (results.spread(self.stage.id)
                         if record.full_run else None)
        results.check_floor(record.test_accuracy,
                            self.config["accuracy_floor"])
        self.record = record
        return record

    def add(self, **extra) -> results.Record:
        """Add figures measured after `finish` to the recorded result.

        For an experiment beside the stage's own model (stage 01's run with
        Keras 1's loss), so the claims test can read its numbers too.
        """
        if getattr(self, "record", None) is None:
            raise RuntimeError("run.add() comes after run.finish()")
        self.record.extra.update(extra)
        results.save(self.config["results_dir"], self.record)
        return self.record


class Practice:
    """The settings of a solutions notebook, checked, with its device on."""

    def __init__(self, stage_id: str, config: dict, device: str):
        self.stage, self.config = stages.get(stage_id), config
        self.device = device

    def __repr__(self):
        c = self.config
        return (f"solutions of stage {self.stage.id} on {self.device}: "
                f"{c['epochs']} epoch(s), {c['train_size']:,} training "
                f"images to fit, {c['validation_size']:,} held out to "
                f"compare on, seed {c['seed']}")


def practise(stage_id: str, **config) -> Practice:
    """`start` for the solutions notebooks: check the parameters, choose
    the device, seed. Nothing is recorded in `results/`."""
    stages.get(stage_id)
    config = params.check_practice(**config)
    device = devices.use_device(config["device"])
    seed_everything(config["seed"])
    return Practice(stage_id, config, device)


def start(stage_id: str, **config) -> Run:
    """Check parameters, choose the device, seed; then return a `Run`.

    Introduced in stage 01; every stage starts with it.
    """
    stages.get(stage_id)
    config = params.check(**config)
    device = devices.use_device(config["device"])
    seed_everything(config["seed"])
    return Run(stage_id, config, device)
