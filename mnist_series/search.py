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
import itertools
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_talk import (data, devices, files, live, models, normalization,
                        session, tables)
from mnist_talk.shifts import predict_views

SEARCH_FILE = "search.json"
SEARCH_DIR = "search"
#: The four scores of one training: weights as trained or averaged, each
#: alone or with test-time augmentation.
VARIANTS = ("plain", "tta", "ema", "ema_tta")
#: Two more where the schedule restarts (`Recipe.cycles`): the mean of the
#: networks that end each cycle, alone or with test-time augmentation.
SNAPSHOT_VARIANTS = ("snapshots", "snapshots_tta")


@dataclass(frozen=True)
class Recipe:
    """A way to train one member: stage 11's recipe, other filters,
    translations added to its augmentation, a learning rate that
    restarts `cycles` times (a snapshot ensemble from one training), or
    batch normalization after every convolution (`norm_each_conv`)."""

    name: str
    about: str
    filters: tuple = models.FILTERS
    translate: float = 0.0
    cycles: int = 1
    elastic: float = 0.0
    norm_each_conv: bool = False
    affine: bool = True
    dropout: tuple = models.TALK_DROPOUT
    #: A student's teachers (trial names) and the recipe it trains like
    #: (`like`, for the control: those networks without pseudo-labels).
    teachers: tuple = ()
    like: str = ""
    confidence: float = 0.99
    copies: int = 2

    def build(self, mean, std, epochs, steps_per_epoch, seed):
        return models.annealed_vgg(mean, std, epochs, steps_per_epoch,
                                   seed=seed, filters=self.filters,
                                   use_ema=True, translate=self.translate,
                                   cycles=self.cycles, elastic=self.elastic,
                                   norm_each_conv=self.norm_each_conv,
                                   affine=self.affine,
                                   dropout=self.dropout)


#: Stage 12's members on held-out images: the chosen recipe, two seeds.
STAGE_12_TEACHERS = ("wide-half-dropout-e20-seed1",
                     "wide-half-dropout-e20-seed2")
#: The teachers' probabilities a student learns from and votes beside:
#: their shifted views, as stage 12's members predict.
TEACHER_VARIANT = "tta"

RECIPES = {r.name: r for r in (
    Recipe("stage-11", "stage 11's network: 7, 14, 28, 56 filters"),
    Recipe("eights", "8, 16, 32, 64 filters: multiples of 8, which the "
           "CPU's vector units fill", (8, 16, 32, 64)),
    Recipe("wide", "16, 32, 64, 128 filters", (16, 32, 64, 128)),
    Recipe("eights-moved", "8, 16, 32, 64 filters; the augmentation also "
           "moves the digit up to 10% of the image each way",
           (8, 16, 32, 64), 0.1),
    Recipe("eights-snap4", "8, 16, 32, 64 filters; the learning rate "
           "warms up and decays four times, and the four networks that end "
           "the cycles vote", (8, 16, 32, 64), cycles=4),
    Recipe("eights-elastic", "8, 16, 32, 64 filters; the augmentation also "
           "bends each digit by its own elastic field (Simard et al.'s "
           "alpha 34, sigma 4)", (8, 16, 32, 64), elastic=34.0),
    Recipe("eights-elastic-half", "eights-elastic at half the strength "
           "(alpha 17)", (8, 16, 32, 64), elastic=17.0),
    Recipe("eights-bn-each", "8, 16, 32, 64 filters; batch normalization "
           "after every convolution, before its ReLU, instead of after "
           "each pool", (8, 16, 32, 64), norm_each_conv=True),
    Recipe("eights-elastic-only", "8, 16, 32, 64 filters; the elastic "
           "field of eights-elastic (alpha 34, sigma 4) instead of the "
           "talk's rotation, zoom and shear, as Simard et al. trained",
           (8, 16, 32, 64), elastic=34.0, affine=False),
    Recipe("eights-half-dropout", "8, 16, 32, 64 filters; half the talk's "
           "dropout (0.05 to 0.25), since the augmented networks fit their "
           "training images less well than the held-out ones",
           (8, 16, 32, 64),
           dropout=tuple(r / 2 for r in models.TALK_DROPOUT)),
    Recipe("wide-half-dropout", "16, 32, 64, 128 filters; half the talk's "
           "dropout, as eights-half-dropout", (16, 32, 64, 128),
           dropout=tuple(r / 2 for r in models.TALK_DROPOUT)),
    Recipe("stage-11-student", "stage 13 as it is set: stage 11's network, "
           "fitted beside two copies of the held-out images that two "
           "wide-half-dropout teachers (seeds 1, 2; stage 12's members) "
           "label with 0.99 or more", teachers=STAGE_12_TEACHERS,
           like="stage-11"),
    Recipe("stage-11-student-all", "stage-11-student, every held-out image "
           "pseudo-labelled (the talk's confidence 0)",
           teachers=STAGE_12_TEACHERS, like="stage-11", confidence=0.0),
    Recipe("wide-student", "stage-11-student with the teachers' own "
           "recipe, 16, 32, 64, 128 filters and half the dropout",
           (16, 32, 64, 128),
           dropout=tuple(r / 2 for r in models.TALK_DROPOUT),
           teachers=STAGE_12_TEACHERS, like="wide-half-dropout"),
)}


