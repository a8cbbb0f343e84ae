"""One JSON file of results per stage, and the ladder they make (stage 01).

Each notebook records its stage, test accuracy, epochs, training seconds,
parameter count, device and library versions in `<results_dir>/<stage>.json`.
"""

from __future__ import annotations

from pathlib import Path

from . import stages
from .files import atomic_write, read_json, write_json


class AccuracyError(AssertionError):
    """A stage ended below the accuracy floor it asserts (stage 01)."""


def path(results_dir, stage_id: str) -> Path:
    return Path(results_dir) / f"{stage_id}.json"


def save(results_dir, record: dict) -> Path:
    """Write `record` to `<results_dir>/<stage>.json` atomically (stage 01)."""
    return write_json(path(results_dir, record["stage"]), record)


def load(results_dir, stage_id: str) -> dict | None:
    """A stage's recorded results, or None when it has not run (stage 01)."""
    return read_json(path(results_dir, stage_id))


def predictions_path(results_dir, stage_id: str) -> Path:
    """Where a stage's test-set probabilities are kept (stage 12)."""
    return Path(results_dir) / f"{stage_id}_predictions.npz"


def save_predictions(results_dir, stage_id: str, probabilities,
                     members=None) -> Path:
    """Keep a stage's test-set probabilities for a later stage (stage 12).

    `members`, when given, are the probabilities of each network the
    ensemble averages, kept beside the average so that a later stage can
    compare ensembles of equal size (stage 13).
    """
    import numpy as np

    arrays = {"probabilities": np.asarray(probabilities, dtype="float32")}
    if members is not None:
        arrays["members"] = np.asarray(members, dtype="float32")
    target = predictions_path(results_dir, stage_id)
    with atomic_write(target) as f:
        np.savez_compressed(f, **arrays)
    return target


def load_predictions(results_dir, stage_id: str, members: bool = False):
    """A stage's saved test-set probabilities, or a clear error (stage 13).

    With `members=True`, the probabilities of each network it averaged,
    one row per network.
    """
    import numpy as np

    target = predictions_path(results_dir, stage_id)
    if not target.exists():
        raise FileNotFoundError(
            f"{target} is missing: run notebook {stage_id} first (with the "
            "same results_dir), since this stage builds on its predictions")
    key = "members" if members else "probabilities"
    with np.load(target) as f:
        if key not in f:
            raise KeyError(
                f"{target} holds no {key!r}: it was written by an older "
                f"version of notebook {stage_id}; run that notebook again")
        return f[key]


def check_floor(accuracy: float, floor: float) -> None:
    """Fail loudly when `accuracy` is below `floor` (stage 01)."""
    if accuracy < floor:
        raise AccuracyError(
            f"test accuracy {accuracy:.2%} is below this stage's floor "
            f"{floor:.2%}")


def _errors(probabilities, labels) -> int:
    """How many images' most probable digit is wrong."""
    import numpy as np

    return int((np.asarray(probabilities).argmax(axis=1)
                != np.asarray(labels)).sum())


def accuracy(probabilities, labels) -> float:
    """The share of images whose most probable digit is right (stage 12)."""
    return (len(labels) - _errors(probabilities, labels)) / len(labels)


def members_table(member_probabilities, average, labels) -> Table:
    """Each member's test accuracy and errors beside their average's.

    Introduced in stage 12. The last column is how many fewer errors the
    average makes than the members' mean error count.
    """
    import numpy as np

    errors = [_errors(p, labels) for p in member_probabilities]
    rows = [[f"member {i + 1}", f"{1 - e / len(labels):.2%}", e, ""]
            for i, e in enumerate(errors)]
    mean_errors = float(np.mean(errors))
    ensemble = _errors(average, labels)
    saving = 1 - ensemble / mean_errors if mean_errors else 0.0
    rows.append(["average", f"{1 - ensemble / len(labels):.2%}", ensemble,
                 f"{saving:.0%} fewer than a member's {mean_errors:.1f}"])
    return Table(["model", "test accuracy", "errors", "errors saved"], rows)


