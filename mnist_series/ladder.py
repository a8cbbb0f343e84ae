"""The ladder: every stage's result beside the talk's, with wall minutes
and where the runs came from (the README's block), and its plot
(`results/ladder.svg`). `make ladder` writes both (`report`).
"""

from __future__ import annotations

import io
import statistics

from mnist_talk import evidence, results, stages, tables
from mnist_talk.tables import pct

from . import records

#: The plot, in the results folder.
PLOT_FILE = "ladder.svg"


def _provenance(results_dir, run: dict) -> str:
    """One line: when, where and with what the stages ran (`run`: run.json)."""
    recs = [r for r in (results.load(results_dir, s.id)
                        for s in stages.STAGES) if r]
    if not recs:
        return ""
    ran = [run["stages"].get(r.stage, {}).get("run") for r in recs]
    devices = sorted({r.device for r in recs})
    by_versions: dict = {}  # the versions, and the stages that ran with them
    for r in recs:
        key = ", ".join(f"{k} {v}" for k, v in sorted(r.versions.items()))
        by_versions.setdefault(key, []).append(r.stage[:2])
    versions = ([*by_versions] if len(by_versions) == 1 else
                [f"{key} (stages {', '.join(ids)})"
                 for key, ids in sorted(by_versions.items(),
                                        key=lambda kv: kv[1])])
    walls = [run["stages"].get(r.stage, {}).get("wall_seconds") for r in recs]
    total = (None if None in walls else
             f"{sum(walls) / 60:.0f} min of wall time")
    if None not in ran and len(set(ran)) == 1:
        when = (f"All {len(recs)} stages come from one run of `make talk` "
                f"started {ran[0]}" + (f" ({total})" if total else ""))
    else:
        days = sorted({r.finished[:10] for r in recs})
        when = f"Runs finished {' to '.join([days[0], days[-1]][:len(days)])}"
        runs = len({r for r in ran if r})
        said = []
        if runs:
            said.append(f"{runs} run{'s' if runs > 1 else ''} of `make talk`"
                        + (" and some outside it" if None in ran else ""))
        if total:
            said.append(f"{total} in all")
        if said:
            when += f" ({', '.join(said)})"
    return (f"{when}, on {'; '.join(devices)}, with "
            f"{'; '.join(versions)}.")


def seed_accuracies(results_dir, stage_id: str) -> list[float]:
    """The stage's test accuracy in every run on the ladder's backend, the
    ladder's own seed first (`results.seeds`)."""
    found = results.seeds(results_dir, stage_id)
    own = results.load(results_dir, stage_id)
    if own is None:
        return []
    seed = own.parameters.get("seed")
    return [own.test_accuracy] + [r.test_accuracy for s, r in found.items()
                                  if s != seed]


def ladder_markdown(results_dir) -> str:
    """The ladder as Markdown, with wall minutes, the seeds' median and
    spread, the test set's own noise, and provenance."""
    table = tables.ladder(results_dir)
    run = records.load_run(results_dir)
    table.header += ["wall min", "seeds: median (spread, errors)",
                     "noise ± errors"]
    for row, s in zip(table.rows, stages.STAGES):
        wall = run["stages"].get(s.id, {}).get("wall_seconds")
        row.append("—" if wall is None else f"{wall / 60:.1f}")
        seeds = seed_accuracies(results_dir, s.id)
        if len(seeds) >= 3:
            row.append(f"{pct(statistics.median(seeds))} of {len(seeds)} "
                       f"({round((max(seeds) - min(seeds)) * 10_000)})")
        else:
            row.append(f"{len(seeds)} run{'s' if len(seeds) != 1 else ''}")
        row.append(f"{evidence.noise(seeds[0]):.0f}" if seeds else "—")
    lines = [table._repr_markdown_(), "", _provenance(results_dir, run)]
    return "\n".join(lines).rstrip() + "\n"


def ladder_plot(results_dir):
    """Test error per stage, ours and the talk's, on a log scale (stage 13).

    Error rather than accuracy: from 87% to 99.6% the last steps would
    otherwise be invisible. The axis is labelled in accuracy and points up.
    """
    import matplotlib.pyplot as plt  # here: only a plot needs matplotlib
    from matplotlib.ticker import FixedLocator, NullLocator

    numbers = [s.number for s in stages.STAGES]
    recs = [results.load(results_dir, s.id) for s in stages.STAGES]
    ours = [r and r.test_accuracy for r in recs]
    talk = [s.talk_accuracy for s in stages.STAGES]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for values, label, style in ((talk, "the talk", "s--"),
                                 (ours, "ours (seed 1)", "o-")):
        xs = [n for n, v in zip(numbers, values) if v is not None]
        ax.plot(xs, [100 * (1 - v) for v in values if v is not None], style,
                label=label)
    seeds = [seed_accuracies(results_dir, s.id) for s in stages.STAGES]
    spread = [(n, a) for n, a in zip(numbers, seeds) if len(a) >= 3]
    if spread:
        xs = [n for n, _ in spread]
        ax.vlines(xs, [100 * (1 - max(a)) for _, a in spread],
                  [100 * (1 - min(a)) for _, a in spread], colors="C1",
                  alpha=0.35, linewidth=8, label="our seeds, worst to best")
        ax.plot(xs, [100 * (1 - statistics.median(a)) for _, a in spread],
                "_", color="C1", markersize=14, markeredgewidth=2,
                label="their median")
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
