"""A class, simulated on one machine (docs/classroom.md): three students,
each with their own copies in their own home, share one read-only
checkout, venv and MNIST cache, and run stage 01 at its smoke settings at
the same time. All three finish, and what they share is as it was.

Three kernels at once take up to about a minute on 2 cores, which
`make test` has no room for: `make test-live` (MNIST_TALK_TRAIN_LIVE=1)
runs this, and it prints how long the class took.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from mnist_series import settings
from mnist_talk import data, files, results
from students import class_folder, python_for, students

pytestmark = pytest.mark.skipif(
    not os.environ.get("MNIST_TALK_TRAIN_LIVE"),
    reason="three kernels at once: `make test-live` runs this")

STAGE = "01_linear"


def _fingerprint(folder: Path, content: bool = False) -> dict:
    """Every file under `folder`, links not followed: its size and
    modification time, or with `content` its sha256. Python's own
    bytecode caches (`__pycache__`) and .git are left out."""
    found = {}
    for where, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in (".git", "__pycache__")]
        for name in names:
            path = Path(where) / name
            found[str(path.relative_to(folder))] = (
                hashlib.sha256(path.read_bytes()).hexdigest() if content
                else (path.lstat().st_size, path.lstat().st_mtime_ns))
    return found


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=files.ROOT,
                          capture_output=True, text=True, check=True).stdout


def test_three_students_run_stage_01_at_once_from_their_own_copies(
        mnist, capsys):
    (x_train, y_train), (x_test, y_test) = mnist
    venv = Path(sys.prefix).resolve()
    with class_folder() as folder, students(3, folder,
                                            or_homes=True) as found:
        shared = folder / "shared"
        cache = shared / "mnist-data"
        data._write_cache(cache / data.CACHE_NAME, dict(
            x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test))
        python = python_for(found[0], shared)
        before = (_fingerprint(cache, content=True), _fingerprint(shared),
                  _fingerprint(venv), _fingerprint(files.ROOT), _git_status())
        smoke = json.dumps(settings.smoke_parameters(STAGE))
        copies = '"$HOME/mnist-lab/notebooks"'
        notebook = f'{copies[:-1]}/{STAGE}.ipynb"'
        # what `make lab` runs, without starting JupyterLab; then the
        # stage from the student's copy, saved in place, at smoke settings
        script = (f'"{python}" -m mnist_series.present --prepare-only --full '
                  f'--folder {copies} && "{python}" -m papermill '
                  f"{notebook} {notebook} --cwd {copies} -k python3 "
                  f"--no-progress-bar -y '{smoke}'")
        started = time.perf_counter()
        running = [(s, s.popen(["/bin/sh", "-c", script],
                               s.env(python, MNIST_TALK_DATA=str(cache)),
                               folder / f"{s.home.name}.log"))
                   for s in found]
        try:
            codes = [p.wait(timeout=900) for _, p in running]
        finally:
            for _, p in running:
                if p.poll() is None:
                    p.kill()
        seconds = time.perf_counter() - started
        logs = {s.name: (folder / f"{s.home.name}.log").read_text()
                for s in found}
        after = (_fingerprint(cache, content=True), _fingerprint(shared),
                 _fingerprint(venv), _fingerprint(files.ROOT), _git_status())
        with capsys.disabled():
            print(f"\n{len(found)} students ran stage {STAGE[:2]} at smoke "
                  f"settings at once in {seconds:.0f} s "
                  f"({', '.join(map(repr, found))})")
        assert codes == [0] * len(found), {s.name: logs[s.name][-3000:]
                                           for s, _ in running}
        full = results.load(files.RESULTS, STAGE)
        spread = results.spread(STAGE)
        for s in found:
            record = results.load(s.home / "mnist-lab" / "results", STAGE)
            assert record.parameters["train_size"] == 2048
            assert record.test_accuracy >= record.parameters["accuracy_floor"]
            nb = nbformat.read(s.home / "mnist-lab" / "notebooks"
                               / f"{STAGE}.ipynb", as_version=4)
            shown = json.dumps([c.get("outputs", []) for c in nb.cells])
            assert '"output_type": "error"' not in shown
            assert (f"full run {full.test_accuracy:.2%} ({spread})"
                    in shown), "the status line shows no full run beside"
        names = ("MNIST cache", "shared folder", "venv", "checkout",
                 "git status")
        for name, old, new in zip(names, before, after):
            if isinstance(old, dict):
                changed = sorted(k for k in old.keys() | new.keys()
                                 if old.get(k) != new.get(k))
                assert not changed, f"the {name} changed: {changed[:10]}"
            else:
                assert old == new, f"the {name} changed:\n{old}\n{new}"
