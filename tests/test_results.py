"""The results store (`results`), the tables notebooks show (`tables`) and
the generated blocks of the README and docs/ (`report`)."""

import json
import shutil

import numpy as np
import pytest

from mnist_series import records, report, seeds
from mnist_series.ladder import seed_accuracies
from mnist_series.runs import FINAL_DIR
from mnist_talk import ensembles, files, results, tables


def test_results_are_written_atomically_and_read_back(tmp_path, record):
    rec = record(extra={"member_accuracies": [0.9]})
    target = results.save(tmp_path, rec)
    assert json.loads(target.read_text()) == rec.to_json()
    assert results.load(tmp_path, "01_linear") == rec
    assert results.load(tmp_path, "02_normalized") is None
    assert [p.name for p in tmp_path.iterdir()] == ["01_linear.json"]


def test_a_file_of_another_shape_is_refused(tmp_path, record):
    data = record().to_json()
    data["params"] = data.pop("parameter_count")  # an older shape of the file
    (tmp_path / "01_linear.json").write_text(json.dumps(data))
    with pytest.raises(results.RecordError,
                       match=r"missing: parameter_count; unknown: params\)"
                             ": run its notebook again"):
        results.load(tmp_path, "01_linear")


def test_every_committed_results_file_is_a_record():
    found = sorted(files.RESULTS.glob("**/[0-9][0-9]_*.json"))
    assert len(found) >= 13
    for path in found:
        rec = results.load(path.parent, path.stem)
        assert isinstance(rec.parameter_count, int) and rec.epochs >= 1
        assert rec.backend in rec.device


def test_accuracy_floor_fails_below_and_passes_at_or_above():
    results.check_floor(0.9, 0.9)
    with pytest.raises(results.AccuracyError, match="below this stage's floor"):
        results.check_floor(0.8999, 0.9)


def test_ladder_shows_ours_beside_the_talk(tmp_path, record):
    results.save(tmp_path, record(test_accuracy=0.875, parameter_count=7850,
                                  epochs=10, train_seconds=90))
    table = tables.ladder(tmp_path, ["01_linear", "02_normalized"])
    assert table.rows[0][2:] == ["87.50%", "66.37%", "7,850", "10", "1.5"]
    assert table.rows[1][2] == "—"
    assert "| 01 |" in table._repr_markdown_()


def test_seconds_per_epoch_counts_every_member(record):
    assert record(epochs=10, train_seconds=50).seconds_per_epoch == 5
    five = record(epochs=20, networks_trained=5, train_seconds=500)
    assert five.seconds_per_epoch == 5 and five.epochs_text == "5 × 20"


def test_every_generated_block_and_the_plot_come_from_the_results_files():
    """Each block is on the page `report.PAGES` names, and is what the
    results files give."""
    root = files.ROOT
    placed = [name for names in report.PAGES.values() for name in names]
    assert sorted(placed) == sorted(report.BLOCKS), (
        "a block on no page, or on two")
    for page, names in report.PAGES.items():
        text = (root / page).read_text()
        for name in names:
            assert report.BLOCKS[name][0] in text, (page, name)
        assert report.replace_blocks(text, root / "results") == text, (
            f"{page}'s generated blocks are out of date: run `make ladder`")
    readme = (root / "README.md").read_text()
    assert "![The ladder](results/ladder.svg)" in readme
    assert report.main(["--check"]) == 0


def _copy_pages(root, to):
    shutil.copytree(root / "results", to / "results")
    shutil.copy(root / "README.md", to)
    shutil.copytree(root / "docs", to / "docs")


def test_the_check_catches_a_stale_block_and_plot(tmp_path, capsys):
    root = files.ROOT
    _copy_pages(root, tmp_path)
    rec = results.load(tmp_path / "results", "05_convolutions")
    rec.test_accuracy = 0.5
    results.save(tmp_path / "results", rec)
    where = ["--root", str(tmp_path), "--results", str(tmp_path / "results")]
    assert report.main(["--check", *where]) == 1
    said = capsys.readouterr().err
    assert "make ladder" in said and "docs/talk-audit.md" in said
    assert report.main(where) == 0
    assert "| 05 | Convolutions | 50.00% |" in (tmp_path / "README.md").read_text()
    assert "| above every epoch | 50.00% |" in (
        tmp_path / "docs" / "talk-audit.md").read_text()
    assert report.main(["--check", *where]) == 0


