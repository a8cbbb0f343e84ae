"""What a presented copy of a notebook holds: the talk's cut (or every
slide), the live settings with the full run's output after each training
cell, and the notes as raw cells for RISE's speaker view (`present`).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jupytext
import nbformat
from papermill.parameterize import parameterize_notebook

from mnist_talk import results
from mnist_talk.files import RESULTS

from . import cut
from .notebooks import slide_type

#: A line that starts a line of its own in Markdown, not a paragraph's next.
_OWN_LINE = re.compile(r"\s*([-*+]\s|\d+[.)]\s|[|#>])")
#: A line that nothing joins: a heading or a table row.
_WHOLE_LINE = re.compile(r"\s*[|#]")


def _paragraphs(text: str) -> str:
    """`text` with each paragraph's lines joined, as Markdown reads them."""
    lines: list[str] = []
    for line in text.splitlines():
        if lines and lines[-1].strip() and line.strip() \
                and not _OWN_LINE.match(line) \
                and not _WHOLE_LINE.match(lines[-1]):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return "\n".join(lines)


def speaker_notes(nb):
    """`nb` with each Markdown notes cell made a raw cell, for the speaker
    view. RISE puts a notes cell's whole DOM in its slide's `aside.notes`,
    and reveal.js's speaker view (T) shows that HTML in a window of its
    own, without Lab's stylesheets: a Markdown cell's hidden editor showed
    there beside the rendered note, so each note read twice (and Lab's
    sanitizer drops a <style> that could hide it). A raw cell is its text
    alone, once, each line a line of the speaker view: the source's lines
    are joined into paragraphs as Markdown reads them (a list item, a table
    row or a heading starts a line of its own)."""
    for i, cell in enumerate(nb.cells):
        if slide_type(cell) == "notes" and cell.cell_type == "markdown":
            raw = nbformat.v4.new_raw_cell(_paragraphs(cell.source),
                                           metadata=cell.metadata)
            raw.id = cell.get("id")
            nb.cells[i] = raw
    return nb


def _full_run_slide(cell, record) -> list:
    """A sub-slide that shows a training cell's committed output: what the
    full run printed and drew, still there when the live run differs,
    fails or is interrupted. A heading, then a code cell that holds the
    training cell's outputs as they were committed (not to be run)."""
    lines = ["## The full run, as committed"]
    if record is not None:
        lines += ["", f"{record.settings_text()}, "
                      f"{record.train_seconds / 60:.1f} min of training on "
                      f"{record.device} (`make talk`). The cell before ran "
                      "at this presentation's live settings."]
    heading = nbformat.v4.new_markdown_cell("\n".join(lines) + "\n")
    heading.metadata["slideshow"] = {"slide_type": "subslide"}
    heading.metadata["tags"] = ["full-run"]
    shown = nbformat.v4.new_code_cell(
        "# the full run's output, kept from `make talk`: nothing to run here",
        outputs=copy.deepcopy(cell.get("outputs", [])))
    shown.metadata["slideshow"] = {"slide_type": "-"}
    shown.metadata["tags"] = ["full-run"]
    return [heading, shown]


def _live(nb, sid: str, parameters: dict):
    """`nb` at other settings: papermill injects `parameters` after its
    parameters cell (on a sub-slide after the Setup slide), and each
    training cell (one that calls `fit`) is followed by a sub-slide with
    its committed output."""
    for cell in nb.cells:  # papermill reads every cell's tags
        cell.metadata.setdefault("tags", [])
    nb = parameterize_notebook(
        nb, parameters, comment="Live settings (make present LIVE=1 or -p)")
    for cell in nb.cells:  # a sub-slide of its own after Setup: it fits
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.metadata["slideshow"] = {"slide_type": "subslide"}
    record = results.load(RESULTS, sid)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code" and ".fit(" in cell.source \
                and cell.get("outputs"):
            cells += _full_run_slide(cell, record)
    nb.cells = cells
    return nb


def _unpaired(src: Path, parameters: dict | None = None,
              full: bool = False) -> str:
    """The notebook as committed, without its `jupytext` metadata, so that no
    contents manager pairs it with a `.py` when it is saved. A solutions
    notebook without its pair yet (`.py` only) is converted to a notebook
    without outputs. With
    `parameters`, a stage's notebook is prepared for those settings
    (`_live`)."""
    if src.suffix == ".py":
        nb = jupytext.read(src)
        for i, cell in enumerate(nb.cells):  # the same text every time
            cell.id = f"cell-{i}"
    else:
        nb = nbformat.read(src, as_version=4)
        nb = nb if full else cut.talk(nb)  # the talk: no cells tagged cut
        if parameters:
            nb = _live(nb, src.stem, parameters)
            for i, cell in enumerate(nb.cells):  # the same text every time
                cell.id = f"cell-{i}"
    nb.metadata.pop("jupytext", None)
    text = nbformat.writes(speaker_notes(nb))
    return text if text.endswith("\n") else text + "\n"