def ensemble_sizes(member_probabilities, labels) -> dict:
    """Errors of the average of every subset of members, by subset size.

    Returns {size: sorted list of error counts}, one count per subset of
    that many members (stage 12: what each extra member buys; stage 13:
    the ensembles of equal size without pseudo-labels).
    """
    from itertools import combinations

    import numpy as np

    probs = np.asarray(member_probabilities)
    return {k: sorted(_errors(probs[list(c)].mean(axis=0), labels)
                      for c in combinations(range(len(probs)), k))
            for k in range(1, len(probs) + 1)}


def ensemble_sizes_table(member_probabilities, labels) -> Table:
    """`ensemble_sizes` as a table: median, fewest and most errors (stage 12)."""
    import numpy as np

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
    import numpy as np

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
    import numpy as np

    teacher, labels = np.asarray(teacher), np.asarray(labels)
    keep = teacher.max(axis=1) >= confidence
    wrong = teacher.argmax(axis=1) != labels
    rows = [[f"kept (probability ≥ {confidence:g})", int(keep.sum()),
             int((wrong & keep).sum())],
            ["left out", int((~keep).sum()), int((wrong & ~keep).sum())]]
    return Table(["test images", "how many", "wrong pseudo-labels"], rows)


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


def seeds_table(results_dirs) -> Table:
    """Stages 12 and 13 of several runs side by side (`make seeds`).

    One row per results folder: the run's seed, stage 12's members and
    average, stage 13's students and final ensemble, and the minutes both
    stages trained. The last row gives the final ensemble's median and its
    spread (best minus worst). A folder without both stages is an error.
    """
    import statistics

    rows, finals = [], []
    for folder in map(Path, results_dirs):
        twelve, thirteen = load(folder, "12_averaging"), load(folder,
                                                              "13_pseudo_labels")
        if not (twelve and thirteen):
            raise FileNotFoundError(
                f"{folder} lacks stage 12 or 13's results: run "
                f"`python -m mnist_talk.series run --stages 12-13 "
                f"--out DIR` first, then give DIR/results")
        finals.append(thirteen["test_accuracy"])
        rows.append([
            folder, twelve["parameters"]["seed"],
            " ".join(f"{a:.2%}" for a in twelve["member_accuracies"]),
            _pct(twelve["test_accuracy"]),
            " ".join(f"{a:.2%}" for a in thirteen["member_accuracies"]),
            _pct(thirteen["test_accuracy"]),
            f"{(twelve['train_seconds'] + thirteen['train_seconds']) / 60:.1f}"])
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
    import numpy as np

    total, networks = 0, 0
    for folder in map(Path, results_dirs):
        record = load(folder, "12_averaging")
        if not (record and predictions_path(folder, "12_averaging").exists()):
            return None
        members = record["parameters"]["members"]
        total = total + members * load_predictions(folder, "12_averaging")
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
BENCH_START = "<!-- bench:start (generated by `make bench`; do not edit) -->"
BENCH_END = "<!-- bench:end -->"
AUDIT_START = "<!-- audit:start (generated by `make ladder`; do not edit) -->"
AUDIT_END = "<!-- audit:end -->"
BACKENDS_START = ("<!-- backends:start (generated by `make backends`; "
                  "do not edit) -->")
BACKENDS_END = "<!-- backends:end -->"
RUNS_START = "<!-- runs:start (generated by `make ladder`; do not edit) -->"
RUNS_END = "<!-- runs:end -->"
#: Full runs other than the ladder's: other seeds, other backends.
RUNS_DIR = "runs"
RUN_FILE = "run.json"
BENCH_FILE = "bench.json"
PLOT_FILE = "ladder.svg"


def load_run(results_dir) -> dict:
    """The series runner's record: wall seconds per notebook, per run."""
    return read_json(Path(results_dir) / RUN_FILE, {"stages": {}})


def save_run(results_dir, record: dict) -> None:
    write_json(Path(results_dir) / RUN_FILE, record)


def seconds_per_epoch(rec: dict) -> float | None:
    """A stage's training seconds per epoch of one network.

    Stages 12 and 13 train several members (`epochs` reads "5 × 20"); the
    figure is per epoch of one member.
    """
    if not rec or "train_seconds" not in rec:
        return None
    epochs = rec["epochs"]
    if isinstance(epochs, str):
        members, _, per = epochs.partition("×")
        epochs = int(members) * int(per)
    return rec["train_seconds"] / epochs if epochs else None


