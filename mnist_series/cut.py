"""The talk: a 45-minute cut of the decks, and its script in the notes.

A cell tagged `cut` is left out of the talk: `make present` and
`make slides` show each deck without those cells (`talk` marks them
`skip`, so a presented copy still holds them), and `FULL=1` shows every
slide. A (sub-)slide leaves with all its cells, so that none of them
lands on the slide before it. The cut leaves out Markdown and cells that
only show something: a code cell it leaves out binds no name that a later
cell reads and changes nothing (`problems`), so each deck of the talk
still runs from the slides it shows.

The notes are the script. Every slide of the talk has notes (cells with
slide type `notes`, attached to the slide before them): what to say, the
one number to stress in bold, and the way into the next slide in a last
paragraph that starts with `→`. Each deck's first notes open with its minutes,
`**6 minutes** (0:00 to 0:06)`, and the decks' minutes add up to the talk.

The rehearsal (`make rehearse`, `rehearse`) checks per deck that the
notes at speaking pace and the code at the live settings fit its minutes.
The two are added, though a speaker talks while a cell trains: the check
errs on the long side.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from mnist_talk.files import NOTEBOOKS

from .notebooks import HIDDEN

#: The tag of a cell the talk leaves out.
TAG = "cut"
#: The talk's length, in minutes: the decks' minutes add up to it.
TALK_MINUTES = 45
#: Speaking pace for the rehearsal, in words a minute.
PACE = 130
#: How the first notes of a deck give its minutes and its place in the talk.
MINUTES = re.compile(
    r"^\*\*(\d+) minutes\*\* \((\d+):(\d\d) to (\d+):(\d\d)\)")
#: Methods and roots whose calls change state: a cell that makes one is
#: never left out of the talk.
STATEFUL = {"fit", "compile", "add", "append", "extend", "finish", "save",
            "save_predictions", "set_weights", "load_weights", "update",
            "pop", "seed_everything", "start", "phase", "insert", "remove"}
STATEFUL_ROOTS = {"run", "session"}
#: Calls that change what comes after even on an object of the cell's own
#: (the random state): never left out.
ALWAYS = {"fit", "compile", "seed_everything"}


def _kind(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get(
        "slide_type", "-")


def left_out(cell) -> bool:
    """Whether the talk leaves `cell` out."""
    return TAG in cell.get("metadata", {}).get("tags", [])


def talk(nb):
    """A copy of `nb` as the talk shows it: the cells tagged `cut` made
    `skip`."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if left_out(cell):
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "skip"
    return nb


@dataclass
class Slide:
    """A slide or sub-slide as a deck shows it: its cells (by index in the
    notebook) and its notes."""
    cells: list[int]
    title: str
    notes: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        """The words a speaker says: not the minutes, not the arrows."""
        return sum(len([w for w in MINUTES.sub("", n).split() if w != "→"])
                   for n in self.notes)


def slides(nb) -> list[Slide]:
    """The slides `nb` shows, in order (`talk(nb)` for the talk's)."""
    found: list[Slide] = []
    for i, cell in enumerate(nb.cells):
        kind = _kind(cell)
        if kind == "skip" or "injected-parameters" in cell.get(
                "metadata", {}).get("tags", []):
            continue
        if kind in ("slide", "subslide") or not found:
            title = next((line.lstrip("# ").strip()
                          for line in cell.source.splitlines()
                          if line.startswith("#")), cell.source.strip()
                         .splitlines()[0][:60] if cell.source.strip() else "")
            found.append(Slide([], title))
        found[-1].cells.append(i)
        if kind == "notes":
            found[-1].notes.append(cell.source)
    return found


def read(sid: str, notebooks: Path = NOTEBOOKS):
    return nbformat.read(Path(notebooks) / f"{sid}.ipynb", as_version=4)


def minutes(nb) -> tuple[int, int] | None:
    """(minutes, start minute) from the deck's first notes, or None."""
    first = next((s for s in slides(talk(nb)) if s.notes), None)
    match = first and MINUTES.match(first.notes[0])
    if not match:
        return None
    start = int(match[2]) * 60 + int(match[3])
    return int(match[1]), start


def _names(tree, ctx) -> set[str]:
    found = {n.id for n in ast.walk(tree)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}
    if ctx is ast.Store:
        for n in ast.walk(tree):
            if isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                found.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                found |= {(a.asname or a.name).split(".")[0] for a in n.names}
    return found


def _root(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _changes_state(tree, defined: set[str]) -> list[str]:
    """What in `tree` changes state: a stateful call (other than on an
    object the cell makes itself), a training or seeding call, a call of a
    function the notebook defines, an assignment into an object."""
    own = _names(tree, ast.Store)
    found = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            f = n.func
            name = f.attr if isinstance(f, ast.Attribute) else (
                f.id if isinstance(f, ast.Name) else None)
            mine = _root(f) in own and name not in ALWAYS
            if (name in STATEFUL and not mine) or name in ALWAYS \
                    or name in defined or _root(f) in STATEFUL_ROOTS:
                found.append(f"calls {ast.unparse(f)}")
        elif isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            for t in targets:
                if isinstance(t, (ast.Attribute, ast.Subscript)):
                    found.append(f"assigns to {ast.unparse(t)}")
    return found


def problems(nb) -> list[str]:
    """Why the cut of `nb` could break the talk or a deck (empty: none).

    A code cell left out must bind no name that a later code cell of the
    talk reads and change nothing (see `_changes_state`); a cell that opens a
    (sub-)slide leaves with every cell of it; the parameters cell stays."""
    found = []
    trees = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            try:
                trees[i] = ast.parse(cell.source)
            except SyntaxError:  # IPython magics: never left out
                trees[i] = None
    defined = {n.name for t in trees.values() if t for n in ast.walk(t)
               if isinstance(n, ast.FunctionDef)}
    shown = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
             and not left_out(c) and _kind(c) not in HIDDEN]
    for i, cell in enumerate(nb.cells):
        if not left_out(cell):
            continue
        if "parameters" in cell.metadata.get("tags", []):
            found.append(f"cell {i}: the parameters cell is left out")
        if cell.cell_type == "code":
            tree = trees[i]
            if tree is None:
                found.append(f"cell {i}: not Python, cannot be checked")
                continue
            later = set().union(*[_names(trees[j], ast.Load)
                                  for j in shown if j > i and trees[j]])
            used = sorted(_names(tree, ast.Store) & later)
            if used:
                found.append(f"cell {i}: binds {', '.join(used)}, "
                             "which a later cell reads")
            found += [f"cell {i}: {w}" for w in _changes_state(tree, defined)]
        if _kind(cell) in ("slide", "subslide"):
            for j in range(i + 1, len(nb.cells)):
                if _kind(nb.cells[j]) in ("slide", "subslide"):
                    break
                if not left_out(nb.cells[j]) and _kind(nb.cells[j]) != "skip":
                    found.append(f"cell {j}: on a slide the talk leaves out "
                                 f"(cell {i}), but not tagged {TAG}")
    return found


def code_shown(nb) -> list[str]:
    """The sources of the code cells a slideshow of `nb` shows."""
    return [c.source for c in nb.cells
            if c.cell_type == "code" and _kind(c) not in HIDDEN]