def test_a_page_without_its_block_is_refused(tmp_path, capsys):
    root = files.ROOT
    _copy_pages(root, tmp_path)
    page = tmp_path / "docs" / "benchmark.md"
    text = page.read_text()
    start, end = text.index(report.BENCH_START), text.index(report.BENCH_END)
    page.write_text(text[:start] + text[end + len(report.BENCH_END):])
    assert report.main(["--check", "--root", str(tmp_path), "--results",
                        str(tmp_path / "results")]) == 1
    assert "docs/benchmark.md has no <!-- bench:start" in \
        capsys.readouterr().err


def test_the_plot_is_the_same_bytes_for_the_same_results(tmp_path):
    root = files.ROOT
    a = report.plot_svg(root / "results")
    assert a == report.plot_svg(root / "results")
    assert a.count("<path") > 10
    assert report.plot_svg(tmp_path) != a  # no results: only the talk's line


def _bench_record():
    def runs(seconds, acc, epochs, params):
        return [{"seconds": seconds, "test_accuracy": acc, "epochs": epochs,
                 "params": params}]
    return {"finished": "2026-11-27T02:00:00+00:00", "device": "CPU (test)",
            "versions": {"keras": "3"}, "repeats": 1, "target": 0.99,
            "peer": {"runs": runs([60.0], [0.992], 15, 34826),
                     "median_seconds_to_target": 60.0, "median_seconds": 90.0,
                     "median_final_accuracy": 0.992},
            "ours": {"runs": runs([15.0], [0.991], 2, 98774),
                     "median_seconds_to_target": 15.0},
            "ours_at_peer_budget": {"epochs": 11,
                                    "median_final_accuracy": 0.995},
            "ratios": {"time_to_target": 0.25,
                       "accuracy_at_peer_budget": 1.003,
                       "errors_at_peer_budget": 0.625}}


def test_bench_block_shows_the_ratios_and_every_stage(tmp_path, record):
    results.save(tmp_path, record("12_averaging", epochs=20,
                                  networks_trained=5, train_seconds=1500))
    text = report.bench_markdown(_bench_record(), tmp_path)
    assert "| seconds to 99% test accuracy | 60.0 | 15.0 | **0.25** |" in text
    assert "errors × 0.62" in text and "34,826" in text
    assert "| 12 | Model averaging | 15.0 | 5 × 20 | CPU (test) |" in text
    assert "| 01 | A linear model on raw pixels | — |" in text
    assert "No benchmark" in report.bench_markdown(None, tmp_path)


def test_a_required_block_must_be_there(tmp_path):
    with pytest.raises(ValueError, match="README.md has no .*ladder:start"):
        report.replace_blocks("no block here", tmp_path, ("ladder",),
                              "README.md")


def test_members_table_counts_the_errors_averaging_saves(tmp_path):
    labels = np.array([0, 1, 2, 3])
    a = np.eye(4, 10)[[0, 1, 2, 0]]  # wrong on the last image
    b = np.eye(4, 10)[[0, 1, 1, 3]]  # wrong on the third
    average = (a + b) / 2
    assert tables.accuracy(a, labels) == 0.75
    table = ensembles.members_table([a, b], average + np.eye(4, 10) * 0.01,
                                  labels)
    assert [r[2] for r in table.rows] == [1, 1, 0]
    assert table.rows[-1][3].startswith("100% fewer")
    # an average worse than its members says "more", not "-50% fewer"
    worse = ensembles.members_table([a, a], np.eye(4, 10)[[1, 0, 2, 3]], labels)
    assert worse.rows[-1][3] == "100% more than a member's 1.0"
    target = results.save_predictions(tmp_path, "12_averaging", average)
    assert target.name == "12_averaging_predictions.npz"
    assert np.allclose(results.load_predictions(tmp_path, "12_averaging"),
                       average)
    with pytest.raises(FileNotFoundError, match="run notebook 12_averaging"):
        results.load_predictions(tmp_path / "empty", "12_averaging")


def test_tta_table_counts_what_the_shifted_views_change():
    labels = np.array([0, 1, 2, 3])
    plain = [np.eye(4, 10)[[0, 1, 2, 0]], np.eye(4, 10)[[0, 1, 1, 0]]]
    views = [np.eye(4, 10)[[0, 1, 2, 3]], np.eye(4, 10)[[0, 2, 1, 0]]]
    table = ensembles.tta_table(plain, views, labels)
    assert [r[0] for r in table.rows] == ["member 1", "member 2", "average"]
    assert [r[1:] for r in table.rows[:2]] == [[1, 0, "-1"], [2, 3, "+1"]]
    # the average of each view, not of each member's change
    assert table.rows[2][1] == tables._errors(np.mean(plain, axis=0), labels)
    assert table.rows[2][2] == tables._errors(np.mean(views, axis=0), labels)


