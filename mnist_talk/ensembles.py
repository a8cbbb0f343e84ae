"""Ensembles: each member's errors beside their average's, what each
extra member buys, and how the members trained (stage 12 introduces this).

Stage 12 averages networks of one recipe; stage 13 adds students trained
on pseudo-labels and compares ensembles of equal size. Every table is a
`tables.Table`, computed from test-set probabilities.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from .live import Status
from .tables import Table, _errors


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


def dips(histories: dict, key: str = "accuracy") -> Status:
    """The epochs in which each training's `key` fell (stages 12, 13).

    `histories` maps a label to a history dict, as `Run.history` does.
    """
    parts = []
    for label, h in histories.items():
        values = h.get(key, [])
        fell = [i + 1 for i in range(1, len(values))
                if values[i] < values[i - 1]]
        if fell:
            parts.append(f"{label}: epoch{'s' if len(fell) > 1 else ''} "
                         + ", ".join(map(str, fell)))
    name = {"accuracy": "training accuracy", "loss": "training loss"
            }.get(key, key)
    if not parts:
        return Status(f"{name} never fell from one epoch to the next")
    return Status(f"{name} fell from the epoch before in " + "; ".join(parts))
