"""The tables a notebook shows, computed from test-set probabilities and
the results store (stage 01 introduces this).

Every table is a `Table`: Markdown in Jupyter, aligned text elsewhere. The
ladder of every stage's result is `ladder`; the tables of ensembles and
their members (stages 12 and 13) are `ensembles`.
"""

from __future__ import annotations

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