def _provenance(results_dir, run: dict) -> str:
    """One line: when, where and with what the stages ran (`run`: run.json)."""
    recs = [r for r in (load(results_dir, s.id) for s in stages.STAGES) if r]
    if not recs:
        return ""
    ran = [run["stages"].get(r["stage"], {}).get("run") for r in recs]
    devices = sorted({r["device"] for r in recs})
    by_versions: dict = {}  # the versions, and the stages that ran with them
    for r in recs:
        key = ", ".join(f"{k} {v}" for k, v in sorted(r["versions"].items()))
        by_versions.setdefault(key, []).append(r["stage"][:2])
    versions = ([*by_versions] if len(by_versions) == 1 else
                [f"{key} (stages {', '.join(ids)})"
                 for key, ids in sorted(by_versions.items(),
                                        key=lambda kv: kv[1])])
    if None not in ran and len(set(ran)) == 1:
        total = sum(run["stages"][r["stage"]]["wall_seconds"] for r in recs)
        when = (f"All {len(recs)} stages come from one run of `make talk` "
                f"started {ran[0]} ({total / 60:.0f} min of wall time)")
    else:
        days = sorted({r["finished"][:10] for r in recs})
        when = f"Runs finished {' to '.join([days[0], days[-1]][:len(days)])}"
        runs = len({r for r in ran if r})
        if runs:
            when += (f" ({runs} run{'s' if runs > 1 else ''} of `make talk` "
                     "and some outside it)" if None in ran else
                     f" ({runs} runs of `make talk`)")
    return (f"{when}, on {'; '.join(devices)}, with "
            f"{'; '.join(versions)}.")


def ladder_markdown(results_dir) -> str:
    """The ladder as Markdown, with wall minutes and provenance."""
    table = ladder(results_dir)
    run = load_run(results_dir)
    table.header.append("wall min")
    for row, s in zip(table.rows, stages.STAGES):
        wall = run["stages"].get(s.id, {}).get("wall_seconds")
        row.append("—" if wall is None else f"{wall / 60:.1f}")
    lines = [table._repr_markdown_(), "", _provenance(results_dir, run)]
    return "\n".join(lines).rstrip() + "\n"


def ladder_plot(results_dir):
    """Test error per stage, ours and the talk's, on a log scale (stage 13).

    Error rather than accuracy: from 87% to 99.6% the last steps would
    otherwise be invisible. The axis is labelled in accuracy and points up.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, NullLocator

    numbers = [s.number for s in stages.STAGES]
    ours = [(load(results_dir, s.id) or {}).get("test_accuracy")
            for s in stages.STAGES]
    talk = [s.talk_accuracy for s in stages.STAGES]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for values, label, style in ((talk, "the talk", "s--"),
                                 (ours, "ours", "o-")):
        xs = [n for n, v in zip(numbers, values) if v is not None]
        ax.plot(xs, [100 * (1 - v) for v in values if v is not None], style,
                label=label)
    ax.set_yscale("log")
    ticks = [40, 20, 10, 5, 2, 1, 0.5, 0.3]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_yticklabels([f"{100 - t:g}%" for t in ticks])
    ax.set_ylim(40, 0.25)  # inverted: the ladder climbs upwards
    ax.set_xlabel("stage")
    ax.set_ylabel("test accuracy (log scale of the error)")
    ax.set_title("The ladder: test accuracy per stage")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_svg(results_dir) -> str:
    """`ladder_plot` as SVG text, the same bytes for the same results."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.hashsalt": "mnist_talk",
                                "svg.fonttype": "path"}):
        fig = ladder_plot(results_dir)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
        plt.close(fig)
    return out.getvalue()


def _f(x, fmt):
    return "—" if x is None else format(x, fmt)


