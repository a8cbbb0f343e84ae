"""The talk's transcribed logs (`mnist_talk.talk`) and the audit built on them."""

import math
import os
import re
from pathlib import Path

import pytest

from mnist_talk import results, stages, tables, talk
from mnist_talk.files import ROOT

#: The transcript's file name; see `transcript_path`.
TRANSCRIPT_NAME = "beating-mnist-talk.md"

LOGGED = [s.id for s in stages.STAGES if talk.TALK[s.id]["fits"]]


def test_every_stage_is_transcribed_and_nothing_else():
    assert list(talk.TALK) == [s.id for s in stages.STAGES]


@pytest.mark.parametrize("stage", stages.STAGES, ids=lambda s: s.id)
def test_headline_is_the_stage_manifests_talk_accuracy(stage):
    assert talk.TALK[stage.id]["headline"] == stage.talk_accuracy


def test_only_the_prose_stages_have_no_log():
    assert [s.id for s in stages.STAGES if s.id not in LOGGED] == [
        "12_averaging", "13_pseudo_labels"]
    for sid in ("12_averaging", "13_pseudo_labels"):
        assert talk.log_summary(sid) is None
        assert talk.verdict(sid) == "no log: described in prose"


@pytest.mark.parametrize("sid", LOGGED)
def test_each_fit_logs_the_epochs_it_asked_for(sid):
    for fit in talk.fits(sid):
        assert f"nb_epoch={fit['nb_epoch']}" in fit["code"]
        assert len(fit["epochs"]) == fit["nb_epoch"]
        for epoch in fit["epochs"]:
            assert len(epoch) == len(talk.EPOCH_FIELDS)
            loss, acc, val_loss, val_acc = epoch
            assert loss > 0 and val_loss > 0
            assert 0 < acc < 1 and 0 < val_acc < 1


@pytest.mark.parametrize("sid", LOGGED)
def test_fits_are_in_transcript_order_and_set_lr_just_before(sid):
    fits = talk.fits(sid)
    lines = [f["line"] for f in fits]
    assert lines == sorted(lines)
    for fit in fits:
        assert fit["log_line"] > fit["line"]
        if fit["lr"] is None:
            assert fit["lr_code"] is None and fit["lr_line"] is None
        else:
            assert fit["lr_line"] == fit["line"] - 1
            written = fit["lr_code"].split("=")[1]
            assert float(written) == pytest.approx(fit["lr"])
        if fit["continues"] is not None:
            assert fit["continues"] < fit["line"]


def test_epoch_counts():
    expected = {"01_linear": 15, "02_normalized": 5, "03_hidden_layer": 5,
                "04_deeper": 5, "05_convolutions": 5, "06_max_pooling": 5,
                "07_vgg": 4, "08_batch_norm": 5, "09_dropout": 5,
                "10_augmentation": 10, "11_annealing": 28}
    assert {sid: talk.log_summary(sid)["epochs"] for sid in LOGGED} == expected
    assert talk.log_summary("11_annealing", own_model_only=True)["epochs"] == 23


def test_log_summary_of_stage_01():
    assert talk.log_summary("01_linear") == {
        "last": 0.6263, "best": 0.6336, "best_line": 357, "epochs": 15}


def test_annealing_headline_comes_from_the_cell_on_stage_10s_model():
    last_cell = talk.fits("11_annealing")[-1]
    assert last_cell["continues"] == talk.fits("10_augmentation")[-1]["line"]
    assert talk.foreign_model("11_annealing", last_cell) == "10_augmentation"
    # That cell starts where stage 10 ended, not where the annealing ended.
    ten_end = talk.fits("10_augmentation")[-1]["epochs"][-1]
    annealing_end = talk.fits("11_annealing")[-2]["epochs"][-1]
    start = last_cell["epochs"][0]
    assert start[3] == ten_end[3] != annealing_end[3]
    assert abs(start[0] - ten_end[0]) < abs(start[0] - annealing_end[0])

    whole = talk.log_summary("11_annealing")
    assert (whole["best"], whole["best_line"], whole["last"]) == (
        0.9939, 1539, 0.9937)
    own = talk.log_summary("11_annealing", own_model_only=True)
    assert (own["best"], own["best_line"], own["last"]) == (0.9913, 1516,
                                                            0.9912)
    assert talk.verdict("11_annealing") == (
        "headline = best epoch, on 10's model")


