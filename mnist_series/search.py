"""The search for the final ensemble's recipe: recipes compared on
training images held out from the fit, never on the test images.

A trial fits one network with a recipe on the first 50,000 training images
(`data.Prepared.holdout`) and scores it on the last 10,000. One training
gives four scores: the weights as trained and their moving average (Adam's
`use_ema`), each alone and with test-time augmentation (the mean of the
network's probabilities over the image and its four one-pixel shifts). A
recipe whose learning rate restarts (`Recipe.cycles`) gives two more: the
networks that end its cycles, averaged (a snapshot ensemble), alone and
with test-time augmentation.
A student recipe (`Recipe.teachers`) is stage 13 on held-out images: it
pseudo-labels the validation images with its teachers' mean (their
shifted views, as stage 12 averages), keeps those the teachers are sure
of, fits on the 50,000 and copies of the kept images, and is scored with
its teachers, each network one vote, as stage 13 scores its final
ensemble; beside it, the same teachers with networks of the recipe it
trains like that saw no pseudo-labels.
The trial's row goes to `results/search.json`, with its minutes and the
machine it ran on; its validation probabilities go to `results/search/`,
so that ensembles of trials are scored too, without training again.

    python -m mnist_series.search run --recipe wide --seeds 1 2
    python -m mnist_series.search table

Nothing here reads the test images: the recipe chosen from
this table is then trained on all 60,000 and scored once, by its stage.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
import time
from pathlib import Path

import numpy as np

from mnist_talk import (data, devices, files, live, normalization, session,
                        tables)
from mnist_talk.shifts import predict_views

from .search_table import table
from .trials import (
    RECIPES, SEARCH_DIR, SEARCH_FILE, SNAPSHOT_VARIANTS, TEACHER_VARIANT,
    VARIANTS, Recipe, SearchError, load, probabilities, recipe, trial_name)




def machine() -> str:
    """The CPU a trial ran on, since a seed's numbers depend on it."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
    except OSError:
        info = ""
    for line in info.splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    flags = " AVX-512" if "avx512f" in info else (" AVX2" if "avx2" in info
                                                  else "")
    return f"{model}{flags}, {os.cpu_count()} cores"


def run_trial(recipe_name: str, seed: int, epochs: int = 20,
              train_size: int | None = None, validation_size: int = 10_000,
              batch_size: int = 128, results_dir=files.RESULTS,
              out=sys.stdout) -> dict:
    """Train one network with a recipe and record its validation scores."""
    import keras  # only now: main() chose the device first

    chosen = recipe(recipe_name)
    if epochs < 1:
        raise SearchError(f"epochs must be >= 1, got {epochs}")
    if epochs % chosen.cycles:
        raise SearchError(f"{chosen.name} restarts its learning rate "
                          f"{chosen.cycles} times: give epochs a multiple of "
                          f"{chosen.cycles}, not {epochs}")
    mnist = data.prepare()
    split = mnist.holdout(validation_size, train_size)
    x_fit, y_fit, pseudo = split.x, split.y_hot, {}
    if chosen.teachers:
        teacher = teachers_mean(results_dir, chosen, seed, split.y_val)
        keep = teacher.max(axis=1) >= chosen.confidence
        labels = teacher.argmax(axis=1)
        x_fit = np.concatenate([split.x] + [split.x_val[keep]] * chosen.copies)
        y_fit = np.concatenate(
            [split.y_hot] + [normalization.one_hot(labels[keep])]
            * chosen.copies)
        # the held-out labels only count the wrong pseudo-labels, to show
        pseudo = {"teachers": list(chosen.teachers),
                  "confidence": chosen.confidence, "copies": chosen.copies,
                  "pseudo_labelled": int(keep.sum()),
                  "pseudo_wrong": int((labels[keep] != split.y_val[keep])
                                      .sum())}
    session.seed_everything(seed)
    steps = -(-len(x_fit) // batch_size)
    model = chosen.build(mnist.mean, mnist.std, epochs, steps, seed)
    ends = []  # the weights that end each cycle; the last: as trained
    cycle = epochs // chosen.cycles

    def keep_trained(clock, epoch, logs):
        print(f"  {chosen.name} seed {seed} "
              f"{live.epoch_line(epoch + 1, epochs, logs, clock.seconds[-1])}",
              file=out, flush=True)
        if (epoch + 1) % cycle == 0:  # before fit() swaps in the average
            ends.append(model.get_weights())

    def scored():
        """The model's validation probabilities, alone and shifted."""
        return (model.predict(split.x_val, verbose=0, batch_size=1000),
                predict_views(model, split.x_val))

    started = time.perf_counter()
    clock = live.epoch_clock(keep_trained)
    model.fit(x_fit, y_fit, epochs=epochs, batch_size=batch_size,
              verbose=0, callbacks=[clock])
    minutes = (time.perf_counter() - started) / 60
    probs = dict(zip(("ema", "ema_tta"), scored()))
    each = []
    for weights in ends:
        model.set_weights(weights)
        each.append(scored())
    probs["plain"], probs["tta"] = each[-1]
    if len(each) > 1:
        probs["snapshots"], probs["snapshots_tta"] = (
            np.mean(views, axis=0) for views in zip(*each))
    name = trial_name(chosen.name, seed, epochs)
    with files.atomic_write(Path(results_dir) / SEARCH_DIR / f"{name}.npz") \
            as f:
        np.savez_compressed(f, y_val=split.y_val.astype("uint8"),
                            **{k: v.astype("float16")
                               for k, v in probs.items()})
    row = {"trial": name, "recipe": chosen.name, "seed": seed,
           "epochs": epochs, "fit_images": len(split.x), **pseudo,
           "validation_images": len(split.x_val),
           "parameter_count": model.count_params(),
           "validation_accuracy": {k: tables.accuracy(probs[k], split.y_val)
                                   for k in VARIANTS + SNAPSHOT_VARIANTS
                                   if k in probs},
           "train_minutes": round(minutes, 2),
           "epoch_seconds": [round(t, 1) for t in clock.seconds],
           "machine": machine(),
           "backend": keras.backend.backend(), "versions": session.versions(),
           "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(
               timespec="seconds")}
    trials = [t for t in load(results_dir) if t["trial"] != name]
    files.write_json(Path(results_dir) / SEARCH_FILE,
                     {"trials": sorted(trials + [row],
                                       key=lambda t: t["trial"])})
    return row


