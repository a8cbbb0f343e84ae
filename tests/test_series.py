import shutil

import nbformat
import pytest

from mnist_series import estimates, notebooks, records, series, settings
from mnist_talk import files, results, stages


def test_every_notebook_is_in_the_manifest_and_has_its_pair():
    on_disk = sorted(p.stem for p in files.NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    assert on_disk == series.notebook_ids()
    assert on_disk[0] == "01_linear"
    for sid in on_disk:
        assert (files.NOTEBOOKS / f"{sid}.ipynb").exists(), sid


def test_pairs_are_in_sync():
    assert series.check_pairs() == []


def test_an_edited_source_is_caught_as_out_of_sync(tmp_path, monkeypatch):
    for sid in notebooks.notebook_ids()[:1]:
        for ext in (".py", ".ipynb"):
            shutil.copy(files.NOTEBOOKS / f"{sid}{ext}", tmp_path)
        py = tmp_path / f"{sid}.py"
        py.write_text(py.read_text().replace("import numpy as np",
                                             "import numpy as npy", 1))
    monkeypatch.setattr(notebooks, "NOTEBOOKS", tmp_path)
    stale = notebooks.check_pairs()
    assert len(stale) == 1 and "differs" in stale[0]


@pytest.mark.parametrize("sid", [s.id for s in stages.STAGES
                                 if s.id in series.notebook_ids()])
def test_each_notebook_has_one_parameters_cell_with_full_defaults(sid):
    nb = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    declared = notebooks.declared_parameters(sid)
    for name in ("epochs", "batch_size", "train_size", "seed", "device",
                 "accuracy_floor", "results_dir"):
        assert name in declared, f"{sid} lacks parameter {name}"
    assert declared["train_size"] in ("60_000", "60000")
    assert declared["device"] == '"auto"'
    assert f'session.start("{sid}"' in "".join(c.source for c in nb.cells)
    assert set(settings.smoke_parameters(sid)) <= set(declared)


def test_committed_notebooks_carry_outputs_of_a_full_run():
    for sid in series.notebook_ids():
        nb = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.get("execution_count") for c in code), sid
        assert not any("injected-parameters" in c.metadata.get("tags", [])
                       for c in nb.cells), f"{sid} ran with overrides"


def test_stage_selection():
    assert series.select("01") == ["01_linear"]
    assert series.select("1-1") == ["01_linear"]
    with pytest.raises(series.SeriesError, match="no notebook for stage '99'"):
        series.select("99")
    assert series.select("02-04") == ["02_normalized", "03_hidden_layer",
                                      "04_deeper"]
    with pytest.raises(series.SeriesError, match="runs backwards.*e.g. 02-05"):
        series.select("05-02")


def test_overrides_are_typed():
    assert series.parse_overrides(["epochs=3", "device=gpu:0", "x=0.5"]) == {
        "epochs": 3, "device": "gpu:0", "x": 0.5}
    with pytest.raises(series.SeriesError):
        series.parse_overrides(["epochs"])