def bench_markdown(record: dict | None, results_dir) -> str:
    """`make bench`'s ratios, and seconds per epoch of every stage."""
    lines = []
    if record is None:
        lines += ["No benchmark has run yet: `make bench`.", ""]
    else:
        peer, ours = record["peer"], record["ours"]
        budget, ratios = record["ours_at_peer_budget"], record["ratios"]
        lines += [
            "| | keras-io convnet (peer) | ours | ours / peer |",
            "|---|---|---|---|",
            f"| seconds to {record['target']:.0%} test accuracy | "
            f"{_f(peer['median_seconds_to_target'], '.1f')} | "
            f"{_f(ours['median_seconds_to_target'], '.1f')} | "
            f"**{_f(ratios['time_to_target'], '.2f')}** |",
            f"| test accuracy after {peer['median_seconds']:.0f} s "
            f"(the peer's {peer['runs'][0]['epochs']} epochs; ours: "
            f"{budget['epochs']}) | {peer['median_final_accuracy']:.2%} | "
            f"{budget['median_final_accuracy']:.2%} | "
            f"{ratios['accuracy_at_peer_budget']:.4f} "
            f"(errors × {ratios['errors_at_peer_budget']:.2f}) |",
            f"| parameters | {peer['runs'][0]['params']:,} | "
            f"{ours['runs'][0]['params']:,} | |",
            "",
            f"Medians of {record['repeats']} runs each (seeds 1 to "
            f"{record['repeats']}), finished {record['finished'][:10]} on "
            f"{record['device']}, with "
            + ", ".join(f"{k} {v}" for k, v in
                        sorted(record["versions"].items())) + ".",
            "",
        ]
    rows = []
    for s in stages.STAGES:
        rec = load(results_dir, s.id)
        spe = seconds_per_epoch(rec)
        rows.append([s.number, s.title, _f(spe, ".1f"),
                     rec["epochs"] if rec else "—",
                     rec["device"] if rec else "—"])
    lines.append(Table(["stage", "model", "s / epoch", "epochs", "device"],
                       rows)._repr_markdown_())
    return "\n".join(lines).rstrip() + "\n"


def replace_block(text: str, start: str, end: str, body: str) -> str:
    """`text` with what lies between the markers `start` and `end` replaced."""
    try:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
    except ValueError:
        raise ValueError(f"the README has no {start} … {end} block") from None
    return head + start + "\n" + body + end + tail


def load_bench(results_dir) -> dict | None:
    """What `make bench` last recorded, or None."""
    return read_json(Path(results_dir) / BENCH_FILE)


def backends_markdown(record: dict | None) -> str:
    """`make backends`' seconds per epoch, one row per backend."""
    if not record:
        return "No backend has been timed yet: `make backends`.\n"
    names = {"dense": "dense (04)", "vgg": "VGG (09)",
             "augmented": "augmented (10)"}
    rows, where = [], set()
    for backend, rec in record["backends"].items():
        if "skipped" in rec:
            rows.append([backend, *["—"] * (len(names) + 2)])
            continue
        per_epoch = {k: v["seconds_per_epoch"]
                     for k, v in rec["models"].items()}
        rows.append([backend, rec["versions"].get(backend, "?"),
                     *[f"{per_epoch[k]:.1f}" for k in names],
                     f"{per_epoch['augmented'] / per_epoch['vgg']:.2f}"])
        where.add(rec["device"])
    table = Table(["backend", "version", *names.values(),
                   "augmented ÷ VGG"], rows)
    return (table._repr_markdown_() + "\n"
            f"Seconds per epoch of {record['images']:,} training images, "
            f"batch {record['batch_size']}, median of epochs 2 and 3 of "
            f"{record['epochs']}, each backend in its own venv, on "
            f"{', '.join(sorted(where)) or '—'}; timed "
            f"{(record.get('finished') or '?')[:10]}.\n")


def _backend(record: dict) -> str:
    return record["device"].rsplit(" via ", 1)[-1]


