"""Present the notebooks live: JupyterLab with RISE, on copies of them.

    python -m mnist_series.present [--reset] [--folder build/present]

`make present` (and `make lab`) runs this. It never touches a tracked file:

- the notebooks are copied into `build/present/` (git-ignored), and Lab is
  rooted there, so what RISE saves on entering the slideshow, and what a
  speaker runs or edits, stays in the copies. A copy is refreshed only when
  the committed notebook is newer than it, so a session in progress
  survives a restart; `--reset` (`make present RESET=1`), or deleting
  `build/present/`, starts again from the committed notebooks;
- the copies are not paired with a `.py`: their `jupytext` metadata is
  dropped and Lab runs without jupytext's contents manager, so a save
  writes the `.ipynb` alone, as the notebook format does;
- `results/` is copied into `build/results/`, where the notebooks'
  `results_dir = "../results"` points from `build/present/`: a result cell
  run live writes there, and stage 13 finds stage 12's predictions and
  network there (`results/models/` comes along);
- the drawing page (`mnist_series.draw`) goes into `build/present/draw/`,
  where JupyterLab serves it to stage 13's slide "Draw a digit";
- `rise.css` beside the copies (RISE loads it with every notebook of the
  folder) sets the slides' text size for a projector.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
from pathlib import Path

from mnist_talk import saved
from mnist_talk.files import (BUILD, NOTEBOOKS, RESULTS, ROOT, atomic_write,
                              read_json, write_json)

from . import draw, series, settings
from .copies import _unpaired
from .notebooks import declared_parameters

PRESENT = BUILD / "present"

#: The `rise` metadata every notebook carries (tests/test_present.py checks
#: it): white, the light theme whose fonts ship with RISE ("simple" and most
#: others fetch Google Fonts); no transition; no scrolling, so that a slide
#: too big shows as too big rather than as a scroll box. No width or height:
#: RISE's CSS keeps the slides as wide as the window whatever they say, and
#: on a window larger than a fixed size reveal.js scales them off-screen.
RISE = {"scroll": False, "theme": "white", "transition": "none"}

#: What RISE loads from `rise.css` beside the notebooks (this package's
#: `rise.css`, written there by `prepare`): the sizes of the
#: static decks (slides/templates/offline), so that what fits there fits
#: here, and a room can read it at 1280x720. RISE keeps reveal.js's slides
#: as wide as the window (its own CSS), so its slides are wider than the
#: static decks' 960 px; the heights compare.
RISE_CSS = (Path(__file__).with_name("rise.css")
            .read_text(encoding="utf-8"))


class PresentError(RuntimeError):
    """The copies cannot be made where asked: says where they may go."""


def _newer(src: Path, dst: Path) -> bool:
    return not dst.exists() or src.stat().st_mtime > dst.stat().st_mtime


def _check_folder(folder: Path) -> Path:
    """The copies and their results folder (`folder/../results`) must not
    land on tracked files: under build/, or outside the repository."""
    folder, root = Path(folder).resolve(), ROOT.resolve()
    if root in folder.parents or folder == root:
        if (root / "build") not in folder.parents:
            raise PresentError(
                f"{folder} is in the repository but not under build/: the "
                "copies and their ../results would overwrite tracked files; "
                "use build/present (the default) or a folder outside it")
    return folder


def live_parameters(overrides: dict | None = None,
                    live: bool = False) -> dict[str, dict]:
    """Each stage's settings for the copies: its live preset
    (`settings.LIVE`) when `live`, under `overrides` (`-p NAME=VALUE`, for
    the stages that declare NAME)."""
    found = {}
    for sid in series.notebook_ids():
        chosen = settings.live_parameters(sid) if live else {}
        if overrides:
            declared = declared_parameters(sid)
            chosen.update({k: v for k, v in overrides.items()
                           if k in declared})
        if chosen:
            found[sid] = chosen
    return found


def _digest(path: Path) -> str | None:
    return (hashlib.sha256(path.read_bytes()).hexdigest()
            if path.exists() else None)


def prepare(folder: Path = PRESENT, *, reset: bool = False,
            notebooks: Path = NOTEBOOKS, results: Path = RESULTS,
            parameters: dict[str, dict] | None = None, full: bool = False
            ) -> dict[str, list[str]]:
    """Fill `folder` with the notebooks to present, `folder/../results` with
    the results, and write `folder/rise.css`.

    Returns the notebooks `copied` (new, or the committed one is newer than
    the copy), `same` (the copy is as it was copied) and `kept` (the copy
    was changed, by RISE's save on entering the slides or a speaker's run,
    and is newer than the committed notebook: a session in progress).
    `reset` first deletes the copies and the copied results. The
    exercises' solutions go to `folder/solutions/`, as notebooks.
    `parameters` (by stage, from `live_parameters`) prepares those stages'
    copies at other settings; a copy left as prepare wrote it (its digest
    is in `folder/.prepared.json`) takes a change of settings at once.
    The copies are the talk's cut (`cut.talk`) unless `full`."""
    folder = _check_folder(folder)
    results_copy = folder.parent / "results"
    ids = series.notebook_ids()
    if reset:
        for sid in ids:
            (folder / f"{sid}.ipynb").unlink(missing_ok=True)
        shutil.rmtree(folder / "solutions", ignore_errors=True)
        shutil.rmtree(folder / ".ipynb_checkpoints", ignore_errors=True)
        shutil.rmtree(results_copy, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    results_copy.mkdir(parents=True, exist_ok=True)
    report: dict[str, list[str]] = {"copied": [], "same": [], "kept": []}
    copies = [(Path(notebooks) / f"{sid}.ipynb", folder / f"{sid}.ipynb")
              for sid in ids]
    for sid in ids:  # the solutions' pair, or a .py without one yet
        for src in (Path(notebooks) / "solutions" / f"{sid}{ext}"
                    for ext in (".ipynb", ".py")):
            if src.exists():
                copies.append((src, folder / "solutions" / f"{sid}.ipynb"))
                break
    ledger = folder / ".prepared.json"
    written = read_json(ledger, {})
    try:
        for src, dst in copies:
            name = dst.relative_to(folder).as_posix()
            stage = src.parent == Path(notebooks)
            text = _unpaired(src, (parameters or {}).get(src.stem)
                             if stage else None, full)
            untouched = written.get(name) == _digest(dst)
            if _newer(src, dst) or (untouched and dst.read_text() != text):
                with atomic_write(dst, "w") as f:
                    f.write(text)
                written[name] = _digest(dst)
                outcome = "copied"
            else:
                outcome = "same" if dst.read_text() == text else "kept"
            report[outcome].append(name)
    finally:
        write_json(ledger, written)
    for src in sorted(Path(results).iterdir()):
        if src.is_file() and _newer(src, results_copy / src.name):
            shutil.copy2(src, results_copy / src.name)
    kept = Path(results) / saved.FOLDER  # the stages' networks (stage 13)
    if kept.is_dir():
        (results_copy / saved.FOLDER).mkdir(exist_ok=True)
        for src in sorted(kept.iterdir()):
            dst = results_copy / saved.FOLDER / src.name
            if src.is_file() and _newer(src, dst):
                shutil.copy2(src, dst)
    try:  # the drawing page, served by JupyterLab beside the notebooks
        draw.assemble(folder / "draw", results)
    except draw.DrawError as err:
        print(f"the drawing page is left out: {err}")
    css = folder / "rise.css"
    if not css.exists() or css.read_text() != RISE_CSS:
        css.write_text(RISE_CSS)
    return report


def lab_command(folder: Path = PRESENT, *extra: str) -> list[str]:
    """The JupyterLab command `make present` runs (as root too), rooted at
    the copies, without jupytext's contents manager."""
    return [sys.executable, "-m", "jupyterlab", "--allow-root",
            f"--ServerApp.root_dir={Path(folder).resolve()}",
            "--ServerApp.jpserver_extensions=jupyterlab_jupytext=False",
            # nothing asks PyPI for news or extensions: the talk runs offline
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # and no "Jupyter news" prompt beside the slides
            "--LabApp.news_url=None",
            *extra]


def _shown(path: Path) -> str:
    """`path` as a speaker or student reads it best: relative to where
    they are when it is below, absolute when it is elsewhere (their home)."""
    path = Path(path).resolve()
    here = Path.cwd().resolve()
    return os.path.relpath(path) if here in path.parents else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mnist_series.present",
        description="Copy the notebooks into build/present and start "
                    "JupyterLab with RISE there; other arguments go to "
                    "JupyterLab.")
    parser.add_argument("--reset", action="store_true",
                        help="start again from the committed notebooks and "
                             "results (drops what was run or edited live)")
    parser.add_argument("--folder", type=Path, default=PRESENT,
                        help="where the copies go (default: build/present)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="prepare the copies, do not start JupyterLab")
    parser.add_argument("--live", action="store_true",
                        help="the live settings: each training cell about "
                             "a minute on a laptop's CPU (settings.LIVE)")
    parser.add_argument("--full", action="store_true",
                        help="every slide, not the talk's cut")
    parser.add_argument("-p", "--param", action="append", default=[],
                        metavar="NAME=VALUE",
                        help="set a parameter in every copy that has it")
    args, lab_args = parser.parse_known_args(argv)
    try:
        overrides = series.parse_overrides(args.param)
        for name in overrides:
            if not any(name in declared_parameters(sid)
                       for sid in series.notebook_ids()):
                raise series.SeriesError(
                    f"no notebook has a parameter {name!r}; stage 01's are: "
                    f"{', '.join(declared_parameters('01_linear'))}")
        chosen = live_parameters(overrides, args.live)
        report = prepare(args.folder, reset=args.reset, parameters=chosen,
                         full=args.full)
    except (PresentError, series.SeriesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    folder = Path(args.folder).resolve()
    line = (f"presenting copies in {_shown(folder)}/ "
            f"({len(report['copied'])} copied from notebooks/, "
            f"{len(report['same'])} unchanged")
    if report["kept"]:
        line += (f", {len(report['kept'])} kept as they were left live: "
                 f"{', '.join(n[:2] for n in report['kept'])}; "
                 "`make present RESET=1` starts again")
    print(f"{line}); results go to {_shown(folder.parent / 'results')}/")
    if chosen:
        print("settings: " + "; ".join(
            f"{sid[:2]} " + ", ".join(f"{k}={v}" for k, v in p.items())
            for sid, p in chosen.items())
            + " (the rest as committed; `make present` without LIVE or ARGS "
              "goes back to the full settings)")
    print("present: open a notebook, Alt+R, then the preview's full-screen "
          "button; T speaker notes, Ctrl+Enter runs a cell and stays; "
          + ("every slide" if args.full else "the talk's cut (FULL=1: every "
             "slide; minutes per deck: make rehearse)"))
    if args.prepare_only:
        return 0
    command = lab_command(folder, *lab_args)
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