def test_ensembles_table_counts_each_ensembles_errors():
    labels = np.array([0, 1, 2, 3])
    a = np.eye(4, 10)[[0, 1, 2, 0]]
    table = ensembles.ensembles_table({"a": (a, 5), "b": (np.eye(4, 10), 3)},
                                    labels)
    assert table.rows == [["a", 5, "75.00%", 1], ["b", 3, "100.00%", 0]]


def test_pseudo_label_table_splits_the_teachers_mistakes_at_the_threshold():
    labels = np.array([0, 1, 2, 3])
    teacher = np.full((4, 10), 0.001)
    teacher[[0, 1, 2, 3], [0, 1, 5, 6]] = [0.995, 0.6, 0.999, 0.5]
    table = ensembles.pseudo_label_table(teacher, 0.99, labels)
    # kept: images 0 (right) and 2 (wrong); left out: 1 (right), 3 (wrong)
    assert [r[1:] for r in table.rows] == [[2, 1], [2, 1]]
    assert [r[1:] for r in ensembles.pseudo_label_table(
        teacher, 0, labels).rows] == [[4, 2], [0, 0]]


def test_pooled_averages_every_runs_members_with_their_weight(tmp_path,
                                                              record):
    labels = np.array([0, 1, 2])
    runs = {"a": (np.eye(3, 10)[[0, 1, 1]] * 0.6, 1),  # last image wrong
            "b": (np.eye(3, 10)[[0, 1, 2]] * 0.5, 3)}
    for name, (probabilities, members) in runs.items():
        results.save(tmp_path / name, record(
            "12_averaging", parameters={"members": members}))
        results.save_predictions(tmp_path / name, "12_averaging",
                                 probabilities)
    line = seeds.pooled([tmp_path / "a", tmp_path / "b"], labels)
    assert line == "stage 12's 4 networks of these 2 runs averaged: 100.00%"
    assert "66.67%" in seeds.pooled([tmp_path / "a"], labels)
    assert seeds.pooled([tmp_path / "a", tmp_path / "c"], labels) is None


def test_the_ladder_says_whether_one_run_made_it(tmp_path, record):
    for sid in ("01_linear", "02_normalized"):
        results.save(tmp_path, record(sid))
    records.save_run(tmp_path, {"stages": {
        "01_linear": {"run": "2026-11-27T01:00:00+00:00", "wall_seconds": 60},
        "02_normalized": {"run": "2026-11-27T01:00:00+00:00",
                          "wall_seconds": 120}}})
    text = report.ladder_markdown(tmp_path)
    assert ("All 2 stages come from one run of `make talk` started "
            "2026-11-27T01:00:00+00:00 (3 min of wall time)") in text
    assert "| 02 | Normalized inputs | 90.00% | 92.44% | 1 | 1 | 0.1 | 2.0 |" in text
    run = records.load_run(tmp_path)
    run["stages"]["02_normalized"]["run"] = "2026-11-28T01:00:00+00:00"
    records.save_run(tmp_path, run)
    assert ("(2 runs of `make talk`, 3 min of wall time in all)"
            in report.ladder_markdown(tmp_path))
    del run["stages"]["01_linear"]["wall_seconds"]  # a stage not timed
    records.save_run(tmp_path, run)
    assert "(2 runs of `make talk`)" in report.ladder_markdown(tmp_path)


def test_seeds_table_sets_runs_side_by_side(tmp_path, capsys, record):
    for seed, final in ((1, 0.9972), (2, 0.9968), (3, 0.9975)):
        folder = tmp_path / f"seed{seed}"
        results.save(folder, record(
            "12_averaging", test_accuracy=0.997, parameters={"seed": seed},
            train_seconds=600, extra={"member_accuracies": [0.9964, 0.9961]}))
        results.save(folder, record(
            "13_pseudo_labels", test_accuracy=final, train_seconds=300,
            extra={"member_accuracies": [0.9969]}))
    folders = [tmp_path / f"seed{s}" for s in (1, 2, 3)]
    table = seeds.seeds_table(folders)
    assert [r[1] for r in table.rows[:3]] == [1, 2, 3]
    assert table.rows[1][5] == "99.68%" and table.rows[0][6] == "15.0"
    assert table.rows[-1][5] == "99.72%, 0.07%"  # median, best minus worst
    assert report.main(["--seeds", *map(str, folders)]) == 0
    assert "99.72%, 0.07%" in capsys.readouterr().out
    assert report.main(["--seeds", str(tmp_path / "nothing")]) == 1
    assert "lacks stage 12 or 13" in capsys.readouterr().err


