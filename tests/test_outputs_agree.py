"""What a committed notebook prints about other stages agrees with them.

A notebook's ladder table and its "stage X → Y" line read the other
stages' results files while it runs. Rerunning an earlier stage afterwards
leaves those outputs behind: a student then reads one figure for stage 09
in notebook 09 and another in notebook 10. This test rebuilds both from
`results/` and compares them with what each committed notebook shows.
"""

from __future__ import annotations

import ast
import json
import shutil

import nbformat
import pytest

from mnist_talk import evidence, files, stages, tables

# Notebooks whose committed run is older than a stage they quote: rerun
# them (`make talk`) and this list must shrink, or the test fails.
STALE: dict = {
    "05_convolutions": "stages 02 to 04 were trained again after it (to "
                       "check that the same seed keeps the same network, "
                       "byte for byte): its 04 → 05 line shows 04's "
                       "earlier seconds per epoch",
}


def _text(cell) -> str:
    return "".join("".join(o.get("text", "")
                           or o.get("data", {}).get("text/plain", ""))
                   for o in cell.get("outputs", []))


def _call(source: str):
    """The literal arguments of a one-call cell (names as strings)."""
    call = ast.parse(source.strip()).body[0].value
    args = [None if ast.unparse(a) == "results_dir" else
            (ast.literal_eval(a) if not isinstance(a, ast.Name) else a.id)
            for a in call.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    return args, kwargs


def disagreements(stage_id: str, results_dir=files.RESULTS) -> list[str]:
    """Each ladder table or comparison line that the results no longer give."""
    nb = nbformat.read(files.NOTEBOOKS / f"{stage_id}.ipynb", as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source, shown = cell.source.strip(), _text(cell)
        if source.startswith("tables.ladder("):
            args, _ = _call(source)
            expected = repr(tables.ladder(results_dir, *args[1:]))
            if shown.strip() != expected.strip():
                found.append(f"{source}\nshown:\n{shown}\nresults give:\n"
                             f"{expected}")
        elif source.startswith("evidence.summary(") and "before=" in source:
            args, kwargs = _call(source)
            expected = evidence.versus(results_dir, kwargs["before"], args[1])
            if expected not in shown:
                found.append(f"{source}\nshown:\n{shown}\nresults give:\n"
                             f"{expected}")
    return found


@pytest.mark.parametrize("stage_id", [
    pytest.param(s.id, marks=pytest.mark.xfail(
        strict=True, reason=STALE[s.id])) if s.id in STALE else s.id
    for s in stages.STAGES])
def test_what_a_notebook_shows_of_other_stages_agrees_with_them(stage_id):
    assert disagreements(stage_id) == []


def test_a_rerun_stage_shows_up_in_the_notebooks_after_it(tmp_path):
    """Change stage 08's minutes: notebooks 08 and 09 no longer agree."""
    shutil.copytree(files.RESULTS, tmp_path / "results")
    target = tmp_path / "results" / "08_batch_norm.json"
    record = json.loads(target.read_text())
    record["train_seconds"] *= 2
    target.write_text(json.dumps(record))
    assert disagreements("07_vgg", tmp_path / "results") == []
    assert len(disagreements("08_batch_norm", tmp_path / "results")) == 2
    assert len(disagreements("09_dropout", tmp_path / "results")) == 2
