"""The locks: every package of every venv, with its version and hashes.

`requirements*.txt` pin what the project asks for (Keras, Jupyter, the
backend); `locks/BACKEND[-gpu]-pyX.Y.txt` pins everything those pull in,
for CPython X.Y on Linux x86-64, with the hashes of the files pip may
install. `make venv` installs a lock with `pip --require-hashes`, so two
fresh clones get the same environment; `make lock` writes them again
(with uv, from the requirements files; versions already locked are kept
unless a requirement moved).

Run as `python -m mnist_series.lock ...` by `make` with the Python that
builds the venv, before any venv exists: this module uses the standard
library only. `make lock` writes the locks with `lock_write`, which runs
inside a venv.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
from pathlib import Path

from mnist_talk.files import ROOT
# What a venv's lock is and what differs from it: shared with the results'
# `versions`, and named here too, where the Makefile's steps use them.
from mnist_talk.installed import (
    _PIN, BACKENDS, GPU_EXTRAS, PYTHON, lock_path, lock_pins, normalize)

# What pyproject.toml's requires-python admits, oldest first. The first is
# the Python the committed outputs were made with: its venvs keep the
# plain names (.venv, .venv-jax), the others' names end in -pyX.Y.
SUPPORTED = ("3.11", "3.12", "3.13")


def all_locks():
    """`(backend, python, gpu, path)` of every lock `make lock` writes."""
    for backend in BACKENDS:
        for gpu in (False, True) if backend in GPU_EXTRAS else (False,):
            for python in SUPPORTED:
                yield backend, python, gpu, lock_path(backend, python, gpu)


def venv_name(backend: str, python: str) -> str:
    """`.venv`, `.venv-jax`, `.venv-py3.13`, `.venv-torch-py3.12`, ...

    The Makefile names its venvs the same way; tests/test_lock.py checks.
    """
    name = ".venv" if backend == "tensorflow" else f".venv-{backend}"
    return name if python == SUPPORTED[0] else f"{name}-py{python}"


def requirement_pins(path: Path) -> dict:
    """`{package: version}` of a requirements file, following `-r`."""
    pins = {}
    for line in Path(path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            pins.update(requirement_pins(Path(path).parent / line[3:].strip()))
        elif line:
            match = _PIN.match(line)
            if not match:
                raise ValueError(f"{path}: '{line}' is not pinned with ==: "
                                 "the requirements files pin exact versions")
            pins[normalize(match[1])] = match[3]
    return pins


def summary(path: Path) -> dict:
    """What `make lock` recorded in a lock's header: packages, download."""
    found = re.search(r"^# (\d+) packages, (\d+) MB to download",
                      Path(path).read_text(), re.M)
    if not found:
        raise ValueError(f"{path} has no '# N packages, M MB to download' "
                         "line: write it again with `make lock`")
    return {"packages": int(found[1]), "download_mb": int(found[2])}


def disagreements(backend: str, python: str, gpu: bool = False,
                  root: Path | None = None) -> list:
    """How a lock and the requirements it was made from disagree.

    Empty when every pin of `requirements-BACKEND.txt` (and of
    `requirements.txt`, which it includes) is in the lock at its version.
    """
    root = root or ROOT
    lock = root / "locks" / lock_path(backend, python, gpu).name
    wanted = requirement_pins(root / f"requirements-{backend}.txt")
    if not lock.exists():
        return [f"{lock.relative_to(root)} is missing"]
    locked = lock_pins(lock)
    problems = []
    for name, version in sorted(wanted.items()):
        if name not in locked:
            problems.append(f"{name}=={version} is not in "
                            f"{lock.relative_to(root)}")
        elif locked[name] != version:
            problems.append(f"{name}=={version} but "
                            f"{lock.relative_to(root)} has {locked[name]}")
    return problems


# -- the Makefile's steps ---------------------------------------------------