class SearchError(ValueError):
    """A search setting that cannot be run; the message says what to do."""


def recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise SearchError(f"unknown recipe {name!r}: use one of "
                          f"{', '.join(RECIPES)}")
    return RECIPES[name]


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


def trial_name(recipe_name: str, seed: int, epochs: int) -> str:
    return f"{recipe_name}-e{epochs}-seed{seed}"


def load(results_dir=files.RESULTS) -> list:
    return files.read_json(Path(results_dir) / SEARCH_FILE, {"trials": []})[
        "trials"]


def probabilities(results_dir, name: str) -> dict:
    with np.load(Path(results_dir) / SEARCH_DIR / f"{name}.npz") as f:
        return {k: f[k].astype("float32") for k in f.files}


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


def minutes_per_network(trial: dict) -> float:
    """A trial's training minutes, from its median epoch: another program
    sharing the two cores for a few epochs does not count."""
    if "epoch_seconds" not in trial:
        return trial["train_minutes"]
    return float(np.median(trial["epoch_seconds"])) * trial["epochs"] / 60


def ensemble_scores(results_dir, trials: list, variants=VARIANTS) -> list:
    """Each variant's validation accuracy of the trials' mean probabilities;
    None for a variant that some trial lacks."""
    probs = [probabilities(results_dir, t["trial"]) for t in trials]
    return [tables.accuracy(np.mean([p[v] for p in probs], axis=0),
                            probs[0]["y_val"])
            if all(v in p for p in probs) else None for v in variants]


def members(trials: list) -> list:
    """The trials that are members a final ensemble could be made of:
    all but the students (`Recipe.teachers`), which learnt from
    pseudo-labels of the held-out images they are scored on."""
    return [t for t in trials if "teachers" not in t]


def groups(trials: list) -> dict:
    """The trials of each recipe at each epoch count, `(recipe, epochs)`
    to a list in the trials' order, the keys sorted."""
    found = {}
    for t in sorted(trials, key=lambda t: (t["recipe"], t["epochs"])):
        found.setdefault((t["recipe"], t["epochs"]), []).append(t)
    return found


def pairs(trials: list) -> list:
    """Two recipes' networks averaged, as a final ensemble would mix them:
    `(recipe_a, recipe_b, epochs, [(trial_a, trial_b), ...])` for every two
    recipes with two seeds or more in common at the same epochs. Each
    seed of one goes with the next seed of the other (1 with 2, 2 with 1),
    so that no pair shares a seed: members of one seed share their
    augmentation's draws, which the final stage's members never do."""
    by = {key: {t["seed"]: t for t in group}
          for key, group in groups(trials).items()}
    found = []
    for (a, epochs), (b, other) in itertools.combinations(sorted(by), 2):
        seeds = sorted(set(by[a, epochs]) & set(by.get((b, epochs), {})))
        if other != epochs or len(seeds) < 2:
            continue
        found.append((a, b, epochs, [
            (by[a, epochs][s], by[b, epochs][seeds[(i + 1) % len(seeds)]])
            for i, s in enumerate(seeds)]))
    return found


