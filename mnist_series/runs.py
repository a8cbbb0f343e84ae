"""The generated blocks of the other full runs: every seed and backend
beside the ladder's run (docs/backends.md), and the final recipe's runs
(docs/search.md).
"""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path

from mnist_talk import evidence, models, results, stages
from mnist_talk.tables import Table, pct

from . import search

#: results/final/NAME/: runs of stage 12 with a recipe the search chose
#: (`series run --stages 12 -p ... --out DIR`, then DIR/results copied).
FINAL_DIR = "final"


def runs_markdown(results_dir) -> str:
    """The ladder's run beside the other full runs in `results/runs/*/`.

    One row per stage that some other run has; a column per run (its
    backend and seed); then, over the runs on the ladder's backend, the
    spread (worst to best), and whether each other backend's accuracy
    falls inside it.
    """
    results_dir = Path(results_dir)
    folders = [results_dir] + sorted(
        d for d in (results_dir / results.RUNS_DIR).glob("*") if d.is_dir())
    runs = []
    for folder in folders:
        found = {st.id: results.load(folder, st.id) for st in stages.STAGES}
        found = {k: v for k, v in found.items() if v}
        if found:
            first = next(iter(found.values()))
            runs.append((f"{first.backend} seed {first.parameters['seed']}",
                         found))
    if len(runs) < 2:
        return "No other full run is recorded in `results/runs/`.\n"
    home = next(iter(runs[0][1].values())).backend
    # the ladder's backend first, then the others, each by seed
    runs.sort(key=lambda run: not run[0].startswith(home + " "))
    ids = [st.id for st in stages.STAGES
           if any(st.id in r for _, r in runs[1:])]
    others = sorted({name.split(" seed")[0] for name, _ in runs}
                    - {home})
    # another backend with several seeds gets its own spread beside ours
    several = {b for b in others
               if sum(name.startswith(b + " ") for name, _ in runs) > 1}
    rows = []
    for sid in ids:
        acc = [r[sid].test_accuracy if sid in r else None for _, r in runs]
        same = [a for (name, _), a in zip(runs, acc)
                if a is not None and name.startswith(home + " ")]
        low, high = min(same), max(same)
        cells = []
        for backend in others:
            seeds, theirs = [], []
            for (name, _), a in zip(runs, acc):
                if a is not None and name.startswith(backend + " "):
                    seeds.append(name.split(" seed ")[1])
                    theirs.append(a)
            verdicts = [_inside(a, low, high, len(same)) for a in theirs]
            if len(theirs) > 1:
                verdicts = [f"seed {seed}: {v}"
                            for seed, v in zip(seeds, verdicts)]
            if backend in several:
                cells.append(_spread(theirs) + _overlap(theirs, low, high))
            cells.append("; ".join(verdicts) or "—")
        rows.append([sid[:2], *[pct(a) for a in acc], _spread(same), *cells])
    header = ["stage", *[name for name, _ in runs], f"{home} spread"]
    for backend in others:
        if backend in several:
            header.append(f"{backend} spread")
        header.append(f"{backend} inside?")
    return Table(header, rows)._repr_markdown_() + "\n"


def _overlap(theirs: list[float], low: float, high: float) -> str:
    """Whether another backend's spread meets the ladder backend's."""
    if len(theirs) < 2:
        return ""
    if max(theirs) < low:
        return f", below it by {_errors(low - max(theirs))}"
    if min(theirs) > high:
        return f", above it by {_errors(min(theirs) - high)}"
    return ", overlaps"


def _spread(accuracies: list[float]) -> str:
    """Worst to best, and how many test errors apart; from three runs on,
    their median too (of two, a median is no run's figure)."""
    if len(accuracies) < 2:
        return "one run"
    low, high = min(accuracies), max(accuracies)
    spread = f"{pct(low)} to {pct(high)} ({_errors(high - low)})"
    if len(accuracies) >= 3:
        spread += f", median {pct(statistics.median(accuracies))}"
    return spread


def _recipe(parameters: dict) -> str:
    """The search's name for stage 12's members, from the run's `filters`
    and `dropout` (stage 12 sets nothing else that a recipe varies); the
    widths, and the rates if not the talk's, where no recipe matches;
    "+ tta" where the members answered over shifted views."""
    name = _members(parameters)
    return name + " + tta" if parameters.get("tta") else name


