"""Start a stage and record how it ended (stage 01).

`start()` checks the parameters, picks the device, seeds every random
generator and returns a `Run`; `Run.progress()` is the Keras callback that
prints one line per epoch; `Run.finish()` checks the accuracy floor and
writes the results JSON.
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
import time

from . import devices, params, results, stages


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
    """The versions that produced a result (stage 01)."""
    import keras
    import numpy

    found = {"python": platform.python_version(), "keras": keras.__version__,
             "numpy": numpy.__version__}
    backend = keras.backend.backend()
    module = sys.modules.get(devices._BACKEND_MODULES.get(backend, ""))
    found[backend] = getattr(module, "__version__", "unknown")
    return found


class Result(dict):
    """A results record that shows itself as one line in a notebook."""

    def _repr_markdown_(self):
        return (f"**{self['test_accuracy']:.2%}** test accuracy · "
                f"{self['epochs']} epochs · {self['train_seconds']:.0f} s of "
                f"training on {self['device']} · {self['params']:,} parameters")


class Run:
    """One execution of one stage: its parameters, device and timings."""

    def __init__(self, stage_id: str, config: dict, device: str):
        self.stage = stages.get(stage_id)
        self.config = config
        self.device = device
        self.train_seconds = 0.0
        self.epochs_run = 0

    def __repr__(self):
        c = self.config
        return (f"stage {self.stage.id} on {self.device}: {c['epochs']} "
                f"epoch(s), {c['train_size']:,} training images, batch "
                f"{c['batch_size']}, seed {c['seed']}")

    def progress(self):
        """A Keras callback: one line per epoch, and the training time."""
        import keras

        run = self

        class EpochLine(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.t0 = self.t_epoch = time.perf_counter()

            def on_epoch_begin(self, epoch, logs=None):
                self.t_epoch = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                logs, now = logs or {}, time.perf_counter()
                total = self.params.get("epochs") or epoch + 1
                done = now - self.t0
                eta = done / (epoch + 1) * (total - epoch - 1)
                parts = [f"epoch {epoch + 1:>2}/{total}"]
                for key, label in (("loss", "loss"), ("accuracy", "acc"),
                                   ("val_accuracy", "test acc")):
                    if key in logs:
                        v = float(logs[key])
                        parts.append(f"{label} {v:.4f}" if key == "loss"
                                     else f"{label} {v:.2%}")
                parts.append(f"{now - self.t_epoch:.1f} s")
                if eta >= 0.5:
                    parts.append(f"eta {eta:.0f} s")
                print(" · ".join(parts), flush=True)
                run.epochs_run += 1

            def on_train_end(self, logs=None):
                run.train_seconds += time.perf_counter() - self.t0

        return EpochLine()

    def fit(self, model, mnist, x=None, y=None, **kwargs):
        """`model.fit` with this run's settings (stage 02 onwards).

        Fits on the first `train_size` training images for `epochs` epochs
        of `batch_size`, measures test accuracy after every epoch as the
        talk does (for watching only: nothing is chosen by it), and prints
        one line per epoch. `x` and `y` replace the training images and
        one-hot labels (stage 13 mixes in pseudo-labels); `kwargs` go to
        `model.fit`.
        """
        n, c = self.config["train_size"], self.config
        kwargs = {"epochs": c["epochs"], "batch_size": c["batch_size"],
                  **kwargs}
        if x is None:
            x, y = mnist.x_train[:n], mnist.y_train_hot[:n]
        return model.fit(x, y,
                         validation_data=(mnist.x_test, mnist.y_test_hot),
                         verbose=0, callbacks=[self.progress()], **kwargs)

    def evaluate(self, model, mnist) -> float:
        """Test accuracy of `model` on the 10,000 test images (stage 02)."""
        return float(model.evaluate(mnist.x_test, mnist.y_test_hot,
                                    verbose=0)[1])

    def finish(self, test_accuracy: float, params: int, **extra) -> dict:
        """Record the result and assert the stage's accuracy floor."""
        record = Result({
            "stage": self.stage.id,
            "title": self.stage.title,
            "test_accuracy": round(float(test_accuracy), 6),
            "talk_accuracy": self.stage.talk_accuracy,
            "params": int(params),
            "epochs": self.epochs_run,
            "train_seconds": round(self.train_seconds, 1),
            "device": self.device,
            "versions": versions(),
            "parameters": self.config,
            "finished": _dt.datetime.now(_dt.timezone.utc)
                        .isoformat(timespec="seconds"),
            **extra,
        })
        results.save(self.config["results_dir"], record)
        results.check_floor(record["test_accuracy"],
                            self.config["accuracy_floor"])
        return record


def start(stage_id: str, **config) -> Run:
    """Check parameters, choose the device, seed; then return a `Run`.

    Introduced in stage 01; every stage starts with it.
    """
    stages.get(stage_id)
    config = params.check(**config)
    device = devices.use_device(config["device"])
    seed_everything(config["seed"])
    return Run(stage_id, config, device)
