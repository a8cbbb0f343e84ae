"""`make backends`: what it records, and how docs/backends.md shows it."""

import os

from mnist_series import backends, report
from mnist_talk import files, results


def _rec(seconds):
    return {"device": "CPU (2 cores) via x", "images": 12000,
            "versions": {"jax": "0.10.2", "tensorflow": "2.21.0"},
            "models": {k: {"seconds_per_epoch": v, "epoch_seconds": [v] * 3}
                       for k, v in zip(("dense", "vgg", "augmented"),
                                       seconds)}}


def test_a_backend_without_its_venv_is_skipped_not_guessed(monkeypatch,
                                                           tmp_path):
    monkeypatch.setattr(backends, "venv_python",
                        lambda b: tmp_path / "none" / "bin" / "python")
    record = backends.run(["torch"], images=2000)
    assert record["backends"]["torch"]["skipped"].endswith(
        "`make venv BACKEND=torch`")
    assert record["finished"]


def test_readme_table_shows_each_backend_and_the_augmentation_ratio():
    record = {"finished": "2026-11-28T01:00:00+00:00", "images": 12000,
              "batch_size": 128, "epochs": 3,
              "backends": {"jax": _rec([1.0, 4.0, 5.0]),
                           "torch": {"skipped": "no venv"}}}
    text = report.backends_markdown(record)
    assert "| jax | 0.10.2 | 1.0 | 4.0 | 5.0 | 1.25 |" in text
    assert "| torch | — |" in text
    assert "12,000 training images" in text and "2026-11-28" in text
    assert "make backends" in report.backends_markdown(None)


def test_the_image_count_is_checked(capsys):
    import pytest

    with pytest.raises(SystemExit):
        backends.main(["--images", "10"])
    assert "use 1000 to 60000" in capsys.readouterr().err


def test_other_runs_are_set_against_the_ladders_seed_spread(tmp_path,
                                                            record):
    runs = ((".", "tensorflow", 1), ("runs/tf2", "tensorflow", 2),
            ("runs/jax1", "jax", 1), ("runs/jax2", "jax", 2))
    for stage_id, accuracies in (("02_normalized", (0.9230, 0.9240, 0.9235,
                                                    0.9250)),
                                 ("03_hidden_layer", (0.9700, 0.9710, 0.9690,
                                                      0.9695))):
        for (folder, backend, seed), accuracy in zip(runs, accuracies):
            results.save(tmp_path / folder, record(
                stage_id, test_accuracy=accuracy, backend=backend,
                device=f"CPU via {backend}", parameters={"seed": seed}))
    text = report.runs_markdown(tmp_path)
    assert "| 96.90% to 96.95% (5 errors), below it by 5 errors |" in text
    assert ("| 02 | 92.30% | 92.40% | 92.35% | 92.50% | 92.30% to 92.40% "
            "(10 errors) | 92.35% to 92.50% (15 errors), overlaps | "
            "seed 1: yes; seed 2: above, by 10 errors |") in text
    assert "| tensorflow spread | jax spread | jax inside? |" in text
    assert ("| stage | tensorflow seed 1 | tensorflow seed 2 | jax seed 1 | "
            "jax seed 2 |") in text
    assert "No other full run" in report.runs_markdown(tmp_path / "runs")


def test_every_recorded_full_run_clears_its_notebooks_floor():
    """A floor is there to catch a broken run, not a seed or a backend: each
    full run kept in results/ and results/runs/ (other seeds, JAX) is at
    or above the floor its notebook declares today."""
    from mnist_series import notebooks

    folders = [files.RESULTS,
               *sorted((files.RESULTS / "runs").glob("*"))]
    checked = 0
    for sid in notebooks.notebook_ids():
        floor = float(notebooks.declared_parameters(sid)["accuracy_floor"])
        for folder in folders:
            record = results.load(folder, sid)
            full = record and record.parameters.get("train_size") == 60_000
            if full:
                assert record.test_accuracy >= floor, (sid, folder.name)
                checked += 1
    assert checked >= 13 + 8 * 3


def test_conv_costs_times_a_forward_pass_and_a_training_step():
    found = backends.conv_costs("auto", repeats=2)
    assert found["backend"] == os.environ.get("KERAS_BACKEND", "tensorflow")
    assert 0 < found["forward_ms"] and 0 < found["train_step_ms"]
    assert found["train_over_forward"] == round(
        found["train_step_ms"] / found["forward_ms"], 1)


def test_three_seeds_or_more_add_their_median_to_the_spread(tmp_path, record):
    for folder, seed, accuracy in ((".", 1, 0.9973), ("runs/tf2", 2, 0.9968),
                                   ("runs/tf3", 3, 0.9971)):
        results.save(tmp_path / folder, record(
            "13_pseudo_labels", test_accuracy=accuracy,
            parameters={"seed": seed}))
    text = report.runs_markdown(tmp_path)
    assert "| 99.68% to 99.73% (5 errors), median 99.71% |" in text
