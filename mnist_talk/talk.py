"""The talk's own training logs, stage by stage, and how its headlines relate.

Every number here is transcribed by hand from the talk's transcript,
`beating-mnist-talk.md` (a Keras 1 notebook exported to Markdown), with the
line numbers of that file, so that each figure can be checked against it:
nothing is parsed at import. For each stage of `stages.STAGES`, `TALK` holds

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

import math
import os
from pathlib import Path

from . import results, stages
from .files import ROOT
from .tables import Table, pct

#: The transcript's file name; see `transcript_path`.
TRANSCRIPT_NAME = "beating-mnist-talk.md"
#: Keras 1's clipping of probabilities before the log (its `_EPSILON`).
CLIP = 1e-7
#: The loss of one confidently wrong answer under that clipping: 16.118.
LOSS_PER_ERROR = -math.log(CLIP)

TALK = {
    "01_linear": {
        "headline": 0.6637, "headline_line": 373,
        "fits": [
            {"description": "10 epochs, default learning rate",
             "line": 307, "nb_epoch": 10,
             "code": "model.fit(X, y, nb_epoch=10, "
                     "validation_data=(X_val, y_val))",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 312,
             "epochs": [
                 (8.5304, 0.4673, 7.5085, 0.5318),
                 (7.3680, 0.5410, 7.3163, 0.5440),
                 (7.3185, 0.5443, 7.4219, 0.5382),
                 (6.9662, 0.5663, 6.2782, 0.6084),
                 (6.0397, 0.6235, 6.0477, 0.6235),
                 (5.9435, 0.6297, 6.2494, 0.6109),
                 (5.9682, 0.6283, 6.0403, 0.6235),
                 (5.9611, 0.6290, 5.9890, 0.6271),
                 (5.8919, 0.6332, 5.9556, 0.6293),
                 (5.8582, 0.6351, 6.0442, 0.6244),
             ]},
            {"description": "5 more epochs at lr=1e-8",
             "line": 348, "nb_epoch": 5,
             "code": "model.fit(X, y, nb_epoch=5, "
                     "validation_data=(X_val, y_val))",
             "lr": 1e-8, "lr_code": "model.optimizer.lr = 0.00000001",
             "lr_line": 347,
             "continues": 307, "log_line": 353,
             "epochs": [
                 (5.8686, 0.6348, 6.0448, 0.6237),
                 (5.8538, 0.6359, 5.9611, 0.6289),
                 (5.8826, 0.6342, 5.8861, 0.6336),
                 (5.8369, 0.6369, 5.9291, 0.6311),
                 (5.8060, 0.6391, 6.0110, 0.6263),
             ]},
        ],
    },
    "02_normalized": {
        "headline": 0.9244, "headline_line": 494,
        "fits": [
            {"description": "5 epochs, default learning rate",
             "line": 469, "nb_epoch": 5,
             "code": "model.fit(X, y, nb_epoch=5, "
                     "validation_data=(X_val, y_val))",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 474,
             "epochs": [
                 (0.3871, 0.8859, 0.2986, 0.9146),
                 (0.3004, 0.9151, 0.2856, 0.9171),
                 (0.2872, 0.9201, 0.3002, 0.9169),
                 (0.2819, 0.9209, 0.2851, 0.9190),
                 (0.2762, 0.9231, 0.2921, 0.9195),
             ]},
        ],
    },
    "03_hidden_layer": {
        "headline": 0.9703, "headline_line": 563,
        "fits": [
            {"description": "5 epochs, default learning rate",
             "line": 538, "nb_epoch": 5,
             "code": "model.fit(X, y, nb_epoch=5, "
                     "validation_data=(X_val, y_val))",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 543,
             "note": "epoch 1 already reads train acc 0.9836 (loss 0.0583), "
                     "above its val_acc: not a fresh model's first epoch, "
                     "so the cell most likely ran more than once",
             "epochs": [
                 (0.0583, 0.9836, 0.0933, 0.9713),
                 (0.0490, 0.9864, 0.0876, 0.9735),
                 (0.0416, 0.9885, 0.0833, 0.9759),
                 (0.0353, 0.9908, 0.0864, 0.9746),
                 (0.0301, 0.9920, 0.0846, 0.9748),
             ]},
        ],
    },
    "04_deeper": {
        "headline": 0.9775, "headline_line": 638,
        "fits": [
            {"description": "5 epochs, default learning rate",
             "line": 613, "nb_epoch": 5,
             "code": "model.fit(X, y, validation_data=(X_val, y_val), "
                     "nb_epoch=5)",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 618,
             "epochs": [
                 (0.2084, 0.9359, 0.1232, 0.9641),
                 (0.1029, 0.9684, 0.1494, 0.9545),
                 (0.0800, 0.9751, 0.1078, 0.9712),
                 (0.0634, 0.9799, 0.0928, 0.9720),
                 (0.0523, 0.9834, 0.1241, 0.9688),
             ]},
        ],
    },
    "05_convolutions": {
        "headline": 0.9849, "headline_line": 721,
        "fits": [
            {"description": "5 epochs, default learning rate",
             "line": 696, "nb_epoch": 5,
             "code": "model.fit(X, y, validation_data=(X_val, y_val), "
                     "nb_epoch=5)",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 701,
             "epochs": [
                 (0.1646, 0.9506, 0.0733, 0.9772),
                 (0.0691, 0.9787, 0.0735, 0.9769),
                 (0.0510, 0.9839, 0.0497, 0.9835),
                 (0.0385, 0.9879, 0.0645, 0.9803),
                 (0.0292, 0.9909, 0.0629, 0.9822),
             ]},
        ],
    },
    "06_max_pooling": {
        "headline": 0.9837, "headline_line": 831,
        "fits": [
            {"description": "5 epochs, default learning rate",
             "line": 806, "nb_epoch": 5,
             "code": "model.fit(X, y, validation_data=(X_val, y_val), "
                     "nb_epoch=5)",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 811,
             "epochs": [
                 (0.1865, 0.9441, 0.0627, 0.9787),
                 (0.0590, 0.9815, 0.0416, 0.9864),
                 (0.0434, 0.9867, 0.0463, 0.9841),
                 (0.0360, 0.9885, 0.0482, 0.9849),
                 (0.0295, 0.9905, 0.0499, 0.9838),
             ]},
        ],
    },
    "07_vgg": {
        "headline": 0.9694, "headline_line": 940,
        "fits": [
            {"description": "4 epochs, default learning rate",
             "line": 917, "nb_epoch": 4,
             "code": "model.fit(X, y, validation_data=(X_val, y_val), "
                     "nb_epoch=4)",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 922,
             "epochs": [
                 (0.2940, 0.9083, 0.0816, 0.9764),
                 (0.0747, 0.9787, 0.0552, 0.9835),
                 (0.0555, 0.9839, 0.0587, 0.9826),
                 (0.0509, 0.9856, 0.0731, 0.9782),
             ]},
        ],
    },
    "08_batch_norm": {
        "headline": 0.9893, "headline_line": 1062,
        "fits": [
            {"description": "5 epochs, default learning rate",
             "line": 1037, "nb_epoch": 5,
             "code": "model.fit(X, y, validation_data=(X_val, y_val), "
                     "nb_epoch=5)",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 1042,
             "epochs": [
                 (0.1731, 0.9561, 0.0850, 0.9751),
                 (0.0594, 0.9826, 0.0763, 0.9782),
                 (0.0461, 0.9862, 0.0604, 0.9816),
                 (0.0379, 0.9888, 0.0387, 0.9893),
                 (0.0323, 0.9900, 0.0970, 0.9712),
             ]},
        ],
    },
    "09_dropout": {
        "headline": 0.9898, "headline_line": 1228,
        "fits": [
            {"description": "5 epochs, default learning rate",
             "line": 1203, "nb_epoch": 5,
             "code": "model.fit(X, y, validation_data=(X_val, y_val), "
                     "nb_epoch=5)",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 1208,
             "epochs": [
                 (0.4139, 0.8825, 0.0677, 0.9804),
                 (0.1287, 0.9691, 0.0559, 0.9839),
                 (0.0990, 0.9760, 0.0450, 0.9885),
                 (0.0809, 0.9804, 0.0428, 0.9896),
                 (0.0723, 0.9816, 0.0378, 0.9898),
             ]},
        ],
    },
    "10_augmentation": {
        "headline": 0.9927, "headline_line": 1342,
        "fits": [
            {"description": "10 augmented epochs, default learning rate",
             "line": 1308, "nb_epoch": 10,
             "code": "model.fit_generator(batch_gen, batch_gen.N,  "
                     "nb_epoch=10, validation_data=(X_val, y_val))",
             "lr": None, "lr_code": None, "lr_line": None,
             "continues": None, "log_line": 1312,
             "epochs": [
                 (0.7929, 0.7602, 0.1125, 0.9683),
                 (0.1968, 0.9515, 0.0566, 0.9846),
                 (0.1416, 0.9649, 0.0475, 0.9879),
                 (0.1133, 0.9716, 0.0423, 0.9876),
                 (0.1023, 0.9742, 0.0357, 0.9900),
                 (0.0931, 0.9763, 0.0376, 0.9908),
                 (0.0836, 0.9788, 0.0390, 0.9903),
                 (0.0770, 0.9796, 0.0288, 0.9924),
                 (0.0734, 0.9814, 0.0304, 0.9920),
                 (0.0696, 0.9813, 0.0279, 0.9927),
             ]},
        ],
    },
    "11_annealing": {
        "headline": 0.9939, "headline_line": 1560,
        "fits": [
            {"description": "1 epoch at lr=1e-4, batch 64, no augmentation",
             "line": 1453, "nb_epoch": 1,
             "code": "model.fit(X, y, batch_size=64, nb_epoch=1, "
                     "validation_data=(X_val, y_val))",
             "lr": 1e-4, "lr_code": "model.optimizer.lr = 0.0001",
             "lr_line": 1452,
             "continues": None, "log_line": 1473,
             "epochs": [
                 (1.7793, 0.4132, 0.6470, 0.8850),
             ]},
            {"description": "3 epochs at lr=1e-2, batch 64, no augmentation",
             "line": 1456, "nb_epoch": 3,
             "code": "model.fit(X, y, batch_size=64, nb_epoch=3, "
                     "validation_data=(X_val, y_val))",
             "lr": 1e-2, "lr_code": "model.optimizer.lr = 0.01",
             "lr_line": 1455,
             "continues": 1453, "log_line": 1476,
             "epochs": [
                 (0.7553, 0.8099, 0.2237, 0.9570),
                 (0.3961, 0.9164, 0.1164, 0.9714),
                 (0.2578, 0.9458, 0.0798, 0.9787),
             ]},
            {"description": "4 augmented epochs at lr=1e-2",
             "line": 1459, "nb_epoch": 4,
             "code": "model.fit_generator(batch_gen, batch_gen.N, "
                     "nb_epoch=4, validation_data=(X_val, y_val))",
             "lr": 1e-2, "lr_code": "model.optimizer.lr = 0.01",
             "lr_line": 1458,
             "continues": 1456, "log_line": 1482,
             "epochs": [
                 (0.2415, 0.9432, 0.0675, 0.9816),
                 (0.2106, 0.9497, 0.0582, 0.9833),
                 (0.1898, 0.9545, 0.0514, 0.9857),
                 (0.1713, 0.9589, 0.0477, 0.9872),
             ]},
            {"description": "5 augmented epochs at lr=1e-3",
             "line": 1462, "nb_epoch": 5,
             "code": "model.fit_generator(batch_gen, batch_gen.N, "
                     "nb_epoch=5, validation_data=(X_val, y_val))",
             "lr": 1e-3, "lr_code": "model.optimizer.lr = 0.001",
             "lr_line": 1461,
             "continues": 1459, "log_line": 1490,
             "epochs": [
                 (0.1578, 0.9617, 0.0449, 0.9879),
                 (0.1497, 0.9630, 0.0456, 0.9868),
                 (0.1355, 0.9671, 0.0410, 0.9891),
                 (0.1339, 0.9672, 0.0418, 0.9883),
                 (0.1239, 0.9692, 0.0394, 0.9895),
             ]},
            {"description": "5 augmented epochs at lr=1e-4",
             "line": 1465, "nb_epoch": 5,
             "code": "model.fit_generator(batch_gen, batch_gen.N, "
                     "nb_epoch=5, validation_data=(X_val, y_val))",
             "lr": 1e-4, "lr_code": "model.optimizer.lr = 0.0001",
             "lr_line": 1464,
             "continues": 1462, "log_line": 1500,
             "epochs": [
                 (0.1181, 0.9702, 0.0343, 0.9906),
                 (0.1112, 0.9728, 0.0380, 0.9893),
                 (0.1094, 0.9731, 0.0355, 0.9902),
                 (0.1093, 0.9730, 0.0334, 0.9908),
                 (0.0992, 0.9753, 0.0361, 0.9903),
             ]},
            {"description": "5 augmented epochs at lr=1e-5: the annealing "
                            "run ends here",
             "line": 1468, "nb_epoch": 5,
             "code": "model.fit_generator(batch_gen, batch_gen.N, "
                     "nb_epoch=5, validation_data=(X_val, y_val))",
             "lr": 1e-5, "lr_code": "model.optimizer.lr = 0.00001",
             "lr_line": 1467,
             "continues": 1465, "log_line": 1510,
             "epochs": [
                 (0.0976, 0.9756, 0.0374, 0.9906),
                 (0.0966, 0.9763, 0.0348, 0.9909),
                 (0.0937, 0.9765, 0.0354, 0.9905),
                 (0.0930, 0.9770, 0.0333, 0.9913),
                 (0.0935, 0.9770, 0.0289, 0.9912),
             ]},
            {"description": "5 more augmented epochs at lr=1e-7, on stage "
                            "10's model: the headline's cell",
             "line": 1531, "nb_epoch": 5,
             "code": "model.fit_generator(batch_gen, batch_gen.N, "
                     "nb_epoch=5, validation_data=(X_val, y_val))",
             "lr": 1e-7, "lr_code": "model.optimizer.lr = 0.0000001",
             "lr_line": 1530,
             "continues": 1308, "log_line": 1535,
             "note": "its first epoch (loss 0.0685, val_loss 0.0274, "
                     "val_acc 0.9927, line 1535) follows stage 10's last "
                     "(0.0696, 0.0279, 0.9927, line 1330), not the annealing "
                     "run's (0.0935, 0.0289, 0.9912, line 1518); its History "
                     "(line 1549, 0x7f9a...) matches stages 08-10's address "
                     "prefix, the annealing cell's (line 1524) is 0x7f7f...",
             "epochs": [
                 (0.0685, 0.9826, 0.0274, 0.9927),
                 (0.0711, 0.9811, 0.0244, 0.9927),
                 (0.0663, 0.9829, 0.0204, 0.9939),
                 (0.0674, 0.9825, 0.0206, 0.9939),
                 (0.0692, 0.9817, 0.0230, 0.9937),
             ]},
        ],
    },
    "12_averaging": {
        "headline": 0.995, "headline_line": 1570,
        "fits": [],
    },
    "13_pseudo_labels": {
        "headline": 0.9958, "headline_line": 1583,
        "fits": [],
    },
}

#: The columns of an epoch's tuple in `TALK[...]["fits"][i]["epochs"]`.
EPOCH_FIELDS = ("loss", "acc", "val_loss", "val_acc")


def transcript_path() -> Path | None:
    """Where the transcript is on this machine, or None (it is not in the repo).

    `$MNIST_TALK_TRANSCRIPT` first, then `shared/seed/` inside the repository
    or beside it.
    """
    root = ROOT
    candidates = [os.environ.get("MNIST_TALK_TRANSCRIPT"),
                  root / "shared" / "seed" / TRANSCRIPT_NAME,
                  root.parent / "shared" / "seed" / TRANSCRIPT_NAME]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


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
