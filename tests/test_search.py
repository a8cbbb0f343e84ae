"""The search for the final ensemble's recipe (`mnist_series.search`):
validation only, recorded."""

import inspect
import json

import numpy as np
import pytest

from mnist_series import search, search_table
from mnist_talk import shifts


def test_shift_moves_the_digit_and_fills_zeros():
    images = np.arange(1, 17, dtype="float32").reshape(1, 4, 4, 1)
    right = shifts.shift(images, 1, 0)
    assert (right[0, :, 0] == 0).all()
    assert (right[0, :, 1:] == images[0, :, :3]).all()
    down = shifts.shift(images, 0, 1)
    assert (down[0, 0] == 0).all() and (down[0, 1:] == images[0, :3]).all()
    assert (shifts.shift(images, 0, 0) == images).all()
    # with an empty border, shifting there and back gives the image again
    framed = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)))
    for view in shifts.VIEWS:
        back = shifts.shift(shifts.shift(framed, *view), -view[0], -view[1])
        assert (back == framed).all()


def test_unknown_recipe_and_impossible_epochs_say_what_to_use(tmp_path):
    with pytest.raises(search.SearchError, match="use one of stage-11"):
        search.recipe("resnet")
    with pytest.raises(search.SearchError, match="epochs must be >= 1"):
        search.run_trial("eights", 1, epochs=0, results_dir=tmp_path)
    assert not (tmp_path / search.SEARCH_FILE).exists()


def test_cli_refuses_unknown_recipe(capsys):
    assert search.main(["run", "--recipe", "resnet"]) == 2
    assert "unknown recipe 'resnet'" in capsys.readouterr().err


def test_never_reads_the_test_images():
    source = inspect.getsource(search)
    assert "x_test" not in source and "y_test" not in source


def test_machine_names_the_cores():
    assert search.machine().endswith("cores")


def test_empty_search_says_how_to_start(tmp_path):
    assert "search run" in search.table(tmp_path)


def test_a_trial_records_four_scores_and_its_probabilities(tmp_path):
    """A tiny trial: the row, the saved probabilities, the table; the
    moving average's predictions differ from the trained weights' (so the
    weights were put back before the plain scores); a rerun replaces its
    row instead of adding one."""
    for seed in (1, 2):
        row = search.run_trial("eights", seed, epochs=1, train_size=256,
                               validation_size=200, batch_size=64,
                               results_dir=tmp_path, out=open("/dev/null",
                                                              "w"))
    assert set(row["validation_accuracy"]) == set(search.VARIANTS)
    assert row["fit_images"] == 256 and row["validation_images"] == 200
    assert row["machine"] == search.machine()
    probs = search.probabilities(tmp_path, row["trial"])
    assert probs["y_val"].shape == (200,)
    assert probs["plain"].shape == (200, 10)
    assert np.abs(probs["plain"] - probs["ema"]).max() > 1e-3
    assert np.abs(probs["plain"] - probs["tta"]).max() > 1e-4
    search.run_trial("eights", 2, epochs=1, train_size=256,
                     validation_size=200, batch_size=64,
                     results_dir=tmp_path, out=open("/dev/null", "w"))
    trials = json.loads((tmp_path / search.SEARCH_FILE).read_text())["trials"]
    assert [t["trial"] for t in trials] == ["eights-e1-seed1",
                                            "eights-e1-seed2"]
    text = search.table(tmp_path)
    assert "| eights | 1 | 1, 2 (median) | 127,630 |" in text
    assert "| eights | 1 | 1, 2 (ensemble) |" in text
    assert "last 200 training images" in text
    assert "every recipe" not in text  # one recipe: nothing to mix
    search.run_trial("stage-11", 1, epochs=1, train_size=256,
                     validation_size=200, batch_size=64,
                     results_dir=tmp_path, out=open("/dev/null", "w"))
    assert "| every recipe | 1 | all (ensemble) | 3 × |" in search.table(
        tmp_path)


