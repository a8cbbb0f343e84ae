"""The tables a notebook shows, computed from test-set probabilities and
the results store (stage 01 onwards).

Every table is a `Table`: Markdown in Jupyter, aligned text elsewhere.
"""

from __future__ import annotations

import statistics
from itertools import combinations
from pathlib import Path

import numpy as np

from . import results, stages


def pct(x) -> str:
    """A fraction as a percentage with two decimals; a dash for None."""
    return "—" if x is None else f"{x:.2%}"


class Table:
    """A small table that shows as Markdown in Jupyter and as text elsewhere."""

    def __init__(self, header, rows):
        self.header, self.rows = list(header), [list(r) for r in rows]

    def _repr_markdown_(self):
        lines = ["| " + " | ".join(self.header) + " |",
                 "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(map(str, r)) + " |" for r in self.rows]
        return "\n".join(lines)

    def __repr__(self):
        cols = [self.header] + self.rows
        widths = [max(len(str(r[i])) for r in cols)
                  for i in range(len(self.header))]
        return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths))
                         .rstrip() for r in cols)


def _errors(probabilities, labels) -> int:
    """How many images' most probable digit is wrong."""
    return int((np.asarray(probabilities).argmax(axis=1)
                != np.asarray(labels)).sum())


def accuracy(probabilities, labels) -> float:
    """The share of images whose most probable digit is right (stage 12)."""
    return (len(labels) - _errors(probabilities, labels)) / len(labels)


def members_table(member_probabilities, average, labels) -> Table:
    """Each member's test accuracy and errors beside their average's.

    Introduced in stage 12. The last column is how many fewer errors the
    average makes than the members' mean error count (or how many more).
    """
    errors = [_errors(p, labels) for p in member_probabilities]
    rows = [[f"member {i + 1}", f"{1 - e / len(labels):.2%}", e, ""]
            for i, e in enumerate(errors)]
    mean_errors = float(np.mean(errors))
    ensemble = _errors(average, labels)
    saving = 1 - ensemble / mean_errors if mean_errors else 0.0
    fewer = "fewer" if saving >= 0 else "more"
    rows.append(["average", f"{1 - ensemble / len(labels):.2%}", ensemble,
                 f"{abs(saving):.0%} {fewer} than a member's {mean_errors:.1f}"])
    return Table(["model", "test accuracy", "errors", "errors saved"], rows)


def tta_table(plain_members, view_members, labels) -> Table:
    """Each member's test errors, and their average's, from one view of
    each image and from the mean over its shifted views (stage 12, `tta`).

    The last column is what the shifted views changed: negative where
    they saved errors.
    """
    pairs = [(f"member {i + 1}", p, v)
             for i, (p, v) in enumerate(zip(plain_members, view_members))]
    pairs.append(("average", np.mean(plain_members, axis=0),
                  np.mean(view_members, axis=0)))
    rows = []
    for name, plain, views in pairs:
        one, five = _errors(plain, labels), _errors(views, labels)
        rows.append([name, one, five, f"{five - one:+d}"])
    return Table(["model", "errors, one view", "errors, shifted views",
                  "change"], rows)


def ensemble_sizes(member_probabilities, labels) -> dict:
    """Errors of the average of every subset of members, by subset size.

    Returns {size: sorted list of error counts}, one count per subset of
    that many members (stage 12: what each extra member buys; stage 13:
    the ensembles of equal size without pseudo-labels).
    """
    probs = np.asarray(member_probabilities)
    return {k: sorted(_errors(probs[list(c)].mean(axis=0), labels)
                      for c in combinations(range(len(probs)), k))
            for k in range(1, len(probs) + 1)}


def ensemble_sizes_table(member_probabilities, labels) -> Table:
    """`ensemble_sizes` as a table: median, fewest and most errors (stage 12)."""
    rows, before = [], None
    for k, errors in ensemble_sizes(member_probabilities, labels).items():
        median = float(np.median(errors))
        spread = (f"{errors[0]} to {errors[-1]}" if len(errors) > 1
                  else str(errors[0]))
        saved = "" if before is None else f"{before - median:g}"
        rows.append([k, len(errors), f"{median:g}", spread, saved])
        before = median
    return Table(["members averaged", "ensembles", "median errors",
                  "fewest to most", "saved by the last member"], rows)


