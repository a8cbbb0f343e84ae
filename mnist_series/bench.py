"""`make bench`: the series' fastest recipe against a well-known peer.

    python -m mnist_series.bench [--repeats 3] [--device cpu] [--out FILE]

The peer is the keras-io example "Simple MNIST convnet" as published:
Conv32-MaxPool-Conv64-MaxPool-Flatten-Dropout(0.5)-Dense(10), inputs
scaled to [0, 1], Adam, batch 128, 15 epochs, `validation_split=0.1`.
Ours is stage 11's network and schedule without augmentation or dropout
(`quick_vgg`), trained for a few epochs. Both train on the same
54,000 images (the peer's split), in the same process, taking turns seed
by seed.

After every epoch each model is scored on the 10,000 test images; that
scoring is not counted as training time and chooses nothing (every figure
is an epoch's own). Reported, as medians over `--repeats` seeds:

- time to 99.0% test accuracy: training seconds until the first epoch
  that ends at or above 99.0%;
- accuracy at the peer's budget: ours trained for as many epochs as fit in
  the peer's median training time for its 15 epochs, annealed over them;
- the ratios ours / peer of both.

Results go to `results/bench.json`; `make bench` then rewrites the bench
block of docs/benchmark.md from it (`python -m mnist_series.report`), beside the
seconds per epoch of every stage from the last full run's results files.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import statistics
import sys
from pathlib import Path

from mnist_talk import data, devices, live, models, session
from mnist_talk.files import RESULTS, write_json

from . import records

TARGET = 0.99
#: The peer's split: Keras's `validation_split=0.1` holds out the last 10%.
TRAIN = 54_000
PEER_EPOCHS = 15
PEER_BATCH = 128
#: Our recipe: epochs of the time-to-99% run, and its batch.
OURS_EPOCHS = 2
OURS_BATCH = 128


def quick_vgg(mean: float, std: float, epochs: int, steps_per_epoch: int):
    """The series' fastest recipe to 99% (`make bench`).

    Stage 08's network (batch normalization, no dropout or augmentation:
    both slow down a short run) on stage 11's annealing schedule, with a
    warm-up of a third of an epoch instead of a whole one: in a run of two
    epochs, a whole epoch of warm-up is half the run.
    """
    import keras

    model = models.vgg(mean, std, batch_norm=True, name="quick_vgg")
    model.compile(optimizer=keras.optimizers.Adam(
                      learning_rate=models.annealing_schedule(
                          epochs, steps_per_epoch, warmup_epochs=0.3)),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def peer_model():
    """The keras-io "Simple MNIST convnet", layer for layer."""
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="keras_io_convnet")
    model.compile(loss="categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    return model


def _trial(name, build, x, y, x_test, y_test_hot, epochs, batch, seed):
    """Train one model; return its per-epoch record."""
    import keras

    keras.utils.set_random_seed(seed)
    model = build()
    accuracy = []

    def score(clock, epoch, logs):  # after the epoch's clock has stopped
        accuracy.append(float(
            clock.model.evaluate(x_test, y_test_hot, verbose=0)[1]))
        print(f"    epoch {epoch + 1:>2} · {clock.seconds[-1]:.1f} s · "
              f"test acc {accuracy[-1]:.2%}", flush=True)

    clock = live.epoch_clock(on_epoch=score)
    print(f"  {name}, seed {seed}: {epochs} epochs of batch {batch}",
          flush=True)
    model.fit(x, y, epochs=epochs, batch_size=batch, verbose=0,
              callbacks=[clock])
    cumulative = [round(sum(clock.seconds[:i + 1]), 2)
                  for i in range(len(clock.seconds))]
    reached = next((i for i, a in enumerate(accuracy) if a >= TARGET),
                   None)
    return {"seed": seed, "epochs": epochs, "batch_size": batch,
            "params": model.count_params(),
            "seconds": cumulative,
            "test_accuracy": [round(a, 6) for a in accuracy],
            "seconds_to_target": None if reached is None else cumulative[reached],
            "epochs_to_target": None if reached is None else reached + 1}


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def run(repeats: int = 3, device: str = "auto") -> dict:
    """Run the benchmark; return what `results/bench.json` holds."""
    if repeats < 1:
        raise ValueError(f"--repeats must be at least 1, got {repeats}")
    where = devices.use_device(device)
    mnist = data.prepare()
    x, y_hot = mnist.x_train[:TRAIN], mnist.y_train_hot[:TRAIN]
    x_test, y_test_hot = mnist.x_test, mnist.y_test_hot
    # The peer scales pixels to [0, 1]; ours normalizes inside the model.
    x01 = x.astype("float32") / 255
    x01_test = x_test.astype("float32") / 255
    steps = -(-TRAIN // OURS_BATCH)
    seeds = list(range(1, repeats + 1))
    print(f"bench on {where}: {repeats} repeat(s), "
          f"{TRAIN:,} training images", flush=True)

    # Peer and ours take turns, seed by seed, so that a machine that slows
    # down or speeds up during the run affects both alike.
    peer, quick = [], []
    for s in seeds:
        peer.append(_trial("peer (keras-io convnet)", peer_model, x01, y_hot,
                           x01_test, y_test_hot, PEER_EPOCHS, PEER_BATCH, s))
        quick.append(_trial("ours",
                            lambda: quick_vgg(mnist.mean, mnist.std,
                                                     OURS_EPOCHS, steps),
                            x, y_hot, x_test, y_test_hot, OURS_EPOCHS,
                            OURS_BATCH, s))
    peer_budget = _median([p["seconds"][-1] for p in peer])
    per_epoch = _median([q["seconds"][-1] / q["epochs"] for q in quick])
    budget_epochs = max(1, int(peer_budget // per_epoch))
    budget = [_trial("ours at the peer's budget",
                     lambda: quick_vgg(mnist.mean, mnist.std,
                                              budget_epochs, steps),
                     x, y_hot, x_test, y_test_hot, budget_epochs, OURS_BATCH,
                     s)
              for s in seeds]

    peer_t = _median([p["seconds_to_target"] for p in peer])
    ours_t = _median([q["seconds_to_target"] for q in quick])
    peer_acc = _median([p["test_accuracy"][-1] for p in peer])
    ours_acc = _median([b["test_accuracy"][-1] for b in budget])
    return {
        "finished": _dt.datetime.now(_dt.timezone.utc)
                    .isoformat(timespec="seconds"),
        "device": where,
        "versions": session.versions(),
        "repeats": repeats,
        "train_images": TRAIN,
        "target": TARGET,
        "peer": {"runs": peer, "median_seconds_to_target": peer_t,
                 "median_seconds": peer_budget,
                 "median_final_accuracy": peer_acc},
        "ours": {"runs": quick, "median_seconds_to_target": ours_t,
                 "median_seconds_per_epoch": round(per_epoch, 2)},
        "ours_at_peer_budget": {"runs": budget, "epochs": budget_epochs,
                                "median_final_accuracy": ours_acc},
        "ratios": {
            "time_to_target": (None if ours_t is None or peer_t is None
                               else round(ours_t / peer_t, 3)),
            "accuracy_at_peer_budget": round(ours_acc / peer_acc, 5),
            "errors_at_peer_budget": round((1 - ours_acc) / (1 - peer_acc), 3),
        },
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mnist_series.bench",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path,
                    default=RESULTS / records.BENCH_FILE)
    args = ap.parse_args(argv)
    try:
        record = run(args.repeats, args.device)
    except (ValueError, devices.DeviceError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    write_json(args.out, record)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
