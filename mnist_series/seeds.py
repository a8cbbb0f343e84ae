"""`make seeds`: stages 12 and 13 of several full runs side by side.

`python -m mnist_series.report --seeds results build/seed2/results ...`
prints `seeds_table` and, with stage 12's predictions, `pooled`.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from mnist_talk import results
from mnist_talk.tables import Table, accuracy, pct


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
