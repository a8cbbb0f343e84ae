"""The machinery's records beside the results store: the series runner's
wall time per notebook (`run.json`), each deck at its live settings
(`live.json`), `make bench` (`bench.json`) and `make backends`
(`backends.json`), all in the results folder.

The stages' own results are `mnist_talk.results`.
"""

from __future__ import annotations

from pathlib import Path

from mnist_talk.files import read_json, write_json

RUN_FILE = "run.json"
#: Each deck at its live settings (`series run --live`).
LIVE_FILE = "live.json"
BENCH_FILE = "bench.json"
BACKENDS_FILE = "backends.json"


def load_run(results_dir) -> dict:
    """The series runner's record: wall seconds per notebook, per run."""
    return read_json(Path(results_dir) / RUN_FILE, {"stages": {}})


def save_run(results_dir, record: dict) -> None:
    write_json(Path(results_dir) / RUN_FILE, record)


def read_live(results_dir) -> dict:
    """What each deck took at its live settings, by stage."""
    return read_json(Path(results_dir) / LIVE_FILE, {"stages": {}})


def save_live(results_dir, record: dict) -> None:
    write_json(Path(results_dir) / LIVE_FILE, record)


def load_bench(results_dir) -> dict | None:
    """What `make bench` last recorded, or None."""
    return read_json(Path(results_dir) / BENCH_FILE)


def load_backends(results_dir) -> dict | None:
    """What `make backends` last recorded, or None."""
    return read_json(Path(results_dir) / BACKENDS_FILE)
