"""`make backends`: seconds per epoch on each Keras backend, side by side.

    python -m mnist_series.backends [--backends tensorflow jax torch]
                                  [--images 12000] [--device cpu]

For each backend it runs `python -m mnist_series.backends --time` in that
backend's venv (`.venv`, `.venv-jax`, `.venv-torch`, made by `make venv
BACKEND=...`; `-pyX.Y` is added under Pythons other than 3.11), one fresh
process each, with `KERAS_BACKEND` set. That process trains, batch 128,
three epochs of `--images` training images:

- dense: stage 04's network (three ReLU layers of 200);
- VGG: stage 09's network (batch normalization, dropout), no augmentation;
- augmented: stage 10's, the same with `augment.RandomAffine` first;

and keeps the median of epochs 2 and 3 (the first one also compiles).
Everything goes to `results/backends.json`; `python -m mnist_series.report`
writes the table in docs/backends.md from it. A backend without a venv is
reported as skipped, not guessed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from mnist_talk import data, devices, live, models, session
from mnist_talk.files import RESULTS, ROOT, write_json

from . import lock, records

BACKENDS = lock.BACKENDS
FILE = records.BACKENDS_FILE
EPOCHS = 3
BATCH = 128


def venv_python(backend: str) -> Path:
    """The interpreter of `backend`'s venv for this Python (which may not
    exist yet): `.venv-jax`, or `.venv-jax-py3.13` under Python 3.13."""
    return ROOT / lock.venv_name(backend, lock.PYTHON) / "bin" / "python"


def _time(images: int, device: str) -> dict:
    """Seconds per epoch of each model on the backend this process runs."""
    where = devices.use_device(device)
    import keras

    mnist = data.prepare()
    x, y = mnist.x_train[:images], mnist.y_train_hot[:images]
    builds = {
        "dense": lambda: models.deeper(mnist.mean, mnist.std),
        "vgg": lambda: models.vgg(mnist.mean, mnist.std, batch_norm=True,
                                  dropout=models.TALK_DROPOUT),
        "augmented": lambda: models.vgg(
            mnist.mean, mnist.std, batch_norm=True,
            dropout=models.TALK_DROPOUT,
            augmentation=models.augmentation(seed=1)),
    }
    found = {}
    for name, build in builds.items():
        session.seed_everything(1)
        model = build()
        model.compile(optimizer="adam", loss="categorical_crossentropy",
                      metrics=["accuracy"])
        clock = live.epoch_clock()
        model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, verbose=0,
                  callbacks=[clock])
        seconds = clock.seconds
        found[name] = {"epoch_seconds": [round(s, 2) for s in seconds],
                       "seconds_per_epoch": round(
                           statistics.median(seconds[1:]), 2),
                       "compiled": bool(getattr(model, "jit_compile",
                                                False))}
        print(f"  {keras.backend.backend()}: {name} "
              f"{found[name]['seconds_per_epoch']} s per epoch of "
              f"{images:,} images", file=sys.stderr, flush=True)
    return {"device": where, "versions": session.versions(),
            "images": images, "batch_size": BATCH, "models": found}


def conv_costs(device: str = "cpu", repeats: int = 20) -> dict:
    """Milliseconds of one 3×3 convolution layer, 32 to 32 channels on a
    batch of 128 images of 28×28, forward only (`predict_on_batch`) and
    forward, backward and update (`train_on_batch`), on the backend this
    process runs: where a backend's VGG epochs go (`--conv`)."""
    where = devices.use_device(device)  # before the backend starts
    import keras

    x = np.random.default_rng(0).normal(size=(128, 28, 28, 32)).astype(
        "float32")
    model = keras.Sequential([keras.Input((28, 28, 32)),
                              keras.layers.Conv2D(32, 3, padding="same")])
    model.compile(optimizer="sgd", loss="mse")
    found = {"device": where, "backend": keras.backend.backend()}
    for name, step in (("forward_ms", lambda: model.predict_on_batch(x)),
                       ("train_step_ms",
                        lambda: model.train_on_batch(x, x))):
        step()  # compiles
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        found[name] = round(1000 * statistics.median(times), 1)
    found["train_over_forward"] = round(
        found["train_step_ms"] / found["forward_ms"], 1)
    return found


def run(backends, images: int = 12_000, device: str = "cpu") -> dict:
    """Time every backend in its own venv; return what the file holds."""
    record = {"finished": None, "images": images, "batch_size": BATCH,
              "epochs": EPOCHS, "backends": {}}
    for backend in backends:
        python = venv_python(backend)
        if not python.exists():
            record["backends"][backend] = {
                "skipped": f"no venv: run `make venv BACKEND={backend}`"}
            print(f"{backend}: skipped, {python} does not exist "
                  f"(make venv BACKEND={backend})", flush=True)
            continue
        print(f"{backend}: timing in {python.parent.parent.name}",
              flush=True)
        done = subprocess.run(
            [str(python), "-m", "mnist_series.backends", "--time",
             "--images", str(images), "--device", device],
            env={**os.environ, "KERAS_BACKEND": backend}, cwd=ROOT,
            stdout=subprocess.PIPE, text=True)
        if done.returncode:
            raise SystemExit(f"error: timing {backend} failed "
                             f"(exit {done.returncode}); see above")
        record["backends"][backend] = json.loads(
            done.stdout.strip().splitlines()[-1])
    record["finished"] = _dt.datetime.now(_dt.timezone.utc).isoformat(
        timespec="seconds")
    return record


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mnist_series.backends",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", nargs="+", default=list(BACKENDS),
                    choices=BACKENDS)
    ap.add_argument("--images", type=int, default=12_000)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--time", action="store_true",
                    help="time the backend of this process; print JSON")
    ap.add_argument("--conv", action="store_true",
                    help="time one convolution layer's forward pass and "
                    "training step on the backend of this process")
    ap.add_argument("--out", type=Path, default=RESULTS / FILE)
    args = ap.parse_args(argv)
    if not 1_000 <= args.images <= 60_000:
        ap.error(f"--images {args.images}: use 1000 to 60000")
    if args.time:
        print(json.dumps(_time(args.images, args.device)))
        return 0
    if args.conv:
        print(json.dumps(conv_costs(args.device)))
        return 0
    record = run(args.backends, args.images, args.device)
    write_json(args.out, record)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