def _cell(score) -> str:
    return "—" if score is None else tables.pct(score)


def _median(group: list, variant: str):
    """The trials' median score for a variant, None where one lacks it."""
    scores = [t["validation_accuracy"].get(variant) for t in group]
    return None if None in scores else float(np.median(scores))


def table(results_dir=files.RESULTS) -> str:
    """The search so far, as Markdown: each recipe's trials, then the
    ensembles its seeds make, each two recipes' networks paired (`pairs`),
    and all the longest trials of every recipe together; every score on
    the validation images."""
    trials = load(results_dir)
    if not trials:
        return "No trials yet: `python -m mnist_series.search run --recipe ...`"
    variants = VARIANTS + tuple(v for v in SNAPSHOT_VARIANTS if any(
        v in t["validation_accuracy"] for t in trials))
    lines = ["| recipe | epochs | seeds | parameters | min per network | "
             + " | ".join(variants) + " |",
             "|---|---:|---|---:|---:|" + "---:|" * len(variants)]
    # one CPU runs the same epoch faster than another: with more than one,
    # each minutes figure names the CPUs it was timed on: M1, M2, ...
    machines = sorted({t["machine"] for t in trials})
    label = {m: f"M{i + 1}" for i, m in enumerate(machines)}

    def timed(minutes, group) -> str:
        if len(machines) == 1:
            return f"{minutes:.1f}"
        where = sorted({label[t["machine"]] for t in group})
        return f"{minutes:.1f} ({', '.join(where)})"

    ensembles = []
    for (name, epochs), group in groups(trials).items():
        seeds = ", ".join(str(t["seed"]) for t in group)
        medians = [_median(group, v) for v in variants]
        minutes = np.median([minutes_per_network(t) for t in group])
        seen = f"{seeds} (median)" if len(group) > 1 else seeds
        lines.append(f"| {name} | {epochs} | {seen} | "
                     f"{group[0]['parameter_count']:,} | "
                     f"{timed(minutes, group)} | "
                     + " | ".join(map(_cell, medians)) + " |")
        if len(group) > 1:
            scores = ensemble_scores(results_dir, group, variants)
            ensembles.append(f"| {name} | {epochs} | {seeds} (ensemble) | "
                             f"{len(group)} × | "
                             f"{timed(minutes * len(group), group)} | "
                             + " | ".join(map(_cell, scores)) + " |")
    for a, b, epochs, couples in pairs(members(trials)):
        scores = [ensemble_scores(results_dir, list(c), variants)
                  for c in couples]
        medians = [None if None in column else float(np.median(column))
                   for column in zip(*scores)]
        minutes = sum(np.median([minutes_per_network(c[i]) for c in couples])
                      for i in (0, 1))
        crossed = ", ".join(f"{x['seed']}+{y['seed']}" for x, y in couples)
        ensembles.append(f"| {a} + {b} | {epochs} | {crossed} (median of "
                         f"pairs) | 2 × | "
                         f"{timed(minutes, [t for c in couples for t in c])} | "
                         + " | ".join(map(_cell, medians)) + " |")
    ensembles += taught_rows(results_dir, trials, variants, timed)
    candidates = members(trials)
    mixed = [t for t in candidates
             if t["epochs"] == max(t["epochs"] for t in candidates)]
    if len({t["recipe"] for t in mixed}) > 1:
        scores = ensemble_scores(results_dir, mixed, variants)
        minutes = sum(minutes_per_network(t) for t in mixed)
        ensembles.append(f"| every recipe | {mixed[0]['epochs']} | all "
                         f"(ensemble) | {len(mixed)} × | "
                         f"{timed(minutes, mixed)} | "
                         + " | ".join(map(_cell, scores)) + " |")

    def each(field):
        return " or ".join(sorted({f"{t[field]:,}" for t in trials}))
    named = (machines[0] if len(machines) == 1 else
             "; ".join(f"{label[m]}: {m}" for m in machines))
    return "\n".join(lines + ensembles + [
        "", f"Validation accuracy on the last {each('validation_images')} "
        f"training images, each network fitted on the first "
        f"{each('fit_images')}. Minutes: the median epoch's, times the "
        f"epochs. X + Y: one network of each recipe averaged, seeds "
        f"crossed (2+1: X's seed 2 with Y's seed 1), the median over the "
        f"pairs."
        + (" X with its teachers: a student recipe's networks, which "
           "learnt from pseudo-labels of these held-out images, averaged "
           "with their teachers (the teachers' shifted views in every "
           "column), one vote each; Y with the same teachers: as many "
           "networks of the recipe the students train like, without "
           "pseudo-labels." if any("teachers" in t for t in trials) else "")
        + f" Machine{'s' if len(machines) > 1 else ''}: {named}."])