def runs_markdown(results_dir) -> str:
    """The ladder's run beside the other full runs in `results/runs/*/`.

    One row per stage that some other run has; a column per run (its
    backend and seed); then, over the runs on the ladder's backend, the
    spread (worst to best), and whether each other backend's accuracy
    falls inside it.
    """
    results_dir = Path(results_dir)
    folders = [results_dir] + sorted(
        d for d in (results_dir / RUNS_DIR).glob("*") if d.is_dir())
    runs = []
    for folder in folders:
        records = {st.id: load(folder, st.id) for st in stages.STAGES}
        records = {k: v for k, v in records.items() if v}
        if records:
            first = next(iter(records.values()))
            runs.append((f"{_backend(first)} seed "
                         f"{first['parameters']['seed']}", records))
    if len(runs) < 2:
        return "No other full run is recorded in `results/runs/`.\n"
    home = _backend(next(iter(runs[0][1].values())))
    # the ladder's backend first, then the others, each by seed
    runs.sort(key=lambda run: not run[0].startswith(home + " "))
    ids = [st.id for st in stages.STAGES
           if any(st.id in r for _, r in runs[1:])]
    others = sorted({name.split(" seed")[0] for name, _ in runs}
                    - {home})
    rows = []
    for sid in ids:
        acc = [r.get(sid, {}).get("test_accuracy") for _, r in runs]
        same = [a for (name, _), a in zip(runs, acc)
                if a is not None and name.startswith(home + " ")]
        low, high = min(same), max(same)
        inside = []
        for backend in others:
            theirs = [a for (name, _), a in zip(runs, acc)
                      if a is not None and name.startswith(backend + " ")]
            inside.append(" ".join(_inside(a, low, high, len(same))
                                   for a in theirs) or "—")
        spread = (f"{_pct(low)} to {_pct(high)} "
                  f"({round((high - low) * 10_000)} errors)"
                  if len(same) > 1 else "one run")
        rows.append([sid[:2], *[_pct(a) for a in acc], spread, *inside])
    return Table(["stage", *[name for name, _ in runs],
                  f"{home} spread", *[f"{b} inside?" for b in others]],
                 rows)._repr_markdown_() + "\n"


def _inside(accuracy: float, low: float, high: float, runs: int) -> str:
    """"yes", or by how many test errors `accuracy` is outside [low, high]."""
    if runs < 2:
        return "—"
    if low <= accuracy <= high:
        return "yes"
    if accuracy > high:
        return f"above, by {round((accuracy - high) * 10_000)} errors"
    return f"below, by {round((low - accuracy) * 10_000)} errors"


def replace_ladder(text: str, results_dir) -> str:
    """`text` (the README) with its ladder and bench blocks regenerated."""
    text = replace_block(text, LADDER_START, LADDER_END,
                         ladder_markdown(results_dir))
    if AUDIT_START in text:
        from . import talk  # talk builds on this module's Table

        text = replace_block(text, AUDIT_START, AUDIT_END,
                             talk.audit_table(results_dir)._repr_markdown_()
                             + "\n")
    if RUNS_START in text:
        text = replace_block(text, RUNS_START, RUNS_END,
                             runs_markdown(results_dir))
    if BACKENDS_START in text:
        text = replace_block(text, BACKENDS_START, BACKENDS_END,
                             backends_markdown(read_json(
                                 Path(results_dir) / "backends.json")))
    if BENCH_START in text:
        text = replace_block(text, BENCH_START, BENCH_END,
                             bench_markdown(load_bench(results_dir),
                                            results_dir))
    return text


def main(argv=None) -> int:
    """`python -m mnist_talk.results [--check] README.md`.

    Regenerates the README's ladder and bench blocks and `results/ladder.svg`
    from the results files; `--check` fails when any of them is stale.
    `--seeds DIR...` instead prints `seeds_table` for those results folders.
    """
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m mnist_talk.results")
    ap.add_argument("readme", type=Path, nargs="?")
    ap.add_argument("--results", type=Path,
                    default=Path(__file__).resolve().parents[1] / "results")
    ap.add_argument("--check", action="store_true",
                    help="fail if the README's ladder is out of date")
    ap.add_argument("--seeds", type=Path, nargs="+", metavar="DIR",
                    help="print stages 12-13 of these results folders")
    args = ap.parse_args(argv)
    if args.seeds:
        try:
            print(seeds_table(args.seeds))
            if all(predictions_path(d, "12_averaging").exists()
                   for d in args.seeds):
                from . import data

                print(pooled(args.seeds, data.prepare().y_test))
        except FileNotFoundError as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    if args.readme is None:
        ap.error("name the README to regenerate, or give --seeds")
    text = args.readme.read_text()
    new = replace_ladder(text, args.results)
    plot = args.results / PLOT_FILE
    svg = plot_svg(args.results)
    if args.check:
        stale = [str(p) for p, ok in ((args.readme, new == text),
                                      (plot, plot.exists()
                                       and plot.read_text() == svg)) if not ok]
        if stale:
            print(f"{', '.join(stale)} differ from {args.results}: "
                  "run `make ladder`", file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(new)
    with atomic_write(plot, "w") as f:
        f.write(svg)
    print(f"ladder in {args.readme} and {plot} regenerated from "
          f"{args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
