"""What the solutions' "What to look for" notes say, checked against the
outputs of their committed run (`notebooks/solutions/NN_slug.ipynb`, made
by `make solutions` at the settings the exercises give for a CPU).

As in `test_claims.py`, each claim names its notebook and a phrase of its
sentence: the phrase must still be in the solutions' source, and the
committed outputs must still bear it out. A rerun that changes a table a
note reads fails here, and says which note to revisit.
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from mnist_series import series
from mnist_talk import data

CLAIMS: list = []


def claim(stage_id: str, phrase: str):
    """Register a check for the note of `stage_id`'s solutions containing
    `phrase`."""
    def register(check):
        CLAIMS.append((stage_id, phrase, check))
        return check
    return register


def _prose(stage_id: str) -> str:
    text = (series.SOLUTIONS / f"{stage_id}.py").read_text(encoding="utf-8")
    lines = [line[2:] if line.startswith("# ") else line.lstrip("#")
             for line in text.splitlines()]
    return re.sub(r"\s+", " ", " ".join(lines))


def _outputs(stage_id: str) -> list[str]:
    """Every output of the committed run as text: a table as its Markdown,
    anything else as its plain text or stream."""
    nb = nbformat.read(series.SOLUTIONS / f"{stage_id}.ipynb", as_version=4)
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            d = out.get("data", {})
            found.append(d.get("text/markdown") or d.get("text/plain")
                         or out.get("text", ""))
    return found


def table(stage_id: str, first: str) -> list[dict]:
    """The rows of the table whose first column is headed `first`, each a
    dict of header to cell (text)."""
    for text in _outputs(stage_id):
        if text.startswith(f"| {first} |"):
            lines = [line.strip().strip("|").split("|")
                     for line in text.strip().splitlines()]
            header = [h.strip() for h in lines[0]]
            return [dict(zip(header, (c.strip() for c in row)))
                    for row in lines[2:]]
    pytest.fail(f"{stage_id}: no table headed {first!r} in the committed "
                "run; run `make solutions ARGS=\"--stages "
                f"{stage_id[:2]}\"` and revisit the note")


def pct(text: str) -> float:
    return float(text.rstrip("%"))


def number(text: str) -> float:
    return float(text.replace(",", ""))


def output(stage_id: str, pattern: str) -> re.Match:
    for text in _outputs(stage_id):
        found = re.search(pattern, text)
        if found:
            return found
    pytest.fail(f"{stage_id}: no output matches {pattern!r}")


@claim("01_linear", "usually two digits that share most of their ink")
def _():
    found = output("01_linear", r"(\d) read as (\d)")
    assert {found[1], found[2]} in ({"4", "9"}, {"3", "5"}, {"7", "9"})


@claim("01_linear", "costs the same −ln 10⁻⁷ ≈ 16.118")
def _():
    found = output("01_linear", r"array\(\[(.*)\]\)")
    costs = [float(x) for x in found[1].split(",")]
    assert costs[-3:] == [16.118] * 3 and costs[1] == pytest.approx(6.9, abs=0.01)


@claim("02_normalized", "tens of thousands on raw pixels, a few hundred on "
                        "normalized ones")
def _():
    mnist = data.prepare()
    x = mnist.x_train.reshape(len(mnist.x_train), -1).astype("float32")
    raw = x.sum(axis=1).mean()
    normalized = np.abs((x - mnist.mean) / mnist.std).sum(axis=1).mean()
    assert 10_000 <= raw < 100_000 and 100 <= normalized < 1_000


@claim("02_normalized", "the three rates end close together; here the steps "
                        "are smaller, every rate does better than on raw "
                        "pixels, and the largest is the one that overshoots")
def _():
    raw = {r["learning rate"]: pct(r["validation accuracy"])
           for r in table("01_linear", "learning rate")}
    normalized = {r["learning rate"]: pct(r["validation accuracy"])
                  for r in table("02_normalized", "learning rate")}
    assert raw.keys() == normalized.keys()
    spread = {k: max(v.values()) - min(v.values())
              for k, v in (("raw", raw), ("normalized", normalized))}
    assert spread["raw"] < spread["normalized"]
    assert all(normalized[k] > raw[k] for k in raw)
    largest = max(normalized, key=float)
    assert normalized[largest] == min(normalized.values())


@claim("02_normalized", "batches of 256 take an eighth of the steps per epoch")
def _():
    rows = {r["batch size"]: r for r in table("02_normalized", "batch size")}
    steps = number(rows["32"]["steps per epoch"]) / number(
        rows["256"]["steps per epoch"])
    assert steps == pytest.approx(8, abs=0.05)


@claim("03_hidden_layer", "the two counts agree")
def _():
    for row in table("03_hidden_layer", "hidden units"):
        assert row["predicted"] == row["count_params()"]


@claim("03_hidden_layer", "400 units hold nearly sixteen times the "
                          "parameters of 25")
def _():
    rows = {r["hidden units"]: number(r["count_params()"])
            for r in table("03_hidden_layer", "hidden units")}
    assert 15.5 < rows["400"] / rows["25"] < 16


@claim("04_deeper", "fewer, larger steps take less time per epoch")
def _():
    rows = table("04_deeper", "batch size")
    seconds = [number(r["seconds per epoch"]) for r in rows]
    assert [int(r["batch size"]) for r in rows] == [32, 128, 512]
    assert seconds == sorted(seconds, reverse=True)


@claim("04_deeper", "the counts agree, and each extra layer adds the same "
                    "40,200 parameters")
def _():
    rows = table("04_deeper", "layers of 200")
    assert all(r["predicted"] == r["count_params()"] for r in rows)
    counts = [number(r["count_params()"]) for r in rows]
    layers = [int(r["layers of 200"]) for r in rows]
    assert all((b - a) / (m - k) == 40_200 for a, b, k, m
               in zip(counts, counts[1:], layers, layers[1:]))


@claim("04_deeper", "from one layer to five, training and validation "
                    "accuracy both fall, and the gap between them stays "
                    "within about a point")
def _():
    rows = {r["layers of 200"]: r for r in table("04_deeper", "layers of 200")}
    for column in ("training accuracy", "validation accuracy"):
        assert pct(rows["5"][column]) < pct(rows["1"][column]), column
    gaps = [pct(r["training accuracy"]) - pct(r["validation accuracy"])
            for r in rows.values()]
    assert max(gaps) - min(gaps) <= 1.25


@claim("05_convolutions", "What to look for: the two columns agree")
def _():
    for row in table("05_convolutions", "layer"):
        assert row["(3·3·in + 1)·out"] == row["count_params()"]


@claim("05_convolutions", "the parameters grow by far less than the 25/9 of "
                          "the convolutions, because the dense layer holds "
                          "most of them and stays the same. The time grows "
                          "more")
def _():
    three, five = table("05_convolutions", "kernel")
    grew = number(five["parameters"]) / number(three["parameters"])
    slower = number(five["seconds per epoch"]) / number(
        three["seconds per epoch"])
    assert grew < 1.1 < 25 / 9 and slower > grew


@claim("06_max_pooling", "the same parameter count, since pooling has no "
                         "weights")
def _():
    rows = table("06_max_pooling", "pooling")
    assert len({r["parameters"] for r in rows}) == 1 and len(rows) == 2


@claim("07_vgg", "the two columns agree, and the ratio sits a little under "
                 "four")
def _():
    rows = {r["filters"]: r for r in table("07_vgg", "filters")}
    ratio = rows.pop("ratio")
    assert all(r["predicted"] == r["count_params()"] for r in rows.values())
    assert 3.5 < number(ratio["count_params()"]) < 4


@claim("07_vgg", "in this ten convolutions deep network with a sigmoid layer")
def _():
    from mnist_talk import models
    assert sum(models.CONVS) == 10


@claim("07_vgg", "which optimizer leads after the first epoch, and whether "
                 "the other closes the gap by the last")
def _():
    rows = table("07_vgg", "epoch")
    first, last = rows[0], rows[-1]
    assert pct(first["Adam"]) > pct(first["SGD, momentum 0.9"])
    assert abs(pct(last["Adam"]) - pct(last["SGD, momentum 0.9"])) < abs(
        pct(first["Adam"]) - pct(first["SGD, momentum 0.9"]))


@claim("08_batch_norm", "the network without it does not learn at all at ten "
                        "times the rate (its training accuracy stays at "
                        "chance, about 10%), while the normalized one loses "
                        "less than a point")
def _():
    rows = {(r["batch normalization"], r["learning rate"]): r
            for r in table("08_batch_norm", "batch normalization")}
    assert pct(rows["no", "0.01"]["training accuracy (last epoch)"]) < 15
    assert pct(rows["no", "0.001"]["validation accuracy"]) > 90
    lost = (pct(rows["yes", "0.001"]["validation accuracy"])
            - pct(rows["yes", "0.01"]["validation accuracy"]))
    assert lost < 1


@claim("08_batch_norm", "the trained network's two modes then differ only by "
                        "how far one batch's statistics stray")
def _():
    rows = {r["network"]: r for r in table("08_batch_norm", "network")}
    untrained, trained = rows["untrained"], rows["trained at 0.001"]
    assert number(trained["largest probability change"]) < number(
        untrained["largest probability change"])
    assert int(trained["answers changed"]) <= int(untrained["answers changed"])


@claim("08_batch_norm", "What to look for: `True`, then a mean near 0 and a "
                        "standard deviation near 1")
def _():
    found = output("08_batch_norm", r"\((True), (-?[\d.]+), ([\d.]+)\)")
    assert abs(float(found[2])) < 0.01 and abs(float(found[3]) - 1) < 0.01


@claim("09_dropout", "so the gap should narrow as the rates grow")
def _():
    gaps = [pct(r["gap"]) for r in table("09_dropout", "dropout")]
    assert gaps == sorted(gaps, reverse=True) and len(gaps) == 3


@claim("09_dropout", "The first column usually reads lower than the second")
def _():
    for row in table("09_dropout", "dropout"):
        assert pct(row["training (dropout on)"]) <= pct(
            row["training (dropout off)"])


@claim("09_dropout", "ten times more draws cut the difference by about a "
                     "factor of three")
def _():
    rows = table("09_dropout", "draws averaged")
    differences = [number(r["largest difference from the digit"])
                   for r in rows if number(r["draws averaged"]) >= 10]
    for a, b in zip(differences, differences[1:]):
        assert 2.5 < a / b < 4.5


@claim("10_augmentation", "the training accuracy falls from half the talk's "
                          "ranges to double them")
def _():
    rows = table("10_augmentation", "augmentation")
    training = [pct(r["training accuracy (last epoch)"]) for r in rows[1:]]
    assert training == sorted(training, reverse=True)


@claim("10_augmentation", "every wider range scores lower on the held-out "
                          "images, and no augmentation comes out ahead")
def _():
    rows = table("10_augmentation", "augmentation")
    assert [r["augmentation"] for r in rows][0] == "none"
    validation = [pct(r["validation accuracy"]) for r in rows]
    assert validation == sorted(validation, reverse=True)


@claim("10_augmentation", "it still reads the 6 at 60°, loses it by 90°, and "
                          "at 180° reads the 9")
def _():
    found = output("10_augmentation", r"\{'0°': .*\}")
    read = {int(k.rstrip("°")): v for k, v in eval(found[0]).items()}
    assert all(read[a] == 6 for a in (0, 30, 60))
    assert read[90] != 6 and read[180] == 9


@claim("11_annealing", "In this run it leads from the first epoch and ends "
                       "ahead, while both curves are still rising")
def _():
    rows = table("11_annealing", "epoch")
    constant = [pct(r["constant 0.001: validation"]) for r in rows]
    schedule = [pct(r["warm-up and cosine: validation"]) for r in rows]
    assert all(s > c for s, c in zip(schedule, constant))
    assert constant == sorted(constant) and schedule == sorted(schedule)


@claim("11_annealing", "the start (1e-4) and the peak at the end of the "
                       "warm-up (3e-3)")
def _():
    rows = {r["moment"]: number(r["learning rate"])
            for r in table("11_annealing", "moment")}
    assert rows["start"] == 1e-4 and rows["end of the warm-up"] == 3e-3


@claim("11_annealing", "ends at a thousandth of the peak")
def _():
    rows = {r["moment"]: number(r["learning rate"])
            for r in table("11_annealing", "moment")}
    assert rows["last step"] / rows["end of the warm-up"] == pytest.approx(
        1e-3, rel=0.05)


@claim("12_averaging", "In this run the third member saves about as many as "
                       "the second")
def _():
    rows = table("12_averaging", "members averaged")
    saved = [int(r["saved by the last member"]) for r in rows[1:]]
    assert len(saved) == 2 and all(k > 0 for k in saved)
    assert abs(saved[1] - saved[0]) <= 2


@claim("12_averaging", "the average usually wins the images where the two "
                       "differ, since it uses more of what the members know, "
                       "as it does in this run")
def _():
    rows = {r["combination"]: r for r in table("12_averaging", "combination")}
    right = [k for k in rows["average of probabilities"] if k.startswith(
        "right of the")][0]
    average, vote = rows["average of probabilities"], rows["majority vote"]
    assert int(average[right]) > int(vote[right])
    assert int(average["validation errors"]) <= int(vote["validation errors"])


@claim("13_pseudo_labels", "as the threshold rises, both the kept "
                           "pseudo-labels and the wrong ones among them fall, "
                           "and the teacher's mistakes pile up")
def _():
    rows = table("13_pseudo_labels", "confidence")
    for column, order in (("kept", -1), ("wrong among kept", -1),
                          ("wrong among left out", 1)):
        values = [number(r[column]) for r in rows]
        assert values == sorted(values, reverse=order < 0), column


@claim("13_pseudo_labels", "usually two digits one stroke apart (4 and 9, "
                           "3 and 5, 7 and 2)")
def _():
    found = output("13_pseudo_labels", r"(\d) and (\d): \d+ times")
    assert {found[1], found[2]} in ({"4", "9"}, {"3", "5"}, {"7", "2"})


@pytest.mark.parametrize("stage_id,phrase,check", CLAIMS,
                         ids=[f"{s}:{p[:40]}" for s, p, _ in CLAIMS])
def test_solution_note_holds(stage_id, phrase, check):
    assert phrase in _prose(stage_id), (
        f"{stage_id}'s solutions no longer say {phrase!r}: reword its check "
        "in tests/test_solution_claims.py with the sentence")
    check()