def test_final_block_sets_chosen_recipes_beside_the_ladders_stage_12(
        tmp_path, record):
    """Stage 12 as on the ladder, then each run in results/final/: the
    members' recipe named as the search names it, each member's and the
    average's test accuracy, minutes per member."""
    assert "No run of stage 12" in report.final_markdown(tmp_path)
    results.save(tmp_path, record(
        "12_averaging", test_accuracy=0.9965, networks_trained=5,
        parameter_count=5 * 98_774, train_seconds=5 * 600,
        parameters={"seed": 1, "members": 5},  # before `filters` existed
        extra={"member_accuracies": [0.9945, 0.9964, 0.9958, 0.9957, 0.9952]}))
    assert "No run of stage 12" in report.final_markdown(tmp_path)
    results.save(tmp_path / FINAL_DIR / "wide2-seed1", record(
        "12_averaging", test_accuracy=0.9972, networks_trained=2,
        parameter_count=2 * 492_614, train_seconds=2 * 1800,
        parameters={"seed": 1, "members": 2, "filters": [16, 32, 64, 128]},
        extra={"member_accuracies": [0.9966, 0.9961]}))
    text = report.final_markdown(tmp_path)
    assert ("| the ladder | stage-11 | 1 | 5 | 98,774 | 99.45%, 99.64%, "
            "99.58%, 99.57%, 99.52% | 99.65% | — | 10.0 |") in text
    assert ("| `final/wide2-seed1` | wide | 1 | 2 | 492,614 | 99.66%, "
            "99.61% | 99.72% | — | 30.0 |") in text
    assert "seeds" not in text  # one seed: nothing to sum up

    def wide_pair(seed, accuracy):
        results.save(tmp_path / FINAL_DIR / f"wide2-seed{seed}", record(
            "12_averaging", test_accuracy=accuracy, networks_trained=2,
            parameter_count=2 * 492_614, train_seconds=2 * 1800,
            parameters={"seed": seed, "members": 2,
                        "filters": [16, 32, 64, 128]}))

    wide_pair(3, 0.9968)
    text = report.final_markdown(tmp_path)
    assert "wide × 2, 2 seeds: 99.72% (seed 1), 99.68% (seed 3)." in text
    assert "median" not in text
    wide_pair(2, 0.9970)
    assert ("wide × 2, median of 3 seeds: **99.70%** (99.72% (seed 1), "
            "99.70% (seed 2), 99.68% (seed 3))") in report.final_markdown(
                tmp_path)
    # members with other dropout: the search's name for them, or the
    # widths and rates where no recipe has them
    for folder, rates in (("wide-hd", [0.05, 0.1, 0.15, 0.2, 0.25]),
                          ("odd", [0.2, 0.2, 0.2, 0.2, 0.2])):
        results.save(tmp_path / FINAL_DIR / folder, record(
            "12_averaging", test_accuracy=0.9971, networks_trained=2,
            parameter_count=2 * 492_614, train_seconds=2 * 1800,
            parameters={"seed": 1, "members": 2, "dropout": rates,
                        "filters": [16, 32, 64, 128]}))
    text = report.final_markdown(tmp_path)
    assert "| `final/wide-hd` | wide-half-dropout | 1 | 2 |" in text
    assert ("| `final/odd` | 16, 32, 64, 128; dropout 0.2, 0.2, 0.2, 0.2, "
            "0.2 | 1 | 2 |") in text
    assert "| `final/wide2-seed1` | wide |" in text  # the talk's rates
    # with tta: its own recipe name, so that its seeds are summed up
    # apart from the same members' runs without it, and the averages
    # without the shifts beside (watched: the rule was chosen before)
    for seed, tta, plain in ((1, 0.9973, 0.9969), (2, 0.9970, 0.9966)):
        results.save(tmp_path / FINAL_DIR / f"tta{seed}", record(
            "12_averaging", test_accuracy=tta, networks_trained=2,
            parameter_count=2 * 492_614, train_seconds=2 * 1800,
            parameters={"seed": seed, "members": 2, "tta": True,
                        "filters": [16, 32, 64, 128]},
            extra={"member_accuracies": [0.9968, 0.9965],
                   "plain_accuracy": plain,
                   "plain_member_accuracies": [0.9966, 0.9962]}))
    text = report.final_markdown(tmp_path)
    assert ("| `final/tta1` | wide + tta | 1 | 2 | 492,614 | 99.68%, 99.65% "
            "| 99.73% | 99.69% | 30.0 |") in text
    assert ("wide + tta × 2, 2 seeds: 99.73% (seed 1), 99.70% (seed 2); "
            "without tta: 99.69%, 99.66%.") in text
    assert "wide × 2, median of 3 seeds: **99.70%**" in text
    results.save(tmp_path / FINAL_DIR / "tta3", record(
        "12_averaging", test_accuracy=0.9968, networks_trained=2,
        parameter_count=2 * 492_614, train_seconds=2 * 1800,
        parameters={"seed": 3, "members": 2, "tta": True,
                    "filters": [16, 32, 64, 128]},
        extra={"plain_accuracy": 0.9967}))
    assert ("wide + tta × 2, median of 3 seeds: **99.70%** (99.73% (seed 1), "
            "99.70% (seed 2), 99.68% (seed 3)); without tta: median 99.67%."
            ) in report.final_markdown(tmp_path)
    readme = (f"x\n{report.LADDER_START}\n{report.LADDER_END}\n"
              f"{report.FINAL_START}\n{report.FINAL_END}\n")
    assert "`final/wide2-seed1` | wide" in report.replace_blocks(readme,
                                                                 tmp_path)


