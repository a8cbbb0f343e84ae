"""The series' manifest: the order of the stages and the talk's figures.

Stage 01 introduces this. Used by the notebooks (to compare with the talk),
by the series runner and by the tests. `talk_accuracy` and `talk_params`
are the transcript's own figures, facts to reproduce. The settings of the
fast test runs and of a live presentation are `mnist_series.settings`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    id: str                 # "01_linear": the notebook's file name
    title: str
    talk_accuracy: float | None  # the talk's test accuracy, as a fraction
    talk_params: int | None = None

    @property
    def number(self) -> str:
        return self.id[:2]


STAGES = [
    Stage("01_linear", "A linear model on raw pixels", 0.6637, 7_850),
    Stage("02_normalized", "Normalized inputs", 0.9244, 7_850),
    Stage("03_hidden_layer", "One hidden layer", 0.9703, 79_510),
    Stage("04_deeper", "Deeper, with ReLU", 0.9775, 239_410),
    Stage("05_convolutions", "Convolutions", 0.9849, 55_856),
    Stage("06_max_pooling", "Max-pooling", 0.9837, 14_136),
    Stage("07_vgg", "VGG style", 0.9694, 98_354),
    Stage("08_batch_norm", "Batch normalization", 0.9893, 98_564),
    Stage("09_dropout", "Dropout", 0.9898, 98_564),
    Stage("10_augmentation", "Data augmentation", 0.9927, 98_564),
    Stage("11_annealing", "Learning-rate annealing", 0.9939, 98_564),
    Stage("12_averaging", "Model averaging", 0.995),
    Stage("13_pseudo_labels", "Pseudo-labeling", 0.9958),
]

BY_ID = {s.id: s for s in STAGES}


def get(stage_id: str) -> Stage:
    """The stage called `stage_id` ("01_linear"), or a clear error."""
    try:
        return BY_ID[stage_id]
    except KeyError:
        raise KeyError(f"unknown stage {stage_id!r}; known: "
                       + ", ".join(BY_ID)) from None
