"""The talk's own training logs, stage by stage, and how its headlines relate.

Stage 01 introduces this (each stage's "What we see" cites the talk's
headline beside its log, `evidence.talk_log`); stage 13 shows the audit.
Every number is transcribed by hand from the talk's transcript,
`beating-mnist-talk.md` (a Keras 1 notebook exported to Markdown), with the
line numbers of that file, so that each figure can be checked against it.
The figures are data, in `talk.json` beside this module; nothing is parsed
from the transcript. For each stage of `stages.STAGES`, `TALK` holds

* `headline`: the "#### Result" figure the talk shows for the stage (a
  fraction; the same as `stages.get(id).talk_accuracy`) and its line;
* `fits`: the training cells (`model.fit` / `model.fit_generator` calls) in
  the order they ran, each with its code and line, the learning rate set just
  before it (as written: `model.optimizer.lr = ...`), the line of its first
  epoch's log and, per epoch, `(loss, acc, val_loss, val_acc)` exactly as
  printed. The talk validates on the 10,000 test images, so `val_acc` is
  test accuracy. `continues` is the line of the fit whose model this one
  keeps training (None for a fresh model).

Stages 12 (model averaging) and 13 (pseudo-labelling) are prose only in the
talk: no code, no log, just a headline.

What reading the logs shows (see `audit_rows`): only stages 09 and 10 report
their last epoch; 08 and 11 report their best epoch, 06 a figure between its
epochs, 01, 02, 04 and 05 a figure above every epoch of their log, 03 and 07
one below every epoch. Stage 11's 99.39% (line 1560) does not come from its
annealing run (lines 1452-1468, last epoch 99.12% at line 1518) but from the
next cell (lines 1530-1531, 5 epochs at `lr = 0.0000001`), whose log picks up
where stage 10's run ended (line 1330: loss 0.0696, val_loss 0.0279, val_acc
0.9927; line 1535: 0.0685, 0.0274, 0.9927), not where the annealing ended
(line 1518: loss 0.0935, val_acc 0.9912); its `History` object (line 1549,
0x7f9a...) also shares its address prefix with stages 08 to 10 (lines 1056,
1222, 1336) rather than with the annealing cell's (line 1524, 0x7f7f...).

Keras 1 clipped the predicted probabilities to [1e-7, 1 - 1e-7] before the
log of the cross-entropy, so a saturated wrong answer costs -ln(1e-7) =
16.118: stage 01's loss is almost exactly 16.118 × its error rate
(`clipped_loss_check`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from . import results, stages
from .tables import Table, pct

#: Keras 1's clipping of probabilities before the log (its `_EPSILON`).
CLIP = 1e-7
#: The loss of one confidently wrong answer under that clipping: 16.118.
LOSS_PER_ERROR = -math.log(CLIP)

#: The data file the figures are read from, shipped with the package.
TALK_FILE = Path(__file__).with_name("talk.json")


def _read(path: Path = TALK_FILE) -> dict:
    """`talk.json`, each epoch's figures as a tuple."""
    with open(path, encoding="utf-8") as f:
        found = json.load(f)
    for entry in found.values():
        for fit in entry["fits"]:
            fit["epochs"] = [tuple(epoch) for epoch in fit["epochs"]]
    return found


TALK = _read()

#: The columns of an epoch's tuple in `TALK[...]["fits"][i]["epochs"]`.
EPOCH_FIELDS = ("loss", "acc", "val_loss", "val_acc")


def fits(stage_id: str) -> list[dict]:
    """The training cells of a stage, in order ([] for a prose-only stage)."""
    stages.get(stage_id)  # a clear error for an unknown id
    return TALK[stage_id]["fits"]


def epoch_lines(fit: dict) -> list[int]:
    """The transcript line of each epoch's log line in `fit`.

    Each epoch's metrics line follows its own "Epoch i/n" line, so they are
    two lines apart.
    """
    return [fit["log_line"] + 2 * i for i in range(len(fit["epochs"]))]


def _fit_stage(line: int) -> str | None:
    """The stage whose fit call is on transcript line `line`."""
    for sid, entry in TALK.items():
        if any(f["line"] == line for f in entry["fits"]):
            return sid
    return None