def _members(parameters: dict) -> str:
    filters = list(parameters.get("filters", models.FILTERS))
    dropout = [float(r) for r in parameters.get("dropout",
                                                models.TALK_DROPOUT)]
    # everything else a recipe varies, stage 12 leaves at its default
    run = search.Recipe("", "", filters=tuple(filters),
                        dropout=tuple(dropout))
    for r in search.RECIPES.values():
        if dataclasses.replace(r, name="", about="") == run:
            return r.name
    name = ", ".join(map(str, filters))
    if dropout != list(models.TALK_DROPOUT):
        name += "; dropout " + ", ".join(f"{x:g}" for x in dropout)
    return name


def final_markdown(results_dir) -> str:
    """Stage 12 as on the ladder beside its runs in `results/final/*/`,
    with the members' widths the search chose on held-out images: each
    member's test accuracy and the average's, scored once on the test set.
    """
    results_dir = Path(results_dir)
    folders = [results_dir] + sorted(
        d for d in (results_dir / FINAL_DIR).glob("*") if d.is_dir())
    rows, runs = [], {}
    for folder in folders:
        rec = results.load(folder, "12_averaging")
        if rec is None:
            continue
        recipe = _recipe(rec.parameters)
        members = rec.extra.get("member_accuracies", [])
        plain = rec.extra.get("plain_accuracy")
        if folder != results_dir:
            runs.setdefault((recipe, rec.networks_trained), []).append(
                (rec.parameters["seed"], rec.test_accuracy, plain))
        rows.append([
            "the ladder" if folder == results_dir
            else f"`{FINAL_DIR}/{folder.name}`",
            recipe, str(rec.parameters["seed"]), str(rec.networks_trained),
            f"{rec.parameter_count // rec.networks_trained:,}",
            ", ".join(pct(a) for a in members), pct(rec.test_accuracy),
            "—" if plain is None else pct(plain),
            f"{rec.train_seconds / 60 / rec.networks_trained:.1f}",
            rec.device])
    if len(rows) < 2:
        return ("No run of stage 12 with a chosen recipe is recorded in "
                f"`results/{FINAL_DIR}/` yet.\n")
    return (Table(["run", "members' recipe", "seed", "members",
                   "parameters each", "each member", "average",
                   "average without tta", "train min per member", "device"],
                  rows)._repr_markdown_()
            + "\n\nTest accuracy, on the 10,000 test images, of stage 12: "
              "each member trained on all 60,000 training images. With "
              "tta, each member's answer is its mean over the image and "
              "its four one-pixel shifts, a rule chosen on held-out "
              "training images; the average without them is recorded "
              "beside it, watched, not chosen.\n"
            + "".join(_median_line(recipe, members, seeded)
                      for (recipe, members), seeded in sorted(runs.items())
                      if len(seeded) > 1))


def _median_line(recipe: str, members: int, seeded: list) -> str:
    """One recipe's average over its seeds: each seed's, and from three
    seeds on their median (of two, a median is no run's figure); for
    runs with tta, the same for their averages without it."""
    seeded = sorted(seeded)
    each = ", ".join(f"{pct(a)} (seed {s})" for s, a, _ in seeded)
    plain = [p for _, _, p in seeded]
    if len(seeded) < 3:
        line = f"\n{recipe} × {members}, {len(seeded)} seeds: {each}"
    else:
        median = statistics.median(a for _, a, _ in seeded)
        line = (f"\n{recipe} × {members}, median of {len(seeded)} seeds: "
                f"**{pct(median)}** ({each})")
    if None not in plain:
        line += "; without tta: " + (
            ", ".join(pct(p) for p in plain) if len(plain) < 3 else
            f"median {pct(statistics.median(plain))}")
    return line + ".\n"


def _inside(accuracy: float, low: float, high: float, runs: int) -> str:
    """"yes", or by how many test errors `accuracy` is outside [low, high]."""
    if runs < 2:
        return "—"
    if low <= accuracy <= high:
        return "yes"
    if accuracy > high:
        return f"above, by {_errors(accuracy - high)}"
    return f"below, by {_errors(low - accuracy)}"


def _errors(gap: float) -> str:
    """A gap in accuracy as test errors: "1 error", "27 errors"."""
    n = round(gap * evidence.TEST_IMAGES)
    return f"{n} error" if n == 1 else f"{n} errors"
