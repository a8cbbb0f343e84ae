"""The results store: one JSON file per stage.

Introduced in stage 01. Each notebook's `run.finish` writes a `Record` to
`<results_dir>/<stage>.json`; `load` reads it back. Stage 12 keeps its
test-set probabilities beside it for stage 13 (`save_predictions`). The
tables a notebook shows are in `tables`. The records of the machinery
(the series runner's wall times, `make bench`, `make backends`) are
`mnist_series.records`, the generated blocks of the README and docs/
`mnist_series.report`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .files import atomic_write, read_json, write_json

#: Full runs other than the ladder's: other seeds, other backends.
RUNS_DIR = "runs"
#: The test images every stage is scored on.
TEST_IMAGES = 10_000


class AccuracyError(AssertionError):
    """A stage ended below the accuracy floor it asserts (stage 01)."""


def settings(parameters: dict) -> dict:
    """Of a run's parameters, those that change what is trained: all but
    where it runs, where it is written and the floor it asserts."""
    return {k: v for k, v in parameters.items()
            if k not in ("device", "results_dir", "accuracy_floor")}


class RecordError(ValueError):
    """A results file that is not a `Record`: says which file and what to do."""


@dataclass
class Record:
    """What one run of one stage leaves in `<results_dir>/<stage>.json`.

    Counts are numbers; `epochs_text` and `_repr_markdown_` format them.
    """

    stage: str                  # "05_convolutions"
    title: str                  # the stage's title in `stages.STAGES`
    test_accuracy: float        # of what the stage reports: a network or
                                # an ensemble, on the 10,000 test images
    talk_accuracy: float | None  # the talk's headline for the stage
    parameter_count: int        # weights of every network in the result
    epochs: int                 # epochs of each network trained
    networks_trained: int       # 1, or an ensemble's members
    train_seconds: float        # all the stage's trainings together
    device: str                 # as `devices.use_device` described it
    backend: str                # "tensorflow", "jax" or "torch"
    versions: dict              # `session.versions()`
    parameters: dict            # the notebook's parameters, as run
    finished: str               # ISO time, UTC
    history: dict               # per training: its metrics, per epoch
    extra: dict = field(default_factory=dict)  # a stage's own figures

    @property
    def seconds_per_epoch(self) -> float | None:
        """Training seconds per epoch of one network."""
        trained = self.epochs * self.networks_trained
        return self.train_seconds / trained if trained else None

    @property
    def epochs_text(self) -> str:
        """"20", or "5 × 20" for five networks of 20 epochs."""
        return (f"{self.networks_trained} × {self.epochs}"
                if self.networks_trained > 1 else str(self.epochs))

    @property
    def settings(self) -> dict:
        """The parameters that change what is trained (`settings`)."""
        return settings(self.parameters)

    def settings_text(self) -> str:
        """"10 epochs on 60,000 images, seed 1" ("2 × 20 epochs …" for an
        ensemble)."""
        p = self.parameters
        text = (f"{self.epochs_text} epochs on "
                f"{int(p.get('train_size', 0)):,} images")
        return text + (f", seed {p['seed']}" if "seed" in p else "")

    def _repr_markdown_(self):
        line = (f"**{self.test_accuracy:.2%}** test accuracy · "
                f"{self.epochs_text} epochs · {self.train_seconds:.0f} s of "
                f"training on {self.device} · {self.parameter_count:,} "
                "parameters")
        full = getattr(self, "full_run", None)
        if full is not None:
            this = (f"the same settings, on {self.device}"
                    if full.settings == self.settings
                    else self.settings_text())
            line += (f"  \nthe full run, committed: **{full.test_accuracy:.2%}"
                     f"** after {full.settings_text()} (this run: {this})")
        spread = getattr(self, "spread", None)
        if full is not None and spread is not None:
            line += (f"; its seeds land {spread.low:.2%} to "
                     f"{spread.high:.2%} ({spread.errors} test errors "
                     "apart): a run that differs from it in seed, device or "
                     "backend alone lands about that far from it")
        return line

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict, source="a results record") -> Record:
        """A `Record` from its JSON; a clear error for anything else."""
        names = {f.name for f in dataclasses.fields(cls)}
        required = {f.name for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING}
        missing = sorted(required - set(data))
        unknown = sorted(set(data) - names)
        if missing or unknown:
            raise RecordError(
                f"{source} is not a results record of this version "
                f"(missing: {', '.join(missing) or 'nothing'}; unknown: "
                f"{', '.join(unknown) or 'nothing'}): run its notebook "
                "again to write it anew")
        return cls(**data)


def path(results_dir, stage_id: str) -> Path:
    return Path(results_dir) / f"{stage_id}.json"


def save(results_dir, record: Record) -> Path:
    """Write `record` to `<results_dir>/<stage>.json` atomically (stage 01)."""
    return write_json(path(results_dir, record.stage), record.to_json())


def load(results_dir, stage_id: str) -> Record | None:
    """A stage's recorded results, or None when it has not run (stage 01)."""
    target = path(results_dir, stage_id)
    data = read_json(target)
    return None if data is None else Record.from_json(data, target)