def teachers_mean(results_dir, chosen: Recipe, seed: int,
                  y_val: np.ndarray) -> np.ndarray:
    """A student recipe's teachers' mean validation probabilities
    (`TEACHER_VARIANT`), refused before any training where a teacher has
    not run, was scored on other images, or shares the student's seed."""
    recorded = {t["trial"]: t for t in load(results_dir)}
    missing = [name for name in chosen.teachers if name not in recorded]
    if missing:
        raise SearchError(
            f"{chosen.name} learns from {', '.join(missing)}, not in "
            f"{Path(results_dir) / SEARCH_FILE}: run the teachers first "
            f"(python -m mnist_series.search run --recipe ... --seeds ...)")
    seeds = {recorded[name]["seed"] for name in chosen.teachers}
    if seed in seeds:
        raise SearchError(
            f"seed {seed} is a teacher's seed "
            f"({', '.join(map(str, sorted(seeds)))}): a student with it "
            f"would share its teacher's augmentation; give students other "
            f"seeds, e.g. --seeds 11 12 13")
    probs = [probabilities(results_dir, name) for name in chosen.teachers]
    for name, p in zip(chosen.teachers, probs):
        if not np.array_equal(p["y_val"], y_val):
            raise SearchError(
                f"{name} was scored on other held-out images than this "
                f"trial's {len(y_val):,}: run the student with the "
                f"teachers' validation split (the default)")
    return np.mean([p[TEACHER_VARIANT] for p in probs], axis=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mnist_series.search",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="train trials, record their scores")
    run.add_argument("--recipe", required=True,
                     help=f"one of {', '.join(RECIPES)}")
    run.add_argument("--seeds", type=int, nargs="+", default=[1])
    run.add_argument("--epochs", type=int, default=20)
    run.add_argument("--train-size", type=int, default=None)
    run.add_argument("--device", default="cpu")
    run.add_argument("--results", default=str(files.RESULTS))
    show = sub.add_parser("table", help="print the search so far")
    show.add_argument("--results", default=str(files.RESULTS))
    args = parser.parse_args(argv)
    try:
        if args.command == "table":
            print(table(args.results))
            return 0
        recipe(args.recipe)
        print(f"device: {devices.use_device(args.device)}; "
              f"machine: {machine()}", flush=True)
        for seed in args.seeds:
            row = run_trial(args.recipe, seed, args.epochs, args.train_size,
                            results_dir=args.results)
            print(f"{row['trial']}: " + ", ".join(
                f"{k} {v:.2%}" for k, v in row["validation_accuracy"].items())
                + f" in {row['train_minutes']:.1f} min", flush=True)
    except (SearchError, ValueError, devices.DeviceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
