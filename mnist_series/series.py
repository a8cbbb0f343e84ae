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
import contextlib
import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import jupytext
import nbformat
import papermill
import yaml

from mnist_talk import devices, live, results, stages
from mnist_talk.files import BUILD, NOTEBOOKS, RESULTS, atomic_path, atomic_write

from . import records, settings

#: The exercises' solutions: pairs as the stages are, `NN_slug.py` the source
#: and `NN_slug.ipynb` with the outputs of a run at the solution's own
#: settings (`make solutions`); `make test` runs them at smoke settings.
SOLUTIONS = NOTEBOOKS / "solutions"


class SeriesError(RuntimeError):
    """A bad request to the series runner: says what to do instead."""


def notebook_ids() -> list[str]:
    """The stages that have a notebook pair, in the manifest's order."""
    return [s.id for s in stages.STAGES
            if (NOTEBOOKS / f"{s.id}.py").exists()]


def select(spec: str | None) -> list[str]:
    """Stage ids from "01,03-05" (numbers or full ids); all when empty."""
    available = notebook_ids()
    if not spec:
        return available
    by_number = {sid[:2]: sid for sid in available}
    chosen = []
    for part in spec.split(","):
        part = part.strip()
        lo, _, hi = part.partition("-")
        if hi and lo.isdigit() and hi.isdigit() and int(lo) > int(hi):
            raise SeriesError(
                f"the range {part!r} runs backwards and selects nothing: "
                f"write it low to high, e.g. {hi}-{lo}")
        numbers = ([f"{n:02d}" for n in range(int(lo), int(hi) + 1)]
                   if hi and lo.isdigit() and hi.isdigit() else [part[:2]])
        for n in numbers:
            if n not in by_number:
                raise SeriesError(
                    f"no notebook for stage {n!r} (from {spec!r}); "
                    f"available: {', '.join(available)}")
            if by_number[n] not in chosen:
                chosen.append(by_number[n])
    return chosen


def parse_overrides(pairs: list[str]) -> dict:
    """`["epochs=3", "device=cpu"]` -> `{"epochs": 3, "device": "cpu"}`."""
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.isidentifier():
            raise SeriesError(f"override {pair!r} is not NAME=VALUE")
        found[name] = yaml.safe_load(value)
    return found


def solution_ids(ids: list[str] | None = None) -> list[str]:
    """The stages (of `ids`, or all) that have a solutions notebook, in
    the manifest's order."""
    return [s.id for s in stages.STAGES
            if (ids is None or s.id in ids)
            and (SOLUTIONS / f"{s.id}.py").exists()]


def _notebook(stage_id: str, solutions: bool = False) -> Path:
    """The .ipynb papermill reads: a stage's pair, or its solutions' pair
    (a solutions .py without one yet is converted into build/)."""
    if not solutions:
        return NOTEBOOKS / f"{stage_id}.ipynb"
    source = SOLUTIONS / f"{stage_id}.py"
    if not source.exists():
        raise SeriesError(f"stage {stage_id} has no solutions notebook "
                          f"({source}); these do: {', '.join(solution_ids())}")
    if source.with_suffix(".ipynb").exists():
        return source.with_suffix(".ipynb")
    target = BUILD / "solutions-source" / f"{stage_id}.ipynb"
    with atomic_write(target, "w", encoding="utf-8") as f:
        jupytext.write(jupytext.read(source), f, fmt="ipynb")
    return target


def declared_parameters(stage_id: str, solutions: bool = False) -> dict:
    """The names and defaults in a notebook's `parameters` cell."""
    inspected = papermill.inspect_notebook(str(_notebook(stage_id, solutions)))
    return {name: p["default"] for name, p in inspected.items()}


