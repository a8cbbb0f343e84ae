"""The settings the machinery runs the notebooks with: each stage's smoke
run (`make test`), a solutions notebook's, and a live presentation's.

`make notebooks` runs every stage at its smoke settings
(`smoke_parameters`) and every solutions notebook at its own
(`practice_smoke_parameters`); `make present LIVE=1` sets a deck's live
settings (`live_parameters`). The stages themselves are
`mnist_talk.stages`.
"""

from __future__ import annotations

from mnist_talk.stages import get

#: Parameters every stage's smoke run shares; a stage's own in `STAGE_SMOKE`
#: add to them.
SMOKE = {"epochs": 1, "train_size": 2048, "device": "cpu"}
#: The VGG-style stages need more steps: batch normalization's running
#: statistics, used at test time, start far from the data's.
DEEP_SMOKE = {"epochs": 2, "train_size": 6000, "batch_size": 32}
#: Each stage's own smoke parameters, over `SMOKE`.
STAGE_SMOKE = {
    "01_linear": {"accuracy_floor": 0.5},
    "02_normalized": {"accuracy_floor": 0.7},
    "03_hidden_layer": {"accuracy_floor": 0.7},
    "04_deeper": {"accuracy_floor": 0.7},
    "05_convolutions": {"accuracy_floor": 0.7},
    "06_max_pooling": {"accuracy_floor": 0.4},
    "07_vgg": {**DEEP_SMOKE, "accuracy_floor": 0.75},
    "08_batch_norm": {**DEEP_SMOKE, "accuracy_floor": 0.75},
    "09_dropout": {**DEEP_SMOKE, "accuracy_floor": 0.75},
    "10_augmentation": {**DEEP_SMOKE, "accuracy_floor": 0.75},
    "11_annealing": {**DEEP_SMOKE, "accuracy_floor": 0.75},
    "12_averaging": {**DEEP_SMOKE, "members": 2, "accuracy_floor": 0.75},
    "13_pseudo_labels": {**DEEP_SMOKE, "members": 2, "pseudo_copies": 1,
                         "accuracy_floor": 0.75},
}


def smoke_parameters(stage_id: str) -> dict:
    """The parameters of a stage's fast test run."""
    get(stage_id)  # a clear error for an unknown id
    return {**SMOKE, **STAGE_SMOKE.get(stage_id, {})}


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