def test_a_snapshot_recipe_scores_the_networks_that_end_its_cycles(tmp_path):
    """A tiny trial of a recipe whose learning rate restarts: two more
    scores, their probabilities saved, their columns in the table (a dash
    where a trial has none); epochs that do not split into its cycles are
    refused before anything is written."""
    with pytest.raises(search.SearchError, match="multiple of 4, not 6"):
        search.run_trial("eights-snap4", 1, epochs=6, results_dir=tmp_path)
    assert not (tmp_path / search.SEARCH_FILE).exists()
    quiet = open("/dev/null", "w")
    row = search.run_trial("eights-snap4", 1, epochs=4, train_size=256,
                           validation_size=200, batch_size=64,
                           results_dir=tmp_path, out=quiet)
    assert set(row["validation_accuracy"]) == set(
        search.VARIANTS + search.SNAPSHOT_VARIANTS)
    probs = search.probabilities(tmp_path, row["trial"])
    assert probs["snapshots"].shape == (200, 10)
    # four networks averaged, not the last one alone
    assert np.abs(probs["snapshots"] - probs["plain"]).max() > 1e-4
    search.run_trial("eights", 1, epochs=4, train_size=256,
                     validation_size=200, batch_size=64,
                     results_dir=tmp_path, out=quiet)
    text = search.table(tmp_path)
    assert "| snapshots | snapshots_tta |" in text
    eights = next(line for line in text.splitlines()
                  if line.startswith("| eights | 4 |"))
    assert eights.endswith("| — | — |"), eights
    assert "| every recipe | 4 | all (ensemble) | 2 × |" in text


def _fake_trial(results_dir, recipe, seed, right, minutes=10.0):
    """A recorded trial without training: on 4 validation images (digits
    0-3) it is sure of the images in `right`, and says 9 for the others
    with 0.6 (0.4 for the digit), so that two trials averaged get right
    the images that either gets right."""
    y_val = np.arange(4, dtype="uint8")
    probs = np.zeros((4, 10), dtype="float32")
    for i in range(4):
        probs[i, i] = 1.0 if i in right else 0.4
        probs[i, 9] = 0.0 if i in right else 0.6
    name = search.trial_name(recipe, seed, 20)
    (results_dir / search.SEARCH_DIR).mkdir(parents=True, exist_ok=True)
    np.savez(results_dir / search.SEARCH_DIR / f"{name}.npz", y_val=y_val,
             **{v: probs for v in search.VARIANTS})
    return {"trial": name, "recipe": recipe, "seed": seed, "epochs": 20,
            "fit_images": 50_000, "validation_images": 4,
            "parameter_count": 1, "train_minutes": minutes,
            "validation_accuracy": {v: len(right) / 4
                                    for v in search.VARIANTS},
            "machine": "test CPU"}


def test_two_recipes_are_paired_across_seeds(tmp_path):
    """Each seed of one recipe with the other seed of the other: a pair
    never shares a seed; the median over the pairs, the two recipes'
    minutes added up; a recipe with one seed is not paired."""
    trials = [_fake_trial(tmp_path, "eights", 1, {0, 1}),
              _fake_trial(tmp_path, "eights", 2, {2, 3}),
              _fake_trial(tmp_path, "wide", 1, {2}, minutes=30.0),
              _fake_trial(tmp_path, "wide", 2, {0, 1, 2}, minutes=30.0),
              _fake_trial(tmp_path, "stage-11", 1, {0, 1, 2, 3})]
    (tmp_path / search.SEARCH_FILE).write_text(
        json.dumps({"trials": trials}))
    found = search_table.pairs(trials)
    assert [(a, b) for a, b, _, _ in found] == [("eights", "wide")]
    couples = found[0][3]
    assert [(x["seed"], y["seed"]) for x, y in couples] == [(1, 2), (2, 1)]
    # crossed: eights 1 + wide 2 get 0, 1, 2 right; eights 2 + wide 1
    # get 2, 3: median 62.5%. Seed with seed would give 75% and 100%.
    line = next(line for line in search.table(tmp_path).splitlines()
                if line.startswith("| eights + wide |"))
    assert line == ("| eights + wide | 20 | 1+2, 2+1 (median of pairs) | "
                    "2 × | 40.0 | 62.50% | 62.50% | 62.50% | 62.50% |")


def test_minutes_name_the_cpu_they_were_timed_on(tmp_path):
    """One CPU: no labels. Two: each minutes figure says which, M1, M2,
    and the caption names them."""
    trials = [_fake_trial(tmp_path, "eights", 1, {0}),
              _fake_trial(tmp_path, "eights", 2, {1})]
    (tmp_path / search.SEARCH_FILE).write_text(
        json.dumps({"trials": trials}))
    text = search.table(tmp_path)
    assert "| 10.0 |" in text and "(M1)" not in text
    assert text.endswith("Machine: test CPU.")
    trials.append(dict(_fake_trial(tmp_path, "wide", 1, {2}),
                       machine="other CPU"))
    (tmp_path / search.SEARCH_FILE).write_text(
        json.dumps({"trials": trials}))
    text = search.table(tmp_path)
    assert "| eights | 20 | 1, 2 (median) | 1 | 10.0 (M2) |" in text
    assert "| wide | 20 | 1 | 1 | 10.0 (M1) |" in text
    assert "| every recipe | 20 | all (ensemble) | 3 × | 30.0 (M1, M2) |" \
        in text
    assert text.endswith("Machines: M1: other CPU; M2: test CPU.")