def foreign_model(stage_id: str, fit: dict) -> str | None:
    """The other stage whose model `fit` keeps training, if any."""
    if fit["continues"] is None:
        return None
    owner = _fit_stage(fit["continues"])
    return owner if owner != stage_id else None


def log_summary(stage_id: str, own_model_only: bool = False) -> dict | None:
    """Last and best test accuracy in a stage's log, or None without a log.

    {"last": val_acc of the last epoch of the last fit, "best": the highest
    val_acc over all its fits, "best_line": the transcript line of that
    epoch (the first one, on a tie), "epochs": epochs in all}. With
    `own_model_only`, fits that keep training another stage's model (stage
    11's last cell, on stage 10's) are left out.
    """
    chosen = [f for f in fits(stage_id)
              if not (own_model_only and foreign_model(stage_id, f))]
    if not chosen:
        return None
    pairs = [(e[3], line) for f in chosen
             for e, line in zip(f["epochs"], epoch_lines(f))]
    best, best_line = max(pairs, key=lambda p: (p[0], -p[1]))
    return {"last": pairs[-1][0], "best": best, "best_line": best_line,
            "epochs": len(pairs)}


def _same(a: float, b: float) -> bool:
    return round(a, 4) == round(b, 4)


def verdict(stage_id: str) -> str:
    """How the talk's headline for a stage sits against its own log."""
    headline = TALK[stage_id]["headline"]
    summary = log_summary(stage_id)
    if summary is None:
        return "no log: described in prose"
    located = [(f, e[3]) for f in fits(stage_id) for e in f["epochs"]]
    values = [v for _, v in located]
    matching = [f for f, v in located if _same(v, headline)]
    if _same(headline, summary["last"]):
        text = "headline = last epoch"
    elif _same(headline, summary["best"]):
        text = "headline = best epoch"
    elif matching:
        text = "headline = an earlier epoch"
    elif headline > max(values):
        text = "headline above every epoch"
    elif headline < min(values):
        text = "headline below every epoch"
    else:
        text = "headline within its log"
    owners = {foreign_model(stage_id, f) for f in matching} - {None}
    if owners:
        text += ", on " + " and ".join(f"{o[:2]}'s" for o in sorted(owners)) \
            + " model"
    return text


def audit_rows(results_dir) -> list[dict]:
    """One row per stage: the talk's headline, its log, a verdict, and ours.

    `ours` is the stage's `test_accuracy` in `results_dir`, None when the
    stage has not run there.
    """
    rows = []
    for s in stages.STAGES:
        summary = log_summary(s.id) or {}
        record = results.load(results_dir, s.id)
        rows.append({
            "stage": s.id, "title": s.title,
            "headline": TALK[s.id]["headline"],
            "log_last": summary.get("last"), "log_best": summary.get("best"),
            "best_line": summary.get("best_line"),
            "epochs": summary.get("epochs"),
            "verdict": verdict(s.id),
            "ours": record and record.test_accuracy,
        })
    return rows


def audit_table(results_dir) -> Table:
    """`audit_rows` as a six-column table that fits a slide."""
    rows = [[r["stage"][:2], pct(r["headline"]), pct(r["log_last"]),
             pct(r["log_best"]), r["verdict"].removeprefix("headline "),
             pct(r["ours"])]
            for r in audit_rows(results_dir)]
    return Table(["stage", "talk", "log last", "log best",
                          "headline vs log", "ours"], rows)


def clipped_loss_check() -> list[tuple[float, float, float]]:
    """Stage 01's loss beside 16.118 × its error rate, epoch by epoch.

    For each epoch of the talk's first fit of stage 01 (line 307):
    `(loss, error rate = 1 - acc, -ln(1e-7) × error rate)`. The last two
    agree within 1%: with raw pixels up to 255 the linear model's softmax
    is saturated, so each answer costs either ~0 or the clipped
    -ln(1e-7) = 16.118.
    """
    first = TALK["01_linear"]["fits"][0]
    return [(loss, round(1 - acc, 4), LOSS_PER_ERROR * round(1 - acc, 4))
            for loss, acc, _, _ in first["epochs"]]