def equal_size_table(without, with_, labels) -> Table:
    """Ensembles of equal size with and without pseudo-labels (stage 13).

    `without` and `with_` are the member probabilities of two groups of
    networks trained by the same recipe, the second with pseudo-labels.
    For each size up to the smaller group: the median errors (and range)
    over every subset of that many members of each group.
    """
    a, b = ensemble_sizes(without, labels), ensemble_sizes(with_, labels)

    def cell(errors):
        median = f"{np.median(errors):g}"
        return (median if len(errors) == 1
                else f"{median} ({errors[0]} to {errors[-1]})")

    def saved(k):
        before, after = np.median(a[k]), np.median(b[k])
        share = (before - after) / before if before else 0.0
        return f"{before - after:+g} ({share:+.0%})"

    rows = [[k, cell(a[k]), cell(b[k]), saved(k)]
            for k in sorted(set(a) & set(b))]
    return Table(["networks", "without pseudo-labels", "with pseudo-labels",
                  "errors saved"], rows)


def ensembles_table(named, labels) -> Table:
    """Test accuracy and errors of several ensembles (stage 13).

    `named` maps a name to `(probabilities, networks)`.
    """
    rows = []
    for name, (probabilities, networks) in named.items():
        errors = _errors(probabilities, labels)
        rows.append([name, networks, f"{1 - errors / len(labels):.2%}",
                     errors])
    return Table(["ensemble", "networks", "test accuracy", "errors"], rows)


def pseudo_label_table(teacher, confidence: float, labels) -> Table:
    """How many pseudo-labels a confidence threshold keeps (stage 13).

    The teacher's labels are kept where its top probability is at least
    `confidence`. The true `labels` only count the wrong pseudo-labels on
    each side, for the audience: training never sees them.
    """
    teacher, labels = np.asarray(teacher), np.asarray(labels)
    keep = teacher.max(axis=1) >= confidence
    wrong = teacher.argmax(axis=1) != labels
    rows = [[f"kept (probability ≥ {confidence:g})", int(keep.sum()),
             int((wrong & keep).sum())],
            ["left out", int((~keep).sum()), int((wrong & ~keep).sum())]]
    return Table(["test images", "how many", "wrong pseudo-labels"], rows)


def seeds_table(results_dirs) -> Table:
    """Stages 12 and 13 of several runs side by side (`make seeds`).

    One row per results folder: the run's seed, stage 12's members and
    average, stage 13's students and final ensemble, and the minutes both
    stages trained. The last row gives the final ensemble's median and its
    spread (best minus worst). A folder without both stages is an error.
    """
    rows, finals = [], []
    for folder in map(Path, results_dirs):
        twelve = results.load(folder, "12_averaging")
        thirteen = results.load(folder, "13_pseudo_labels")
        if not (twelve and thirteen):
            raise FileNotFoundError(
                f"{folder} lacks stage 12 or 13's results: run "
                f"`python -m mnist_series.series run --stages 12-13 "
                f"--out DIR` first, then give DIR/results")
        finals.append(thirteen.test_accuracy)
        rows.append([
            folder, twelve.parameters["seed"],
            " ".join(f"{a:.2%}" for a in twelve.extra["member_accuracies"]),
            pct(twelve.test_accuracy),
            " ".join(f"{a:.2%}" for a in thirteen.extra["member_accuracies"]),
            pct(thirteen.test_accuracy),
            f"{(twelve.train_seconds + thirteen.train_seconds) / 60:.1f}"])
    rows.append(["median, spread", "", "", "", "",
                 f"{statistics.median(finals):.2%}, "
                 f"{max(finals) - min(finals):.2%}", ""])
    return Table(["results", "seed", "12 members", "12 average",
                  "13 students", "13 final", "train min"], rows)


def pooled(results_dirs, labels) -> str | None:
    """Stage 12's networks of several runs averaged as one ensemble.

    What more members of the same recipe buy (`make seeds`): each run's
    saved average counts with its number of members. None when a folder
    has no stage-12 predictions.
    """
    total, networks = 0, 0
    for folder in map(Path, results_dirs):
        record = results.load(folder, "12_averaging")
        saved = results.predictions_path(folder, "12_averaging")
        if not (record and saved.exists()):
            return None
        members = record.parameters["members"]
        total = total + members * results.load_predictions(folder,
                                                           "12_averaging")
        networks += members
    return (f"stage 12's {networks} networks of these {len(results_dirs)} "
            f"runs averaged: {accuracy(total, labels):.2%}")


def ladder(results_dir, stage_ids=None) -> Table:
    """Our test accuracy per stage beside the talk's (stage 01 onwards).

    Stages without a results file show a dash: run their notebook first.
    """
    ids = stage_ids or [s.id for s in stages.STAGES]
    rows = []
    for sid in ids:
        st, rec = stages.get(sid), results.load(results_dir, sid)
        rows.append([
            st.number, st.title, pct(rec and rec.test_accuracy),
            pct(st.talk_accuracy),
            f"{rec.parameter_count:,}" if rec else "—",
            rec.epochs_text if rec else "—",
            f"{rec.train_seconds / 60:.1f}" if rec else "—",
        ])
    return Table(["stage", "model", "ours", "talk", "params", "epochs",
                  "train min"], rows)
