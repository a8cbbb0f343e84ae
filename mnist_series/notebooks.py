"""The series' notebooks: which there are, the parameters they declare,
what their slideshow shows, and their `.py`/`.ipynb` pairs.

Each stage and each exercise's solutions is a pair: `NN_slug.py` the
source (jupytext's percent format), `NN_slug.ipynb` the same cells with
the outputs of a run. `check_pairs` (`make check-pairs`) finds a pair whose
cells differ; `sync` (`make sync`) pushes each `.py` into its `.ipynb`,
outputs kept.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import papermill
import yaml

from mnist_talk import stages
from mnist_talk.files import BUILD, NOTEBOOKS, atomic_write

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