def seeds(results_dir, stage_id: str) -> dict[int, Record]:
    """The stage's runs on the ladder's backend, by seed: the ladder's own
    (`results_dir`), then those in `results_dir/runs/<backend>-seed*/`."""
    results_dir = Path(results_dir)
    own = load(results_dir, stage_id)
    if own is None:
        return {}
    found = {own.parameters.get("seed"): own}
    for folder in sorted((results_dir / RUNS_DIR).glob(f"{own.backend}-seed*")):
        rec = load(folder, stage_id)
        if rec is not None:
            found.setdefault(rec.parameters.get("seed"), rec)
    return dict(sorted(found.items()))


def full_run(stage_id: str, settings: dict, device: str | None = None,
             backend: str | None = None) -> Record | None:
    """The committed full run of a stage (`results/` of the repository),
    when a run at `settings` trained something else, or trained the same
    on another `device` or `backend` (when given): what a live, smoke or
    student's run is shown beside. None when it is the committed run
    over again."""
    from .files import RESULTS

    full = load(RESULTS, stage_id)
    if full is None:
        return None
    again = (full.settings == settings and device in (None, full.device)
             and backend in (None, full.backend))
    return None if again else full


@dataclass(frozen=True)
class Spread:
    """Where a stage's committed runs land when only their seed changes:
    the lowest and highest test accuracy of `seeds` runs (`spread`)."""

    low: float
    high: float
    seeds: int

    @property
    def errors(self) -> int:
        """How many test errors apart the lowest and the highest are."""
        return round((self.high - self.low) * TEST_IMAGES)

    def __str__(self) -> str:
        return f"seeds {self.low:.2%} to {self.high:.2%}"


def spread(stage_id: str, results_dir=None) -> Spread | None:
    """How far apart the stage's committed runs on the ladder's backend
    land across seeds (`seeds`), from `results/` unless `results_dir`:
    about how far a run on another device or backend lands from the
    committed one. None with fewer than two seeds."""
    from .files import RESULTS

    found = [r.test_accuracy for r in
             seeds(results_dir or RESULTS, stage_id).values()]
    if len(found) < 2:
        return None
    return Spread(min(found), max(found), len(found))


def check_floor(accuracy: float, floor: float) -> None:
    """Fail loudly when `accuracy` is below `floor` (stage 01)."""
    if accuracy < floor:
        raise AccuracyError(
            f"test accuracy {accuracy:.2%} is below this stage's floor "
            f"{floor:.2%}")


def predictions_path(results_dir, stage_id: str) -> Path:
    """Where a stage's test-set probabilities are kept (stage 12)."""
    return Path(results_dir) / f"{stage_id}_predictions.npz"


def save_predictions(results_dir, stage_id: str, probabilities,
                     members=None) -> Path:
    """Keep a stage's test-set probabilities for a later stage (stage 12).

    `members`, when given, are the probabilities of each network the
    ensemble averages, kept beside the average so that a later stage can
    compare ensembles of equal size (stage 13).
    """
    arrays = {"probabilities": np.asarray(probabilities, dtype="float32")}
    if members is not None:
        arrays["members"] = np.asarray(members, dtype="float32")
    target = predictions_path(results_dir, stage_id)
    with atomic_write(target) as f:
        np.savez_compressed(f, **arrays)
    return target


def load_predictions(results_dir, stage_id: str, members: bool = False):
    """A stage's saved test-set probabilities, or a clear error (stage 13).

    With `members=True`, the probabilities of each network it averaged,
    one row per network.
    """
    target = predictions_path(results_dir, stage_id)
    if not target.exists():
        raise FileNotFoundError(
            f"{target} is missing: run notebook {stage_id} first (with the "
            "same results_dir), since this stage builds on its predictions")
    key = "members" if members else "probabilities"
    with np.load(target) as f:
        if key not in f:
            raise KeyError(
                f"{target} holds no {key!r}: it was written by an older "
                f"version of notebook {stage_id}; run that notebook again")
        return f[key]