def test_the_readme_says_how_long_the_series_took():
    """'an hour or so' holds for the committed run's wall minutes, which
    the ladder's line sums (`results/run.json`)."""
    text = (files.ROOT / "README.md").read_text()
    stages = records.load_run(files.RESULTS)["stages"]
    minutes = sum(s["wall_seconds"] for s in stages.values()) / 60
    assert len(stages) == 13
    assert "On 2 CPU cores it takes an hour or so" in text
    assert 40 < minutes < 80, minutes


def test_the_ladder_gives_each_stage_its_seeds_median_spread_and_noise():
    """The ladder's seeds column is the median of the TensorFlow runs in
    results/ and results/runs/tensorflow-seed*/, its spread in test errors;
    the noise column the test set's own sampling, in errors."""
    import statistics

    from mnist_talk import evidence

    seeds = seed_accuracies(files.RESULTS, "02_normalized")
    expected = [results.load(d, "02_normalized").test_accuracy for d in (
        files.RESULTS, files.RESULTS / "runs" / "tensorflow-seed2",
        files.RESULTS / "runs" / "tensorflow-seed3")]
    assert seeds == expected
    assert round(evidence.noise(0.997), 1) == 5.5
    table = report.ladder_markdown(files.RESULTS)
    row = next(line for line in table.splitlines() if line.startswith("| 02 "))
    spread = round((max(seeds) - min(seeds)) * 10_000)
    assert f"{statistics.median(seeds):.2%} of 3 ({spread})" in row


def test_the_spread_is_the_committed_seeds_lowest_to_highest(tmp_path,
                                                            record):
    """`results.spread`: the ladder's run and its other seeds on the same
    backend (another backend's runs are not counted); none for one seed."""
    results.save(tmp_path, record(test_accuracy=0.9876,
                                  parameters={"seed": 1}))
    assert results.spread("01_linear", tmp_path) is None
    for seed, accuracy, backend in ((2, 0.9861, "tensorflow"),
                                    (3, 0.9890, "tensorflow"),
                                    (2, 0.9990, "jax")):
        results.save(tmp_path / results.RUNS_DIR / f"{backend}-seed{seed}",
                     record(test_accuracy=accuracy, backend=backend,
                            parameters={"seed": seed}))
    spread = results.spread("01_linear", tmp_path)
    assert (spread.low, spread.high, spread.seeds) == (0.9861, 0.989, 3)
    assert spread.errors == 29 and str(spread) == "seeds 98.61% to 98.90%"


def test_a_run_on_other_hardware_is_shown_beside_the_committed_one(record):
    """At the committed settings but on another device or backend, the
    result names the full run and how far apart its seeds land; on the
    committed device and backend it is that run over again."""
    full = results.load(files.RESULTS, "02_normalized")
    assert results.full_run(full.stage, full.settings, full.device,
                            full.backend) is None
    gpu = "GPU 0 (NVIDIA H200) via tensorflow, memory as used"
    assert results.full_run(full.stage, full.settings, gpu,
                            full.backend) == full
    assert results.full_run(full.stage, full.settings, full.device,
                            "jax") == full
    mine = record(stage=full.stage, test_accuracy=0.9211, device=gpu,
                  parameters=full.parameters)
    mine.full_run, mine.spread = full, results.spread(full.stage)
    shown = mine._repr_markdown_()
    assert f"(this run: the same settings, on {gpu})" in shown
    s = mine.spread
    assert (f"its seeds land {s.low:.2%} to {s.high:.2%} ({s.errors} test "
            "errors apart)") in shown
