"""The search's recipes and its trials' records.

The recipes are stage 11's and its variations in filters, augmentation,
schedule, normalization and dropout, and students taught by
pseudo-labels. Each trial's row is kept in `results/search.json`, its
held-out probabilities in `results/search/` (`search` runs the trials).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_talk import files, models

SEARCH_FILE = "search.json"
SEARCH_DIR = "search"
#: The four scores of one training: weights as trained or averaged, each
#: alone or with test-time augmentation.
VARIANTS = ("plain", "tta", "ema", "ema_tta")
#: Two more where the schedule restarts (`Recipe.cycles`): the mean of the
#: networks that end each cycle, alone or with test-time augmentation.
SNAPSHOT_VARIANTS = ("snapshots", "snapshots_tta")


@dataclass(frozen=True)
class Recipe:
    """A way to train one member: stage 11's recipe, other filters,
    translations added to its augmentation, a learning rate that
    restarts `cycles` times (a snapshot ensemble from one training), or
    batch normalization after every convolution (`norm_each_conv`)."""

    name: str
    about: str
    filters: tuple = models.FILTERS
    translate: float = 0.0
    cycles: int = 1
    elastic: float = 0.0
    norm_each_conv: bool = False
    affine: bool = True
    dropout: tuple = models.TALK_DROPOUT
    #: A student's teachers (trial names) and the recipe it trains like
    #: (`like`, for the control: those networks without pseudo-labels).
    teachers: tuple = ()
    like: str = ""
    confidence: float = 0.99
    copies: int = 2

    def build(self, mean, std, epochs, steps_per_epoch, seed):
        return models.annealed_vgg(mean, std, epochs, steps_per_epoch,
                                   seed=seed, filters=self.filters,
                                   use_ema=True, translate=self.translate,
                                   cycles=self.cycles, elastic=self.elastic,
                                   norm_each_conv=self.norm_each_conv,
                                   affine=self.affine,
                                   dropout=self.dropout)


#: Stage 12's members on held-out images: the chosen recipe, two seeds.
STAGE_12_TEACHERS = ("wide-half-dropout-e20-seed1",
                     "wide-half-dropout-e20-seed2")
#: The teachers' probabilities a student learns from and votes beside:
#: their shifted views, as stage 12's members predict.
TEACHER_VARIANT = "tta"

RECIPES = {r.name: r for r in (
    Recipe("stage-11", "stage 11's network: 7, 14, 28, 56 filters"),
    Recipe("eights", "8, 16, 32, 64 filters: multiples of 8, which the "
           "CPU's vector units fill", (8, 16, 32, 64)),
    Recipe("wide", "16, 32, 64, 128 filters", (16, 32, 64, 128)),
    Recipe("eights-moved", "8, 16, 32, 64 filters; the augmentation also "
           "moves the digit up to 10% of the image each way",
           (8, 16, 32, 64), 0.1),
    Recipe("eights-snap4", "8, 16, 32, 64 filters; the learning rate "
           "warms up and decays four times, and the four networks that end "
           "the cycles vote", (8, 16, 32, 64), cycles=4),
    Recipe("eights-elastic", "8, 16, 32, 64 filters; the augmentation also "
           "bends each digit by its own elastic field (Simard et al.'s "
           "alpha 34, sigma 4)", (8, 16, 32, 64), elastic=34.0),
    Recipe("eights-elastic-half", "eights-elastic at half the strength "
           "(alpha 17)", (8, 16, 32, 64), elastic=17.0),
    Recipe("eights-bn-each", "8, 16, 32, 64 filters; batch normalization "
           "after every convolution, before its ReLU, instead of after "
           "each pool", (8, 16, 32, 64), norm_each_conv=True),
    Recipe("eights-elastic-only", "8, 16, 32, 64 filters; the elastic "
           "field of eights-elastic (alpha 34, sigma 4) instead of the "
           "talk's rotation, zoom and shear, as Simard et al. trained",
           (8, 16, 32, 64), elastic=34.0, affine=False),
    Recipe("eights-half-dropout", "8, 16, 32, 64 filters; half the talk's "
           "dropout (0.05 to 0.25), since the augmented networks fit their "
           "training images less well than the held-out ones",
           (8, 16, 32, 64),
           dropout=tuple(r / 2 for r in models.TALK_DROPOUT)),
    Recipe("wide-half-dropout", "16, 32, 64, 128 filters; half the talk's "
           "dropout, as eights-half-dropout", (16, 32, 64, 128),
           dropout=tuple(r / 2 for r in models.TALK_DROPOUT)),
    Recipe("stage-11-student", "stage 13 as it is set: stage 11's network, "
           "fitted beside two copies of the held-out images that two "
           "wide-half-dropout teachers (seeds 1, 2; stage 12's members) "
           "label with 0.99 or more", teachers=STAGE_12_TEACHERS,
           like="stage-11"),
    Recipe("stage-11-student-all", "stage-11-student, every held-out image "
           "pseudo-labelled (the talk's confidence 0)",
           teachers=STAGE_12_TEACHERS, like="stage-11", confidence=0.0),
    Recipe("wide-student", "stage-11-student with the teachers' own "
           "recipe, 16, 32, 64, 128 filters and half the dropout",
           (16, 32, 64, 128),
           dropout=tuple(r / 2 for r in models.TALK_DROPOUT),
           teachers=STAGE_12_TEACHERS, like="wide-half-dropout"),
)}


class SearchError(ValueError):
    """A search setting that cannot be run; the message says what to do."""


def recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise SearchError(f"unknown recipe {name!r}: use one of "
                          f"{', '.join(RECIPES)}")
    return RECIPES[name]


def trial_name(recipe_name: str, seed: int, epochs: int) -> str:
    return f"{recipe_name}-e{epochs}-seed{seed}"


def load(results_dir=files.RESULTS) -> list:
    return files.read_json(Path(results_dir) / SEARCH_FILE, {"trials": []})[
        "trials"]


def probabilities(results_dir, name: str) -> dict:
    with np.load(Path(results_dir) / SEARCH_DIR / f"{name}.npz") as f:
        return {k: f[k].astype("float32") for k in f.files}
