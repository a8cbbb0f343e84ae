"""How long a notebook should take: its last full run's wall time, scaled
by the settings a run changes (the series runner prints it as it goes).
"""

from __future__ import annotations

import os
import shutil

from mnist_talk import devices, results
from mnist_talk.files import RESULTS

from . import records
from .notebooks import declared_parameters


# What the estimate scales by, and what leaves a notebook's work as it was.
SCALED = ("epochs", "train_size", "members")
SAME_WORK = ("seed", "device", "accuracy_floor", "results_dir", "dropout")


def _scale(stage_id: str, overrides: dict) -> float:
    """How much longer than its full run a notebook should take."""
    scale = 1.0
    declared = declared_parameters(stage_id)
    for name in SCALED:
        if name in overrides and name in declared:
            try:
                default = float(str(declared[name]).replace("_", ""))
                scale *= float(overrides[name]) / default
            except (TypeError, ValueError, ZeroDivisionError):
                pass
    return scale


def not_counted(stage_id: str, overrides: dict) -> list[str]:
    """Overrides that change a notebook's work but not its estimate.

    A wider network or another batch size costs time that no record
    predicts; the runner names them beside the estimate instead of
    pretending it knows.
    """
    declared = declared_parameters(stage_id)
    return [f"{name}={value}" for name, value in overrides.items()
            if name not in SCALED + SAME_WORK and name in declared
            and str(value) != str(declared[name])]


def timed_elsewhere(stage_id: str) -> str | None:
    """The backend of the run the estimate comes from, when this run is
    on another one (whose epochs can take several times as long)."""
    rec = results.load(RESULTS, stage_id)
    here = os.environ.get("KERAS_BACKEND", "tensorflow")
    return rec.backend if rec and rec.backend != here else None


def estimate(stage_id: str, overrides: dict) -> float | None:
    """Seconds a notebook should take, from the last full run's records.

    The wall time the runner recorded for it, or else its training time
    plus half a minute; scaled by the epochs, images and members asked for.
    None when the stage has never run.
    """
    full = RESULTS
    wall = records.load_run(full)["stages"].get(stage_id, {})
    if wall.get("wall_seconds") and not wall.get("overrides"):
        seconds = wall["wall_seconds"]
    else:
        rec = results.load(full, stage_id)
        if not rec:
            return None
        seconds = rec.train_seconds + 30
    return seconds * _scale(stage_id, overrides)


def expected(device: str = "auto") -> str:
    """What `use_device(device)` will most likely pick, without starting a
    backend (the series runner prints it; each notebook reports the real one).
    """
    device = devices.parse(device)
    kind, index = device.kind, device.index
    gpu = shutil.which("nvidia-smi") is not None
    if kind == "cpu" or (kind == "auto" and not gpu):
        why = "" if kind == "cpu" else ", no nvidia-smi on this machine"
        return f"{device} -> CPU ({os.cpu_count()} cores{why})"
    return f"{device} -> GPU {index or 0} via {devices.backend_name()}"


def _minutes(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds / 60:.1f} min"