def check_known(stage_id: str, overrides: dict,
                solutions: bool = False) -> None:
    """Refuse parameters a notebook does not declare (papermill only warns)."""
    known = declared_parameters(stage_id, solutions)
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise SeriesError(
            f"unknown parameter(s) {', '.join(unknown)} for {stage_id}"
            f"{' (solutions)' if solutions else ''}; its parameters are: "
            f"{', '.join(known)}")


def _execute(stage_id: str, output: Path, parameters: dict, *,
             prepare_only: bool = False, log_output: bool = True,
             solutions: bool = False) -> None:
    """papermill one notebook into `output` through a temporary file."""
    with atomic_path(output) as tmp:
        try:
            with _epoch_lines(enabled=log_output and not prepare_only):
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


@contextlib.contextmanager
def _epoch_lines(enabled: bool = True):
    """Print each epoch's line to the terminal while a notebook trains.

    The notebook shows its training as one live figure and status line
    (`live.Board`), which papermill's log does not see; the board also
    appends every epoch's line to the file named by `$MNIST_TALK_EPOCH_LOG`,
    which the kernel inherits from us, and a thread prints that file as
    it grows.
    """
    if not enabled:
        yield
        return
    fd, name = tempfile.mkstemp(prefix="mnist-talk-epochs-", suffix=".log")
    os.close(fd)
    done = threading.Event()

    def follow():
        with open(name, encoding="utf-8") as f:
            while not done.is_set():
                line = f.readline()
                if line:
                    print(f"    {line.rstrip()}", flush=True)
                else:
                    time.sleep(0.2)
            # The lines written between the last read and `done`: without
            # this read they were lost whenever the two came close together.
            for line in f.read().splitlines():
                print(f"    {line.rstrip()}", flush=True)

    previous = os.environ.get(live.LOG_VARIABLE)
    os.environ[live.LOG_VARIABLE] = name
    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    try:
        yield
    finally:
        done.set()
        reader.join(timeout=5)
        if previous is None:
            os.environ.pop(live.LOG_VARIABLE, None)
        else:
            os.environ[live.LOG_VARIABLE] = previous
        Path(name).unlink(missing_ok=True)


# What the estimate scales by, and what leaves a notebook's work as it was.
SCALED = ("epochs", "train_size", "members")
SAME_WORK = ("seed", "device", "accuracy_floor", "results_dir", "dropout")


def _scale(stage_id: str, overrides: dict) -> float:
    """How much longer than its full run a notebook should take."""
    scale = 1.0
    declared = declared_parameters(stage_id)
    for name in SCALED:
        if name in overrides and name in declared:
            try:
                default = float(str(declared[name]).replace("_", ""))
                scale *= float(overrides[name]) / default
            except (TypeError, ValueError, ZeroDivisionError):
                pass
    return scale


def not_counted(stage_id: str, overrides: dict) -> list[str]:
    """Overrides that change a notebook's work but not its estimate.

    A wider network or another batch size costs time that no record
    predicts; the runner names them beside the estimate instead of
    pretending it knows.
    """
    declared = declared_parameters(stage_id)
    return [f"{name}={value}" for name, value in overrides.items()
            if name not in SCALED + SAME_WORK and name in declared
            and str(value) != str(declared[name])]


def timed_elsewhere(stage_id: str) -> str | None:
    """The backend of the run the estimate comes from, when this run is
    on another one (whose epochs can take several times as long)."""
    rec = results.load(RESULTS, stage_id)
    here = os.environ.get("KERAS_BACKEND", "tensorflow")
    return rec.backend if rec and rec.backend != here else None


def estimate(stage_id: str, overrides: dict) -> float | None:
    """Seconds a notebook should take, from the last full run's records.

    The wall time the runner recorded for it, or else its training time
    plus half a minute; scaled by the epochs, images and members asked for.
    None when the stage has never run.
    """
    full = RESULTS
    wall = records.load_run(full)["stages"].get(stage_id, {})
    if wall.get("wall_seconds") and not wall.get("overrides"):
        seconds = wall["wall_seconds"]
    else:
        rec = results.load(full, stage_id)
        if not rec:
            return None
        seconds = rec.train_seconds + 30
    return seconds * _scale(stage_id, overrides)


