"""The search's table: every trial's held-out scores, the recipes'
medians, and ensembles of trials scored without training again
(`python -m mnist_series.search table`, docs/search.md).
"""

from __future__ import annotations

import itertools

import numpy as np

from mnist_talk import files, tables

from .trials import (RECIPES, SNAPSHOT_VARIANTS, TEACHER_VARIANT, VARIANTS,
                     load, probabilities)

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
