"""One JSON file of results per stage, and the ladder they make (stage 01).

Each notebook records its stage, test accuracy, epochs, training seconds,
parameter count, device and library versions in `<results_dir>/<stage>.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import stages
from .files import atomic_write


class AccuracyError(AssertionError):
    """A stage ended below the accuracy floor it asserts (stage 01)."""


def path(results_dir, stage_id: str) -> Path:
    return Path(results_dir) / f"{stage_id}.json"


def save(results_dir, record: dict) -> Path:
    """Write `record` to `<results_dir>/<stage>.json` atomically (stage 01)."""
    target = path(results_dir, record["stage"])
    with atomic_write(target, "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")
    return target


def load(results_dir, stage_id: str) -> dict | None:
    """A stage's recorded results, or None when it has not run (stage 01)."""
    p = path(results_dir, stage_id)
    if not p.exists():
        return None
    return json.loads(p.read_text())


def save_predictions(results_dir, stage_id: str, probabilities) -> Path:
    """Keep a stage's test-set probabilities for a later stage (stage 12)."""
    import numpy as np

    target = Path(results_dir) / f"{stage_id}_predictions.npz"
    with atomic_write(target) as f:
        np.savez_compressed(f, probabilities=np.asarray(probabilities,
                                                        dtype="float32"))
    return target


def load_predictions(results_dir, stage_id: str):
    """A stage's saved test-set probabilities, or a clear error (stage 13)."""
    import numpy as np

    target = Path(results_dir) / f"{stage_id}_predictions.npz"
    if not target.exists():
        raise FileNotFoundError(
            f"{target} is missing: run notebook {stage_id} first (with the "
            "same results_dir), since this stage builds on its predictions")
    with np.load(target) as f:
        return f["probabilities"]


def check_floor(accuracy: float, floor: float) -> None:
    """Fail loudly when `accuracy` is below `floor` (stage 01)."""
    if accuracy < floor:
        raise AccuracyError(
            f"test accuracy {accuracy:.2%} is below this stage's floor "
            f"{floor:.2%}")


def last_epochs(history, talk_accuracy: float | None, n: int = 3) -> str:
    """The spread of test accuracy over the last `n` epochs (stage 02 on).

    A single final epoch moves by a few tenths of a point from one epoch to
    the next; this puts our figure and the talk's in that light.
    """
    h = getattr(history, "history", history)
    last = h["val_accuracy"][-n:]
    text = (f"test accuracy over the last {len(last)} epochs: "
            f"{min(last):.2%} to {max(last):.2%}")
    if talk_accuracy is not None:
        text += f"; the talk: {talk_accuracy:.2%}"
    return text


def accuracy(probabilities, labels) -> float:
    """The share of images whose most probable digit is right (stage 12)."""
    import numpy as np

    return float((np.asarray(probabilities).argmax(axis=1)
                  == np.asarray(labels)).mean())


def members_table(member_probabilities, average, labels) -> Table:
    """Each member's test accuracy and errors beside their average's.

    Introduced in stage 12. The last column is how many fewer errors the
    average makes than the members' mean error count.
    """
    import numpy as np

    labels = np.asarray(labels)
    errors = [int((p.argmax(axis=1) != labels).sum())
              for p in member_probabilities]
    rows = [[f"member {i + 1}", f"{1 - e / len(labels):.2%}", e, ""]
            for i, e in enumerate(errors)]
    mean_errors = float(np.mean(errors))
    ensemble = int((average.argmax(axis=1) != labels).sum())
    saving = 1 - ensemble / mean_errors if mean_errors else 0.0
    rows.append(["average", f"{1 - ensemble / len(labels):.2%}", ensemble,
                 f"{saving:.0%} fewer than a member's {mean_errors:.1f}"])
    return Table(["model", "test accuracy", "errors", "errors saved"], rows)


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


LADDER_START = "<!-- ladder:start (generated by `make ladder`; do not edit) -->"
LADDER_END = "<!-- ladder:end -->"


def ladder_markdown(results_dir) -> str:
    """The ladder as Markdown, with where and when its runs happened."""
    table = ladder(results_dir)
    recs = [r for r in (load(results_dir, s.id) for s in stages.STAGES) if r]
    lines = [table._repr_markdown_(), ""]
    if recs:
        days = sorted({r["finished"][:10] for r in recs})
        devices = sorted({r["device"] for r in recs})
        versions = sorted({", ".join(f"{k} {v}" for k, v in
                                     sorted(r["versions"].items()))
                           for r in recs})
        lines.append(f"Runs finished {' to '.join([days[0], days[-1]][:len(days)])}"
                     f" on {'; '.join(devices)}, with {'; '.join(versions)}.")
    return "\n".join(lines).rstrip() + "\n"


def replace_ladder(text: str, results_dir) -> str:
    """`text` (the README) with its ladder block regenerated."""
    try:
        head, rest = text.split(LADDER_START, 1)
        _, tail = rest.split(LADDER_END, 1)
    except ValueError:
        raise ValueError(f"the README has no {LADDER_START} … {LADDER_END} "
                         "block") from None
    return (head + LADDER_START + "\n" + ladder_markdown(results_dir)
            + LADDER_END + tail)


def main(argv=None) -> int:
    """`python -m mnist_talk.results [--check] README.md`."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m mnist_talk.results")
    ap.add_argument("readme", type=Path)
    ap.add_argument("--results", type=Path,
                    default=Path(__file__).resolve().parents[1] / "results")
    ap.add_argument("--check", action="store_true",
                    help="fail if the README's ladder is out of date")
    args = ap.parse_args(argv)
    text = args.readme.read_text()
    new = replace_ladder(text, args.results)
    if args.check:
        if new != text:
            print(f"{args.readme}'s ladder differs from {args.results}: "
                  "run `make ladder`", file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(new)
    print(f"ladder in {args.readme} regenerated from {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