def test_students_vote_with_their_teachers_beside_a_control(
        tmp_path, monkeypatch):
    """A student recipe's seeds with its teachers, one vote each; the
    control takes the recipe the students train like, skipping a seed a
    teacher has (its augmentation would be the teacher's); students never
    join the member recipes' pairs or the mix of every recipe."""
    monkeypatch.setitem(search.RECIPES, "tiny-student", search.Recipe(
        "tiny-student", "test", teachers=("eights-e20-seed1",
                                          "eights-e20-seed2"),
        like="stage-11"))
    student = _fake_trial(tmp_path, "tiny-student", 11, {2})
    student["teachers"] = ["eights-e20-seed1", "eights-e20-seed2"]
    trials = [_fake_trial(tmp_path, "eights", 1, {0, 1}),
              _fake_trial(tmp_path, "eights", 2, {0, 1}),
              _fake_trial(tmp_path, "stage-11", 1, {0, 1, 2, 3}),
              _fake_trial(tmp_path, "stage-11", 5, {0, 1, 2, 3}),
              _fake_trial(tmp_path, "stage-11", 11, set()), student]
    (tmp_path / search.SEARCH_FILE).write_text(
        json.dumps({"trials": trials}))
    text = search.table(tmp_path)
    assert ("| the teachers alone | 20 | eights 1, eights 2 (ensemble) | "
            "2 × | 20.0 | 50.00% | 50.00% | 50.00% | 50.00% |") in text
    # image 2: the teachers give its digit 0.4 each, the student 1.0
    assert ("| tiny-student with its teachers | 20 | 11 (ensemble) | "
            "2 + 1 × | 30.0 | 75.00% | 75.00% | 75.00% | 75.00% |") in text
    # stage-11's seed 1 is a teacher's; of 5 and 11 (all right, none
    # right), the student's own seed goes
    assert ("| stage-11 with the same teachers | 20 | 11 (ensemble) | "
            "2 + 1 × | 30.0 | 50.00% | 50.00% | 50.00% | 50.00% |") in text
    assert "tiny-student +" not in text and "+ tiny-student" not in text
    assert search_table.members(trials) == trials[:-1]
    assert "| every recipe | 20 | all (ensemble) | 5 × |" in text
    assert "X with its teachers" in text


def test_a_student_trial_fits_on_its_teachers_pseudo_labels(
        tmp_path, monkeypatch):
    """A tiny student: refused before training without its teachers, with
    a teacher's seed, or on other held-out images; then it fits on the
    fit images and two copies of the held-out ones (confidence 0: all)."""
    quiet = open("/dev/null", "w")
    tiny = dict(epochs=1, train_size=256, validation_size=200, batch_size=64,
                results_dir=tmp_path, out=quiet)
    monkeypatch.setitem(search.RECIPES, "tiny-student", search.Recipe(
        "tiny-student", "test", (8, 16, 32, 64),
        teachers=("eights-e1-seed1", "eights-e1-seed2"), like="eights",
        confidence=0.0))
    with pytest.raises(search.SearchError, match="run the teachers first"):
        search.run_trial("tiny-student", 3, **tiny)
    for seed in (1, 2):
        search.run_trial("eights", seed, **tiny)
    with pytest.raises(search.SearchError, match="teacher's seed .1, 2."):
        search.run_trial("tiny-student", 2, **tiny)
    with pytest.raises(search.SearchError, match="other held-out images"):
        search.run_trial("tiny-student", 3, **dict(tiny, validation_size=300))
    assert len(search.load(tmp_path)) == 2
    row = search.run_trial("tiny-student", 3, **tiny)
    assert row["teachers"] == ["eights-e1-seed1", "eights-e1-seed2"]
    assert row["pseudo_labelled"] == 200 and row["copies"] == 2
    assert 0 <= row["pseudo_wrong"] <= 200
    assert row["fit_images"] == 256  # the pseudo-labelled come on top
    assert "| tiny-student with its teachers | 1 | 3 (ensemble) |" in \
        search.table(tmp_path)