def test_unknown_parameters_are_refused_before_anything_runs(capsys):
    assert series.main(["run", "--stages", "01", "-p", "epoch=3"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter(s) epoch for 01_linear" in err
    assert "epochs" in err


def test_an_impossible_value_stops_the_notebook_at_its_parameters(tmp_path):
    import papermill

    with pytest.raises(series.SeriesError) as err:
        series._execute("01_linear", tmp_path / "out.ipynb",
                        {"epochs": 0, "results_dir": str(tmp_path)},
                        log_output=False)
    cause = err.value.__cause__
    assert isinstance(cause, papermill.PapermillExecutionError)
    assert cause.ename == "ParameterError"
    assert "epochs must be >= 1, got 0" in cause.evalue
    assert "ParameterError: epochs must be >= 1, got 0" in str(err.value)
    assert (tmp_path / "out.failed.ipynb").exists()
    assert not (tmp_path / "out.ipynb").exists()
    assert not list(tmp_path.glob("*.json"))


def test_code_fits_a_slide():
    """Every line of every notebook's source stays within 80 columns."""
    long = [f"{p.name}:{i}" for p in files.NOTEBOOKS.glob("[0-9][0-9]_*.py")
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if len(line) > 80]
    assert long == []


def test_estimates_scale_with_the_epochs_asked_for():
    full = series.estimate("01_linear", {})
    assert full and full > 0
    declared = int(notebooks.declared_parameters("01_linear")["epochs"])
    half = series.estimate("01_linear", {"epochs": declared / 2})
    assert abs(half - full / 2) < 1e-6
    assert estimates._scale("01_linear", {"device": "cpu"}) == 1.0


def test_the_estimate_names_what_it_cannot_scale():
    """Wider members cost time the last run does not predict: say so."""
    assert series.not_counted("12_averaging", {"members": 3, "seed": 3}) == []
    assert series.not_counted(
        "12_averaging", {"filters": [16, 32, 64, 128]}) == []
    assert series.not_counted(
        "12_averaging", {"filters": [7, 14, 28, 56], "batch_size": 64}
    ) == ["filters=[7, 14, 28, 56]", "batch_size=64"]
    # other dropout rates cost the same time
    assert series.not_counted(
        "12_averaging", {"dropout": [0.1, 0.2, 0.3, 0.4, 0.5]}) == []


def test_stage_12s_default_dropout_is_half_the_talks():
    """The rates the search chose on held-out images: half of stage 11's."""
    import ast

    from mnist_talk import models

    declared = notebooks.declared_parameters("12_averaging")["dropout"]
    assert ast.literal_eval(declared) == pytest.approx(
        [rate / 2 for rate in models.TALK_DROPOUT])


def test_the_estimate_says_which_backend_it_was_timed_on(monkeypatch):
    ladder = results.load(files.RESULTS, "02_normalized").backend
    monkeypatch.setenv("KERAS_BACKEND", ladder)
    assert series.timed_elsewhere("02_normalized") is None
    monkeypatch.setenv("KERAS_BACKEND", "jax" if ladder != "jax" else "torch")
    assert series.timed_elsewhere("02_normalized") == ladder


def test_a_run_prints_progress_and_records_its_wall_time(tmp_path, capsys):
    overrides = {**settings.smoke_parameters("01_linear")}
    out = series.run(["01_linear"], overrides, tmp_path / "talk")
    printed = capsys.readouterr().out
    assert "device: cpu -> CPU" in printed
    assert "[1/1] 01_linear · elapsed 0.0 min · estimated" in printed
    assert "[1/1] 01_linear · done in" in printed
    assert "test accuracy · trained" in printed and "on CPU" in printed
    record = records.load_run(out / "results")
    entry = record["stages"]["01_linear"]
    assert entry["wall_seconds"] > 0 and entry["overrides"]["epochs"] == 1
    assert (out / "01_linear.ipynb").exists()


def test_expected_device_is_told_before_anything_starts(monkeypatch):
    from mnist_talk import devices

    assert series.expected("cpu").startswith("cpu -> CPU")
    for backend in ("tensorflow", "jax", "torch"):
        monkeypatch.setenv("KERAS_BACKEND", backend)
        assert series.expected("gpu:1") == f"gpu:1 -> GPU 1 via {backend}"
    with pytest.raises(devices.DeviceError, match="unknown device 'tpu'"):
        series.expected("tpu")


def test_a_killed_run_leaves_nothing_half_written(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "talk"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mnist_series.series", "run", "--stages", "01",
         "--out", str(out), "--device", "cpu", "-p", "epochs=200"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while not list(out.glob(".01_linear-*.ipynb")) and time.time() < deadline:
        time.sleep(0.5)
    assert list(out.glob(".01_linear-*.ipynb")), "the run never started"
    time.sleep(8)  # into the training
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) != 0
    assert list(out.iterdir()) in ([], [out / "results"])
    assert not (out / "results" / "01_linear.json").exists()


def test_every_deck_runs_from_its_slides_alone(tmp_path):
    """A speaker runs only the code cells the slideshow shows, in order, in
    a fresh kernel. `make test` executes that for all 13 decks at smoke
    settings: a deck that hides no code cell is its own smoke notebook; one
    that hides some gets a `.slides.ipynb` copy without them, which nbval
    executes after it."""
    made = series.prepare_smoke(tmp_path)
    names = {p.name for p in made}
    hiding = []
    for sid in series.notebook_ids():
        full = nbformat.read(tmp_path / f"{sid}.ipynb", as_version=4)
        hidden = series.hidden_code(full)
        slides = tmp_path / f"{sid}.slides.ipynb"
        if not hidden:
            assert slides.name not in names, sid
            continue
        hiding.append(sid)
        assert slides.name in names, f"{sid} hides code, but has no slides copy"
        copy = nbformat.read(slides, as_version=4)
        shown = [c.source for c in full.cells
                 if c.cell_type == "code" and notebooks.shown(c)]
        assert [c.source for c in copy.cells if c.cell_type == "code"] == shown
        # the smoke parameters papermill injected are among what runs
        assert any("injected-parameters" in c.metadata.get("tags", [])
                   for c in copy.cells), sid
    # the training cells are never the hidden ones
    for sid in series.notebook_ids():
        nb = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb", as_version=4)
        for i in series.hidden_code(nb):
            src = nb.cells[i].source
            assert ".fit(" not in src and ".compile(" not in src, (sid, i)
    print(f"decks hiding code cells (run again from their slides): {hiding}")