def test_verdicts():
    assert {sid: talk.verdict(sid) for sid in LOGGED} == {
        "01_linear": "headline above every epoch",
        "02_normalized": "headline above every epoch",
        "03_hidden_layer": "headline below every epoch",
        "04_deeper": "headline above every epoch",
        "05_convolutions": "headline above every epoch",
        "06_max_pooling": "headline within its log",
        "07_vgg": "headline below every epoch",
        "08_batch_norm": "headline = best epoch",
        "09_dropout": "headline = last epoch",
        "10_augmentation": "headline = last epoch",
        "11_annealing": "headline = best epoch, on 10's model",
    }


def test_stage_01_loss_is_the_clipped_log_times_the_error_rate():
    rows = talk.clipped_loss_check()
    assert len(rows) == 10
    assert talk.LOSS_PER_ERROR == pytest.approx(16.118, abs=1e-3)
    for loss, error, predicted in rows:
        assert predicted == pytest.approx(-math.log(1e-7) * error)
        assert loss == pytest.approx(predicted, rel=0.02)
    # The same holds on the test images, for both of 01's fits.
    for fit in talk.fits("01_linear"):
        for *_, val_loss, val_acc in fit["epochs"]:
            assert val_loss == pytest.approx(16.118 * (1 - val_acc), rel=0.02)


def test_audit_rows_and_table_with_one_result(tmp_path, record):
    results.save(tmp_path, record("02_normalized", test_accuracy=0.9251))
    rows = talk.audit_rows(tmp_path)
    assert [r["stage"] for r in rows] == [s.id for s in stages.STAGES]
    by_id = {r["stage"]: r for r in rows}
    two = by_id["02_normalized"]
    assert two["ours"] == 0.9251
    assert (two["headline"], two["log_last"], two["log_best"]) == (
        0.9244, 0.9195, 0.9195)
    assert two["title"] == stages.get("02_normalized").title
    assert all(r["ours"] is None for r in rows if r is not two)
    assert by_id["12_averaging"]["log_last"] is None

    table = talk.audit_table(tmp_path)
    assert isinstance(table, tables.Table)
    assert len(table.header) <= 7
    assert all(len(h.split()) <= 3 for h in table.header)
    assert len(table.rows) == len(stages.STAGES)
    md = table._repr_markdown_()
    assert "| 02 | 92.44% | 91.95% | 91.95% |" in md
    assert "92.51%" in md and "66.37%" in md and "—" in md
    # Short enough for a 1280-px slide.
    assert max(len(" | ".join(map(str, r))) for r in table.rows) <= 100


def transcript_path() -> Path | None:
    """Where the transcript is on this machine, or None (it is not in the repo).

    `$MNIST_TALK_TRANSCRIPT` first, then `shared/seed/` inside the repository
    or beside it.
    """
    candidates = [os.environ.get("MNIST_TALK_TRANSCRIPT"),
                  ROOT / "shared" / "seed" / TRANSCRIPT_NAME,
                  ROOT.parent / "shared" / "seed" / TRANSCRIPT_NAME]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


def _transcript_lines():
    path = transcript_path()
    if path is None:
        pytest.skip(f"{TRANSCRIPT_NAME} is not on this machine")
    return [""] + path.read_text().splitlines()  # 1-based line numbers


METRICS = re.compile(r"loss: ([\d.]+) - acc: ([\d.]+) - "
                     r"val_loss: ([\d.]+) - val_acc: ([\d.]+)")


@pytest.mark.parametrize("sid", LOGGED)
def test_transcription_matches_the_transcript(sid):
    lines = _transcript_lines()
    for fit in talk.fits(sid):
        assert fit["code"] in lines[fit["line"]]
        if fit["lr_code"]:
            assert lines[fit["lr_line"]].strip() == fit["lr_code"]
        n = fit["nb_epoch"]
        for i, (epoch, line) in enumerate(zip(fit["epochs"],
                                              talk.epoch_lines(fit))):
            assert lines[line - 1].strip() == f"Epoch {i + 1}/{n}"
            found = METRICS.search(lines[line])
            assert found, (sid, line)
            assert tuple(map(float, found.groups())) == epoch, (sid, line)


def test_headlines_and_fit_calls_match_the_transcript():
    lines = _transcript_lines()
    for s in stages.STAGES:
        entry = talk.TALK[s.id]
        assert lines[entry["headline_line"]].strip() == (
            f"{s.talk_accuracy * 100:g}%")
        assert lines[entry["headline_line"] - 2].strip() == "#### Result"
    calls = [n for n, text in enumerate(lines)
             if re.search(r"model\.fit(_generator)?\(", text)]
    recorded = sorted(f["line"] for sid in LOGGED for f in talk.fits(sid))
    assert calls == recorded
    epochs = [n for n, text in enumerate(lines) if METRICS.search(text)]
    assert epochs == sorted(line for sid in LOGGED
                            for f in talk.fits(sid)
                            for line in talk.epoch_lines(f))
