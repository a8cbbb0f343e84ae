"""The students' path: exercises at the end of every notebook, and their
solutions, which `make test` runs at smoke settings."""

import re

import jupytext
import nbformat
import numpy as np
import pytest

from mnist_series import notebooks, series, settings
from mnist_talk import data, files, params

IDS = series.notebook_ids()
#: The parameters every solutions notebook declares.
PRACTICE = {"epochs", "train_size", "validation_size", "seed", "device"}


def _exercises(sid: str) -> tuple[dict, list[str]]:
    """A stage notebook's exercises cell and its exercises' titles."""
    nb = jupytext.read(files.NOTEBOOKS / f"{sid}.py")
    cells = [c for c in nb.cells if c.cell_type == "markdown"
             and c.source.startswith("## Exercises")]
    assert len(cells) == 1, f"{sid}: one `## Exercises` cell, got {len(cells)}"
    assert nb.cells[-1] is cells[0], f"{sid}: the exercises come last"
    titles = re.findall(r"^\d+\. \*\*(.+?)\.?\*\*", cells[0].source, re.M)
    return cells[0], titles


def _solutions(sid: str):
    return jupytext.read(series.SOLUTIONS / f"{sid}.py")


@pytest.mark.parametrize("sid", IDS)
def test_every_stage_ends_with_two_to_four_exercises_left_out_of_the_slides(
        sid):
    cell, titles = _exercises(sid)
    assert 2 <= len(titles) <= 4, (sid, titles)
    assert cell.metadata.get("slideshow", {}).get("slide_type") == "skip"
    assert f"solutions/{sid}.ipynb" in cell.source


@pytest.mark.parametrize("sid", IDS)
def test_every_exercise_has_its_solution_under_the_same_title(sid):
    _, titles = _exercises(sid)
    nb = _solutions(sid)
    headings = [m.groups() for c in nb.cells if c.cell_type == "markdown"
                for m in re.finditer(r"^## Exercise (\d+): (.+)$", c.source,
                                     re.M)]
    assert [(k, t.casefold()) for k, t in headings] == [
        (str(k), t.casefold()) for k, t in enumerate(titles, 1)], sid


@pytest.mark.parametrize("sid", IDS)
def test_solutions_declare_their_settings_and_never_touch_the_test_set(sid):
    nb = _solutions(sid)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, sid
    declared = set(notebooks.declared_parameters(sid, solutions=True))
    assert PRACTICE <= declared, sid
    assert set(settings.practice_smoke_parameters(sid)) <= declared, sid
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert f'session.practise("{sid}"' in code
    assert ".holdout(" in code, f"{sid}: compare on held-out training images"
    assert not re.search(r"\b[xy]_test", code), (
        f"{sid}: a solution must not use the test images")


def test_solutions_are_prepared_for_the_smoke_run(tmp_path):
    made = series.prepare_smoke(tmp_path, ["01_linear"])
    assert [p.relative_to(tmp_path).as_posix() for p in made] == [
        "01_linear.ipynb", "solutions/01_linear.ipynb"]
    text = made[1].read_text()
    assert "injected-parameters" in text and "validation_size = 512" in text


def test_a_stage_without_solutions_says_which_have_them(monkeypatch,
                                                         tmp_path):
    monkeypatch.setattr(notebooks, "SOLUTIONS", tmp_path)
    with pytest.raises(notebooks.SeriesError,
                       match="has no solutions notebook"):
        notebooks.declared_parameters("01_linear", solutions=True)


