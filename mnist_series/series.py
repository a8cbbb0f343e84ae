"""Run, prepare and check the notebook series (the project's machinery).

    python -m mnist_series.series run [--stages 01,03-05] [-p epochs=3] [--device cpu]
    python -m mnist_series.series prepare-smoke --out build/smoke
    python -m mnist_series.series sync          # .py -> .ipynb, outputs kept
    python -m mnist_series.series check-pairs   # fails when a pair differs
    python -m mnist_series.series solutions [--stages 04] [-p epochs=2]

`run` with no overrides executes each notebook in place (through a temporary
file, so an interrupted run leaves the committed notebook intact) and writes
results to `results/`; with overrides it writes to `build/talk/` instead.
`solutions` likewise: in place with their own settings (the CPU settings
the exercises give), into `build/solutions/` with overrides.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path

import nbformat
import papermill

from mnist_talk import results
from mnist_talk.files import BUILD, NOTEBOOKS, RESULTS, atomic_path

from . import records, settings, terminal
from .estimates import (
    _minutes, estimate, expected, not_counted, timed_elsewhere)
from .notebooks import (
    SOLUTIONS, SeriesError, _notebook, check_known, check_pairs, hidden_code,
    notebook_ids, pairs, parse_overrides, select, slides_only, solution_ids,
    sync)

def _execute(stage_id: str, output: Path, parameters: dict, *,
             prepare_only: bool = False, log_output: bool = True,
             solutions: bool = False) -> None:
    """papermill one notebook into `output` through a temporary file."""
    with atomic_path(output) as tmp:
        try:
            with terminal.epoch_lines(enabled=log_output and not prepare_only):
                papermill.execute_notebook(
                    str(_notebook(stage_id, solutions)), str(tmp),
                    parameters=parameters,
                    cwd=str(SOLUTIONS if solutions else NOTEBOOKS),
                    kernel_name="python3", progress_bar=False,
                    log_output=log_output, prepare_only=prepare_only)
        except papermill.PapermillExecutionError as exc:
            failed = output.with_suffix(".failed.ipynb")
            os.replace(tmp, failed)
            raise SeriesError(
                f"{stage_id} stopped in cell [{exc.exec_count}] with "
                f"{exc.ename}: {exc.evalue}\n  the partly run notebook is "
                f"{failed}") from exc


def run(ids: list[str], overrides: dict, out: Path | None = None,
        live: bool = False) -> Path:
    """Execute the chosen stages one after the other; return where they went.

    Prints one line as each notebook starts (elapsed time, the estimate for
    it and for the rest, from the last full run) and one as it ends (its
    accuracy and the device it trained on). Records each notebook's wall
    time in `<results_dir>/run.json`. `live` runs each stage at its live
    settings (`settings.LIVE`), under `overrides`.
    """
    if live and out is None:
        out = BUILD / "live"
    every = {sid: {**(settings.live_parameters(sid) if live else {}),
                   **overrides} for sid in ids}
    overrides_asked = bool(overrides)
    for sid in ids:
        check_known(sid, every[sid])
    in_place = not overrides and out is None
    out = NOTEBOOKS if in_place else Path(out or BUILD / "talk")
    results_dir = RESULTS
    if not in_place:
        # the notebooks run in notebooks/: a relative results_dir starts there
        results_dir = NOTEBOOKS / (overrides.get("results_dir")
                                   or out.resolve() / "results")
        overrides = {**overrides, "results_dir": str(results_dir)}
        every = {sid: {**p, "results_dir": str(results_dir)}
                 for sid, p in every.items()}
    where = "in place" if in_place else f"to {out}"
    device = expected(str(overrides.get("device", "auto")))
    print(f"running {len(ids)} notebook(s) {where}: {', '.join(ids)}\n"
          f"device: {device}", flush=True)
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    estimates = {sid: estimate(sid, every[sid]) for sid in ids}
    t0 = time.perf_counter()
    for i, sid in enumerate(ids, 1):
        left = [estimates[s] for s in ids[i - 1:]]
        rest = None if None in left else sum(left)
        unknown = not_counted(sid, every[sid])
        caveat = (f" (not counting {', '.join(unknown)})" if unknown else "")
        elsewhere = timed_elsewhere(sid)
        if elsewhere:
            caveat += f" (timed on {elsewhere})"
        print(f"[{i}/{len(ids)}] {sid} · elapsed "
              f"{_minutes(time.perf_counter() - t0)} · estimated "
              f"{_minutes(estimates[sid])} for it{caveat}, "
              f"{_minutes(rest)} to the end", flush=True)
        t1 = time.perf_counter()
        _execute(sid, out / f"{sid}.ipynb", every[sid])
        wall = time.perf_counter() - t1
        record = records.load_run(results_dir)
        record["stages"][sid] = {
            "run": started, "wall_seconds": round(wall, 1),
            "overrides": {k: v for k, v in every[sid].items()
                          if k != "results_dir"}}
        records.save_run(results_dir, record)
        rec = results.load(results_dir, sid)
        done = (f" · {rec.test_accuracy:.2%} test accuracy · trained "
                f"{_minutes(rec.train_seconds)} on {rec.device}"
                if rec and rec.finished >= started else "")
        print(f"[{i}/{len(ids)}] {sid} · done in {_minutes(wall)}{done}",
              flush=True)
        if live and not overrides_asked and rec and rec.finished >= started:
            _record_live(sid, rec, wall)
    print(f"all done in {_minutes(time.perf_counter() - t0)}", flush=True)
    return out


def _record_live(stage_id: str, rec, wall: float) -> None:
    """Keep a live run's minutes and accuracy in `results/live.json`: the
    docs/presenting.md shows them (`make ladder`)."""
    record = records.read_live(RESULTS)
    record["stages"][stage_id] = {
        "settings": settings.live_parameters(stage_id),
        "epochs": rec.epochs_text,
        "wall_seconds": round(wall, 1),
        "train_seconds": rec.train_seconds,
        "test_accuracy": rec.test_accuracy,
        "device": rec.device, "finished": rec.finished}
    records.save_live(RESULTS, record)


def prepare_smoke(out: Path, ids: list[str] | None = None) -> list[Path]:
    """Copies of the notebooks with smoke parameters injected, not executed.

    nbval then executes each once and compares the cells tagged
    `nbval-check-output` with the committed full run's outputs. A notebook
    whose slideshow hides a code cell also gets `NN_slug.slides.ipynb`,
    the same copy without those cells, which nbval executes after it: the
    run a speaker makes from the slides alone. (A notebook that hides no
    code cell is that run already.)
    """
    made = []
    results_dir = str(out.resolve() / "results")
    for sid in ids or notebook_ids():
        parameters = {**settings.smoke_parameters(sid),
                      "results_dir": results_dir}
        check_known(sid, parameters)
        target = out / f"{sid}.ipynb"
        _execute(sid, target, parameters, prepare_only=True, log_output=False)
        made.append(target)
        nb = nbformat.read(target, as_version=4)
        if hidden_code(nb):
            slides = out / f"{sid}.slides.ipynb"
            nbformat.write(slides_only(nb), slides)
            made.append(slides)
    for sid in solution_ids(ids):
        parameters = settings.practice_smoke_parameters(sid)
        check_known(sid, parameters, solutions=True)
        target = out / "solutions" / f"{sid}.ipynb"
        _execute(sid, target, parameters, prepare_only=True,
                 log_output=False, solutions=True)
        made.append(target)
    return made


def run_solutions(ids: list[str], overrides: dict,
                  out: Path | None = None) -> list[Path]:
    """Execute the solutions notebooks of `ids`, one by one.

    With no overrides and no `out`, in place: each pair takes the outputs
    of a run at its own settings (those its exercises give for a CPU).
    Otherwise into `out` (default build/solutions/). Nothing goes to
    `results/`.
    """
    for sid in ids:
        check_known(sid, overrides, solutions=True)
    if out is None:
        out = BUILD / "solutions" if overrides else SOLUTIONS
    made = []
    for i, sid in enumerate(ids, 1):
        print(f"[{i}/{len(ids)}] solutions of {sid}", flush=True)
        t0 = time.perf_counter()
        target = out / f"{sid}.ipynb"
        _execute(sid, target, overrides, solutions=True)
        print(f"[{i}/{len(ids)}] {target} in "
              f"{_minutes(time.perf_counter() - t0)}", flush=True)
        made.append(target)
    return made


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mnist_series.series",
                                 description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="execute notebooks with papermill")
    r.add_argument("--stages", help="e.g. 01,03-05 (default: all)")
    r.add_argument("-p", "--param", action="append", default=[],
                   metavar="NAME=VALUE", help="override a parameter")
    r.add_argument("--epochs", type=int, help="shorthand for -p epochs=N")
    r.add_argument("--device", help="shorthand for -p device=D")
    r.add_argument("--out", type=Path, help="where executed notebooks go")
    r.add_argument("--live", action="store_true",
                   help="each stage at its live settings, as `make present "
                        "LIVE=1` sets them (default --out build/live)")
    s = sub.add_parser("prepare-smoke", help="inject smoke parameters")
    s.add_argument("--out", type=Path, default=BUILD / "smoke")
    s.add_argument("--stages")
    x = sub.add_parser("solutions", help="run the exercises' solutions")
    x.add_argument("--stages", help="e.g. 04,09 (default: all)")
    x.add_argument("-p", "--param", action="append", default=[],
                   metavar="NAME=VALUE", help="override a parameter")
    x.add_argument("--out", type=Path,
                   help="where executed notebooks go (default: in place "
                        "without -p, build/solutions with it)")
    sub.add_parser("sync", help="update each .ipynb from its .py")
    sub.add_parser("check-pairs", help="fail when a pair is out of sync")
    args = ap.parse_args(argv)
    # `kill` (SIGTERM) unwinds like Ctrl-C, so the temporary notebook is
    # removed and the kernel shut down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if args.cmd == "run":
            terminal.show_notebook_output()
            overrides = parse_overrides(args.param)
            if args.epochs is not None:
                overrides["epochs"] = args.epochs
            if args.device is not None:
                overrides["device"] = args.device
            run(select(args.stages), overrides, args.out, live=args.live)
        elif args.cmd == "prepare-smoke":
            made = prepare_smoke(args.out, select(args.stages))
            print(f"prepared {len(made)} smoke notebook(s) in {args.out}")
        elif args.cmd == "solutions":
            terminal.show_notebook_output()
            chosen = solution_ids(select(args.stages))
            if not chosen:
                raise SeriesError(f"no solutions for {args.stages!r}; these "
                                  f"have some: {', '.join(solution_ids())}")
            run_solutions(chosen, parse_overrides(args.param), args.out)
        elif args.cmd == "sync":
            sync()
        else:
            stale = check_pairs()
            if stale:
                print("out of sync (run `make sync` after editing a .py):\n  "
                      + "\n  ".join(stale), file=sys.stderr)
                return 1
            print(f"{len(pairs())} notebook pair(s) in sync")
    except SeriesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
