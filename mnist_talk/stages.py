"""The series' manifest: the order of the stages and the talk's figures.

Used by the notebooks (to compare with the talk), by the series runner and
by the tests. `talk_accuracy` and `talk_params` are the transcript's own
figures, facts to reproduce; `smoke` holds each stage's parameters for the
fast test run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Parameters every stage's smoke run shares; a stage's own `smoke` adds to them.
SMOKE = {"epochs": 1, "train_size": 2048, "device": "cpu"}
#: The VGG-style stages need more steps: batch normalization's running
#: statistics, used at test time, start far from the data's.
DEEP_SMOKE = {"epochs": 2, "train_size": 6000, "batch_size": 32}


@dataclass(frozen=True)
class Stage:
    id: str                 # "01_linear": the notebook's file name
    title: str
    talk_accuracy: float | None  # the talk's test accuracy, as a fraction
    talk_params: int | None = None
    smoke: dict = field(default_factory=dict)

    @property
    def number(self) -> str:
        return self.id[:2]


STAGES = [
    Stage("01_linear", "A linear model on raw pixels", 0.6637, 7_850,
          smoke={"accuracy_floor": 0.5}),
    Stage("02_normalized", "Normalized inputs", 0.9244, 7_850,
          smoke={"accuracy_floor": 0.7}),
    Stage("03_hidden_layer", "One hidden layer", 0.9703, 79_510,
          smoke={"accuracy_floor": 0.7}),
    Stage("04_deeper", "Deeper, with ReLU", 0.9775, 239_410,
          smoke={"accuracy_floor": 0.7}),
    Stage("05_convolutions", "Convolutions", 0.9849, 55_856,
          smoke={"accuracy_floor": 0.7}),
    Stage("06_max_pooling", "Max-pooling", 0.9837, 14_136,
          smoke={"accuracy_floor": 0.4}),
    Stage("07_vgg", "VGG style", 0.9694, 98_354,
          smoke={**DEEP_SMOKE, "accuracy_floor": 0.75}),
    Stage("08_batch_norm", "Batch normalization", 0.9893, 98_564,
          smoke={**DEEP_SMOKE, "accuracy_floor": 0.75}),
    Stage("09_dropout", "Dropout", 0.9898, 98_564,
          smoke={**DEEP_SMOKE, "accuracy_floor": 0.75}),
    Stage("10_augmentation", "Data augmentation", 0.9927, 98_564,
          smoke={**DEEP_SMOKE, "accuracy_floor": 0.75}),
    Stage("11_annealing", "Learning-rate annealing", 0.9939, 98_564,
          smoke={**DEEP_SMOKE, "accuracy_floor": 0.75}),
    Stage("12_averaging", "Model averaging", 0.995,
          smoke={**DEEP_SMOKE, "members": 2, "accuracy_floor": 0.75}),
    Stage("13_pseudo_labels", "Pseudo-labeling", 0.9958,
          smoke={**DEEP_SMOKE, "members": 2, "pseudo_copies": 1,
                 "accuracy_floor": 0.75}),
]

BY_ID = {s.id: s for s in STAGES}


def get(stage_id: str) -> Stage:
    """The stage called `stage_id` ("01_linear"), or a clear error."""
    try:
        return BY_ID[stage_id]
    except KeyError:
        raise KeyError(f"unknown stage {stage_id!r}; known: "
                       + ", ".join(BY_ID)) from None


def smoke_parameters(stage_id: str) -> dict:
    """The parameters of a stage's fast test run."""
    return {**SMOKE, **get(stage_id).smoke}


#: The live settings (`make present LIVE=1`): what a speaker trains in front
#: of the room, each training cell about a minute or less on a laptop's
#: CPU. Stages 01-09 train that fast at their full settings and keep them
#: (their live run repeats the committed one); 10-13 train fewer epochs,
#: 12 and 13 on fewer images and 13 with fewer students, each with an
#: accuracy floor such a run clears, so a live cell does not fail on the
#: full run's floor. docs/presenting.md
#: gives the minutes these take, measured with
#: `python -m mnist_series.series run --live`.
LIVE = {
    "10_augmentation": {"epochs": 4, "accuracy_floor": 0.97},
    "11_annealing": {"epochs": 3, "accuracy_floor": 0.97},
    "12_averaging": {"epochs": 2, "train_size": 20_000,
                     "accuracy_floor": 0.97},
    "13_pseudo_labels": {"epochs": 2, "train_size": 20_000, "members": 2,
                         "accuracy_floor": 0.97},
}


def live_parameters(stage_id: str) -> dict:
    """The parameters a live presentation of a stage sets (empty: its full
    settings)."""
    get(stage_id)
    return dict(LIVE.get(stage_id, {}))


#: What every solutions notebook's smoke run sets (`make test`): a few
#: seconds per exercise instead of a few minutes.
PRACTICE_SMOKE = {"epochs": 1, "train_size": 1024, "validation_size": 512,
                  "device": "cpu"}
#: A solutions notebook's own parameters beside those, for its smoke run.
PRACTICE_EXTRA = {"12_averaging": {"members": 2},
                  "13_pseudo_labels": {"members": 2}}


def practice_smoke_parameters(stage_id: str) -> dict:
    """The parameters of a solutions notebook's fast test run."""
    get(stage_id)
    return {**PRACTICE_SMOKE, **PRACTICE_EXTRA.get(stage_id, {})}