def _size(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


def plan(args) -> int:
    """Say what `make venv` is about to install, or why it will not."""
    python = PYTHON
    venv = ROOT / args.venv
    made_with = venv / "pyvenv.cfg"
    if made_with.exists():
        found = re.search(r"^version(?:_info)?\s*=\s*(\d+\.\d+)",
                          made_with.read_text(), re.M)
        if found and found[1] != python:
            print(f"error: {args.venv} was made with Python {found[1]}, not "
                  f"{python}. Move it aside or remove it (rm -rf {args.venv})"
                  " and run make again.", file=sys.stderr)
            return 1
    lock = ROOT / args.lock
    if lock.name.startswith("requirements"):
        print(f"warning: no lock for {platform.system()} "
              f"{platform.machine()}: installing {lock.name}'s pins and "
              "whatever versions pip picks for the rest.", file=sys.stderr)
        return 0
    problems = disagreements(args.backend, python, args.gpu)
    if problems:
        print(f"error: {lock.name} is out of date with "
              f"requirements-{args.backend}.txt: " + "; ".join(problems) +
              ". Run `make lock` to write the locks again.", file=sys.stderr)
        return 1
    what = (f"{args.venv} for Python {platform.python_version()} "
            f"({args.backend}{', CUDA' if args.gpu else ''})")
    if list(venv.glob(".installed-gpu*")):  # installed before: what moves
        changes = venv_changes(venv, lock)
        print(f"updating {what} to {args.lock}: " + (
            f"{len(changes)} package(s) change: {', '.join(changes)}"
            if changes else "no package changes"), flush=True)
        return 0
    size = summary(lock)
    print(f"creating {what}: {size['packages']} packages from {args.lock}, "
          f"{size['download_mb']} MB to download (less what pip has "
          "cached), several times that on disk", flush=True)
    return 0


def venv_changes(venv: Path, lock: Path) -> list:
    """What installing `lock` into `venv` changes (`numpy 2.4.5 -> 2.4.6`),
    read from the venv's `*.dist-info` folders: no need to run its Python."""
    installed = {}
    for info in venv.glob("lib/python*/site-packages/*.dist-info"):
        name, _, version = info.name[:-len(".dist-info")].rpartition("-")
        installed[normalize(name)] = version
    return [f"{name} {installed.get(name, '(new)')} -> {version}"
            for name, version in sorted(lock_pins(lock).items())
            if installed.get(name) != version]


def done(args) -> int:
    """Say what `make venv` made."""
    venv = ROOT / args.venv
    print(f"{args.venv} is ready: {_size(venv) / 1e9:.1f} GB on disk. "
          "Running make again installs nothing.")
    return 0


def up_to_date(args) -> int:
    print(f"{args.venv} is up to date with {args.lock}: nothing to install.")
    return 0


def check(args) -> int:
    """Every lock agrees with the requirements files (`make lock` if not)."""
    problems = [p for backend, python, gpu, _ in all_locks()
                for p in disagreements(backend, python, gpu)]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print("Run `make lock` to write the locks again.", file=sys.stderr)
        return 1
    print(f"{len(list(all_locks()))} locks agree with the requirements files")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mnist_series.lock",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("plan", "done", "up-to-date"):
        step = sub.add_parser(name)
        step.add_argument("--venv", required=True)
        step.add_argument("--lock", required=True)
        step.add_argument("--backend", choices=BACKENDS, default="tensorflow")
        step.add_argument("--gpu", type=int, choices=(0, 1), default=0)
    which = sub.add_parser("file", help="the lock for this Python, or "
                           "requirements-BACKEND.txt where there is none")
    which.add_argument("--backend", choices=BACKENDS, default="tensorflow")
    which.add_argument("--gpu", type=int, choices=(0, 1), default=0)
    sub.add_parser("check", help="every lock agrees with the requirements")
    sub.add_parser("write", help="write every lock again (uv, network)")
    args = parser.parse_args(argv)
    if args.command == "file":
        python = PYTHON
        path = lock_path(args.backend, python, bool(args.gpu))
        linux = sys.platform == "linux" and platform.machine() == "x86_64"
        print((path if linux else ROOT / f"requirements-{args.backend}.txt")
              .relative_to(ROOT))
        return 0
    if args.command == "write":
        from .lock_write import write  # needs build/lock-venv's packaging

        return write(args)
    return {"plan": plan, "done": done, "up-to-date": up_to_date,
            "check": check}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
