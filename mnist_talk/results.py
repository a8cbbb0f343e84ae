"""One JSON file of results per stage, and the ladder they make (stage 01).

Each notebook records its stage, test accuracy, epochs, training seconds,
parameter count, device and library versions in `<results_dir>/<stage>.json`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import stages


class AccuracyError(AssertionError):
    """A stage ended below the accuracy floor it asserts (stage 01)."""


def path(results_dir, stage_id: str) -> Path:
    return Path(results_dir) / f"{stage_id}.json"


def save(results_dir, record: dict) -> Path:
    """Write `record` to `<results_dir>/<stage>.json` atomically (stage 01)."""
    target = path(results_dir, record["stage"])
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(record, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def load(results_dir, stage_id: str) -> dict | None:
    """A stage's recorded results, or None when it has not run (stage 01)."""
    p = path(results_dir, stage_id)
    if not p.exists():
        return None
    return json.loads(p.read_text())


def check_floor(accuracy: float, floor: float) -> None:
    """Fail loudly when `accuracy` is below `floor` (stage 01)."""
    if accuracy < floor:
        raise AccuracyError(
            f"test accuracy {accuracy:.2%} is below this stage's floor "
            f"{floor:.2%}")


def _pct(x):
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


def ladder(results_dir, stage_ids=None) -> Table:
    """Our test accuracy per stage beside the talk's (stage 01 onwards).

    Stages without a results file show a dash: run their notebook first.
    """
    ids = stage_ids or [s.id for s in stages.STAGES]
    rows = []
    for sid in ids:
        st, rec = stages.get(sid), load(results_dir, sid)
        rec = rec or {}
        minutes = rec.get("train_seconds")
        rows.append([
            st.number, st.title, _pct(rec.get("test_accuracy")),
            _pct(st.talk_accuracy),
            f"{rec['params']:,}" if "params" in rec else "—",
            rec.get("epochs", "—"),
            "—" if minutes is None else f"{minutes / 60:.1f}",
        ])
    return Table(["stage", "model", "ours", "talk", "params", "epochs",
                  "train min"], rows)