def expected(device: str = "auto") -> str:
    """What `use_device(device)` will most likely pick, without starting a
    backend (the series runner prints it; each notebook reports the real one).
    """
    device = devices.parse(device)
    kind, index = device.kind, device.index
    gpu = shutil.which("nvidia-smi") is not None
    if kind == "cpu" or (kind == "auto" and not gpu):
        why = "" if kind == "cpu" else ", no nvidia-smi on this machine"
        return f"{device} -> CPU ({os.cpu_count()} cores{why})"
    return f"{device} -> GPU {index or 0} via {devices.backend_name()}"


def _minutes(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds / 60:.1f} min"


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


#: The slide types a slideshow (RISE, the static decks) does not show.
HIDDEN = ("skip", "notes")


def slide_type(cell) -> str | None:
    """The cell's slide type (RISE's `slideshow` metadata), or None."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def shown(cell) -> bool:
    """Whether a slideshow shows `cell`, so a speaker can run it there."""
    return slide_type(cell) not in HIDDEN


def hidden_code(nb) -> list[int]:
    """The indices of the code cells a slideshow does not show."""
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and not shown(c)]


def slides_only(nb):
    """A copy of `nb` without the code cells its slideshow hides: what a
    speaker presenting from the slides can run, in the same order."""
    copy = nbformat.from_dict(nb)
    copy.cells = [c for i, c in enumerate(nb.cells)
                  if i not in set(hidden_code(nb))]
    return copy


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
        parameters = {**settings.smoke_parameters(sid), "results_dir": results_dir}
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


def _cells(nb) -> list[tuple]:
    """What a pair must agree on: each cell's type, source, tags and slide."""
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", [])),
             c.metadata.get("slideshow", {}).get("slide_type"))
            for c in nb.cells]


def pairs(ids: list[str] | None = None) -> list[tuple[str, Path, Path]]:
    """Every pair (name, .py, .ipynb): the stages', then their solutions'."""
    found = [(sid, NOTEBOOKS / f"{sid}.py", NOTEBOOKS / f"{sid}.ipynb")
             for sid in ids or notebook_ids()]
    found += [(f"solutions/{sid}", SOLUTIONS / f"{sid}.py",
               SOLUTIONS / f"{sid}.ipynb") for sid in solution_ids(ids)]
    return found


def check_pairs(ids: list[str] | None = None) -> list[str]:
    """The pairs whose .py and .ipynb disagree (empty when all in sync)."""
    stale = []
    for sid, py, ipynb in pairs(ids):
        if not ipynb.exists():
            stale.append(f"{sid}: {ipynb.name} is missing")
            continue
        a = _cells(jupytext.read(py))
        b = _cells(nbformat.read(ipynb, as_version=4))
        if a != b:
            first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y),
                         min(len(a), len(b)))
            stale.append(f"{sid}: cell {first} differs ({len(a)} cells in "
                         f".py, {len(b)} in .ipynb)")
    return stale


def sync(ids: list[str] | None = None) -> None:
    """Push each .py into its .ipynb, keeping the .ipynb's outputs."""
    for _, py, _ in pairs(ids):
        subprocess.run([sys.executable, "-m", "jupytext", "--update",
                        "--to", "ipynb", str(py)], check=True)


def _show_notebook_output() -> None:
    """Stream what the notebooks print (the epoch lines) to the terminal."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("    %(message)s"))
    handler.addFilter(lambda r: not str(r.msg).startswith(
        ("Executing Cell", "Ending Cell", "Executing notebook", "Input ",
         "Output ", "Black is not installed")) and str(r.msg).strip() != "")
    log = logging.getLogger("papermill")
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    log.propagate = False


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
            _show_notebook_output()
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
            _show_notebook_output()
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
