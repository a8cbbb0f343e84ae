"""The numbers a notebook's "What we see" rests on, computed from its run.

Introduced in stage 01. A sentence in a notebook that cites a number or a
trend has a cell above it that prints that number from the run's history,
its results file or the talk's transcribed log (`mnist_talk.talk`), so a
rerun cannot leave the text behind; `tests/test_claims.py` checks the
sentences that stay in prose against the committed runs.
"""

from __future__ import annotations

import numpy as np

from . import results, talk
from .live import Status
from .results import TEST_IMAGES
from .tables import Table


def _history(history) -> dict:
    """A Keras `History`, its `.history` dict, or a results record's one run."""
    h = getattr(history, "history", history)
    if h and all(isinstance(v, dict) for v in h.values()):  # {label: {...}}
        if len(h) != 1:
            raise ValueError("pass one training's history, not "
                             f"{len(h)}: {', '.join(h)}")
        h = next(iter(h.values()))
    return h


def falls(values) -> int:
    """In how many epochs a value is lower than the epoch before."""
    return int(sum(b < a for a, b in zip(values, values[1:])))


def largest_move(values) -> float:
    """The largest change between two consecutive epochs (0 for one epoch)."""
    return float(np.abs(np.diff(values)).max()) if len(values) > 1 else 0.0


def errors(accuracy: float) -> int:
    """Test errors out of 10,000 images for a test accuracy."""
    return round((1 - accuracy) * TEST_IMAGES)


def noise(accuracy: float, n: int = TEST_IMAGES) -> float:
    """The test set's own noise in errors: one standard deviation of the
    error count that another n images drawn like these would give at this
    accuracy (binomial: sqrt(n p (1 - p)); about 5 errors at 99.7%)."""
    return (n * accuracy * (1 - accuracy)) ** 0.5


def across_seeds(before: str, stage: str, results_dir=None) -> Status:
    """Test errors of `before` and `stage` for each seed the repository
    has run both with (`results.seeds`), their difference, and the test
    set's own noise beside it: what one run can and cannot tell."""
    from .files import RESULTS

    a = results.seeds(results_dir or RESULTS, before)
    b = results.seeds(results_dir or RESULTS, stage)
    common = [s for s in b if s in a]
    if not common:
        return Status(f"no seed has run both {before[:2]} and {stage[:2]}")
    diffs = [errors(b[s].test_accuracy) - errors(a[s].test_accuracy)
             for s in common]
    rows = [[f"seed {s}", errors(a[s].test_accuracy),
             errors(b[s].test_accuracy), f"{d:+d}"]
            for s, d in zip(common, diffs)]
    table = Table(["run", f"errors {before[:2]}", f"errors {stage[:2]}",
                   "difference"], rows)
    fewer = sum(d < 0 for d in diffs)
    sd = max(noise(b[s].test_accuracy) for s in common)
    median = sorted(diffs)[len(diffs) // 2]
    line = (f"{stage[:2]} makes fewer errors than {before[:2]} with "
            f"{fewer} of {len(common)} seeds; median difference "
            f"{median:+d} errors · the test set's own noise: about "
            f"±{sd:.0f} errors per run")
    return Status(table._repr_markdown_() + "\n\n" + line)


def curves(history) -> Status:
    """The training loss's trend and the test accuracy's range and moves."""
    h = _history(history)
    loss, acc = h["loss"], h["val_accuracy"]
    n = len(loss)
    last = acc[-3:]
    return Status(
        f"training loss {loss[0]:.3g} → {loss[-1]:.3g}, falling in "
        f"{falls(loss)} of {n - 1} epochs · test accuracy {min(acc):.2%} to "
        f"{max(acc):.2%}; over the last {len(last)} epochs {min(last):.2%} "
        f"to {max(last):.2%} · largest move between two epochs "
        f"{100 * largest_move(acc):.2f} points · last epoch: training "
        f"accuracy {h['accuracy'][-1]:.2%}, test {acc[-1]:.2%}")


def errors_table(rows) -> Table:
    """Named runs as a table: `rows` holds (name, epochs, test accuracy)."""
    return Table(
        ["run", "epochs", "test accuracy", "test errors"],
        [[name, epochs, f"{acc:.2%}", errors(acc)]
         for name, epochs, acc in rows])


def versus(results_dir, before: str, after: str) -> str | None:
    """Test errors, parameters and seconds per epoch: `before` → `after`."""
    a, b = results.load(results_dir, before), results.load(results_dir, after)
    if not a or not b:
        return None
    text = (f"stage {before[:2]} → {after[:2]}: test errors "
            f"{errors(a.test_accuracy)} → {errors(b.test_accuracy)} · "
            f"parameters {a.parameter_count:,} → {b.parameter_count:,} "
            f"({b.parameter_count / a.parameter_count:.2f}×)")
    sa, sb = a.seconds_per_epoch, b.seconds_per_epoch
    if sa and sb:
        text += f" · {sa:.1f} → {sb:.1f} s per epoch"
    return text


def talk_log(stage_id: str) -> str:
    """The talk's headline for a stage beside what its own log shows."""
    headline = talk.TALK[stage_id]["headline"]
    summary = talk.log_summary(stage_id)
    if summary is None:
        return f"the talk: {headline:.2%}, {talk.verdict(stage_id)}"
    text = (f"the talk: {headline:.2%}; its log: last epoch "
            f"{summary['last']:.2%}, best {summary['best']:.2%}; "
            f"{talk.verdict(stage_id)}")
    own = talk.log_summary(stage_id, own_model_only=True)
    if own and own != summary:
        text += (f"; this stage's own run ended at {own['last']:.2%} "
                 f"(best {own['best']:.2%})")
    return text


def summary(results_dir, stage_id: str, history, before: str | None = None
            ) -> Status:
    """The lines a stage's "What we see" cites, as a Markdown list.

    Ours: the curves of `history`, and the comparison with stage `before`
    when given; then the talk's headline against its own log.
    """
    lines = [str(curves(history))]
    if before:
        lines.append(versus(results_dir, before, stage_id)
                     or f"stage {before[:2]} has not run")
    lines.append(talk_log(stage_id))
    return Status("\n".join(f"- {line}" for line in lines))