def test_the_holdout_split_keeps_the_test_images_out():
    mnist = data.Prepared(np.arange(100 * 28 * 28).reshape(100, 28, 28),
                          np.arange(100) % 10,
                          np.zeros((5, 28, 28)), np.arange(5))
    split = mnist.holdout(validation_size=30, train_size=50)
    assert len(split.x) == 50 and len(split.x_val) == 30
    assert (split.x[:, 0, 0, 0] == mnist.x_train[:50, 0, 0, 0]).all()
    assert (split.x_val[:, 0, 0, 0] == mnist.x_train[70:, 0, 0, 0]).all()
    assert split.y_hot.shape == (50, 10)
    assert (split.y_val == mnist.y_train[70:]).all()
    assert "fit on 50 training images" in repr(split)
    assert len(mnist.holdout(30).x) == 70
    with pytest.raises(ValueError, match="train_size must be between 1 and"
                                         " 70"):
        mnist.holdout(validation_size=30, train_size=71)
    with pytest.raises(ValueError, match="validation_size must be between"):
        mnist.holdout(validation_size=100)


@pytest.mark.parametrize("name, value, words", [
    ("epochs", 0, "epochs must be >= 1"),
    ("validation_size", 60_000, "between 1 and 59999"),
    ("train_size", 50_001, "between 1 and 50000"),
    ("device", "tpu", "unknown device 'tpu'"),
])
def test_impossible_practice_settings_get_one_clear_message(name, value,
                                                             words):
    good = dict(epochs=1, train_size=100, validation_size=10_000, seed=0,
                device="cpu")
    with pytest.raises(params.ParameterError, match=words):
        params.check_practice(**{**good, name: value})


def _solution_run(sid: str):
    """The solutions' pair, with the outputs of its committed run."""
    return nbformat.read(series.SOLUTIONS / f"{sid}.ipynb", as_version=4)


def exercise_minutes(sid: str) -> list[float]:
    """The minutes each exercise took in the solutions' committed run:
    papermill's durations of the code cells from its heading to the next
    (the set-up before the first counted with the first)."""
    setup, seconds = 0.0, []
    for cell in _solution_run(sid).cells:
        if cell.cell_type == "markdown" and re.search(
                r"^## Exercise \d+", cell.source, re.M):
            seconds.append(0.0 if seconds else setup)
        elif cell.cell_type == "code":
            took = cell.metadata.get("papermill", {}).get("duration") or 0.0
            if seconds:
                seconds[-1] += took
            else:
                setup += took
    return [s / 60 for s in seconds]


@pytest.mark.parametrize("sid", series.solution_ids())
def test_each_solutions_notebook_carries_a_run_at_its_own_settings(sid):
    """The pair holds the outputs of `make solutions`: every code cell run,
    none failed, at the notebook's own settings (no overrides), timed."""
    nb = _solution_run(sid)
    run = nb.metadata.get("papermill", {})
    assert run.get("parameters") == {}, \
        f"{sid}: the committed run had overrides {run.get('parameters')}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{sid}: a cell never ran"
    assert not [o for c in code for o in c.outputs
                if o.output_type == "error"], f"{sid}: a cell failed"
    assert all("duration" in c.metadata.get("papermill", {}) for c in code)


@pytest.mark.parametrize("sid", series.solution_ids())
def test_every_exercise_states_its_cpu_settings_and_minutes(sid):
    """The exercises give the settings their solutions ran at and, for each
    exercise, its minutes on 2 cores in that run (rounded, at least 1)."""
    cell, titles = _exercises(sid)
    declared = notebooks.declared_parameters(sid, solutions=True)
    settings = re.search(r"On a CPU \(2 cores\), at (\d+) epochs? on "
                         r"([\d,]+) training images", cell.source)
    assert settings, f"{sid}: the exercises do not give their CPU settings"
    assert (int(settings[1]), int(settings[2].replace(",", ""))) == (
        int(declared["epochs"]), int(declared["train_size"].replace("_", ""))
    ), sid
    items = re.split(r"^\d+\. \*\*", cell.source, flags=re.M)[1:]
    stated = []
    for item in items:
        found = re.search(r"\(about (\d+) min\)", item)
        assert found, f"{sid}: an exercise without its minutes: {item[:60]!r}"
        stated.append(int(found[1]))
    measured = exercise_minutes(sid)
    assert stated == [max(1, round(m)) for m in measured], (
        f"{sid}: the exercises say {stated} min, the solutions' run took "
        f"{[round(m, 1) for m in measured]}")