def taught(trials: list, name: str, epochs: int):
    """A student recipe's `(teachers, students, control)` trials at
    `epochs`, or None where the search lacks the students or a teacher.
    The control: as many trials of the recipe the students train like,
    without pseudo-labels, the students' own seeds first (the same start
    and augmentation draws, only the pseudo-labels apart), never a
    teacher's seed."""
    by_name = {t["trial"]: t for t in trials}
    by = groups(trials)
    group = by.get((name, epochs), [])
    if not group:
        return None
    teachers = [by_name[n] for n in group[0]["teachers"] if n in by_name]
    if len(teachers) < len(group[0]["teachers"]):
        return None
    apart = {t["seed"] for t in teachers}
    own = {t["seed"] for t in group}
    like = sorted((t for t in by.get(
                      (RECIPES[name].like if name in RECIPES else "",
                       epochs), []) if t["seed"] not in apart),
                  key=lambda t: (t["seed"] not in own, t["seed"]))
    return teachers, group, sorted(like[:len(group)], key=lambda t: t["seed"])


def with_teachers(results_dir, teachers: list, networks: list,
                  variants=VARIANTS) -> list:
    """Each variant's validation accuracy of the teachers' shifted views
    (`TEACHER_VARIANT`, in every variant) averaged with the networks' in
    that variant, one vote each, as stage 13 averages its final ensemble;
    None for a variant that some network lacks. No networks: the
    teachers alone."""
    taught = [probabilities(results_dir, t["trial"]) for t in teachers]
    probs = [probabilities(results_dir, t["trial"]) for t in networks]
    return [tables.accuracy(np.mean([p[TEACHER_VARIANT] for p in taught]
                                    + [p[v] for p in probs], axis=0),
                            taught[0]["y_val"])
            if all(v in p for p in probs) else None for v in variants]


def taught_rows(results_dir, trials: list, variants, timed) -> list:
    """For each student recipe's seeds: the teachers alone (once for each
    set of teachers), the students with their teachers, then the teachers
    with the control (`taught`), when the search has it: what the
    pseudo-labels gave."""
    rows, shown = [], set()
    for (name, epochs), group in groups(trials).items():
        if "teachers" not in group[0]:
            continue
        found = taught(trials, name, epochs)
        if found is None:
            continue
        teachers, group, like = found
        minutes = sum(minutes_per_network(t) for t in teachers)
        if tuple(group[0]["teachers"]) not in shown:  # once per teachers
            shown.add(tuple(group[0]["teachers"]))
            alone, = with_teachers(results_dir, teachers, [], VARIANTS[:1])
            rows.append(f"| the teachers alone | {teachers[0]['epochs']} | "
                        + ", ".join(f"{t['recipe']} {t['seed']}"
                                    for t in teachers)
                        + f" (ensemble) | {len(teachers)} × | "
                        f"{timed(minutes, teachers)} | "
                        + " | ".join(_cell(alone if v in VARIANTS else None)
                                     for v in variants) + " |")
        for label, networks in ((f"{name} with its teachers", group),
                                (f"{like[0]['recipe'] if like else ''} with "
                                 "the same teachers", like)):
            if not networks:
                continue
            scores = with_teachers(results_dir, teachers, networks, variants)
            seeds = ", ".join(str(t["seed"]) for t in networks)
            spent = minutes + sum(minutes_per_network(t) for t in networks)
            rows.append(f"| {label} | {epochs} | {seeds} (ensemble) | "
                        f"{len(teachers)} + {len(networks)} × | "
                        f"{timed(spent, teachers + networks)} | "
                        + " | ".join(map(_cell, scores)) + " |")
    return rows


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
