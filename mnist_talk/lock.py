"""The locks: every package of every venv, with its version and hashes.

`requirements*.txt` pin what the project asks for (Keras, Jupyter, the
backend); `locks/BACKEND[-gpu]-pyX.Y.txt` pins everything those pull in,
for CPython X.Y on Linux x86-64, with the hashes of the files pip may
install. `make venv` installs a lock with `pip --require-hashes`, so two
fresh clones get the same environment; `make lock` writes them again
(with uv, from the requirements files; versions already locked are kept
unless a requirement moved).

Run as `python -m mnist_talk.lock ...` by `make` with the Python that
builds the venv, before any venv exists: this module uses the standard
library only, except `write`, which runs inside a venv.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import urllib.request
from importlib import metadata
from pathlib import Path

from .files import ROOT, atomic_write

LOCKS = ROOT / "locks"
# What pyproject.toml's requires-python admits, oldest first. The first is
# the Python the committed outputs were made with: its venvs keep the
# plain names (.venv, .venv-jax), the others' names end in -pyX.Y.
SUPPORTED = ("3.11", "3.12", "3.13")
BACKENDS = ("tensorflow", "jax", "torch")
# Each backend's CUDA libraries, for a machine with an NVIDIA GPU (`make
# GPU=1`); PyPI's torch for Linux carries CUDA already.
GPU_EXTRAS = {"tensorflow": "tensorflow[and-cuda]", "jax": "jax[cuda12]"}
# A package each extra installs, to tell a CUDA venv from a CPU one.
GPU_PROBE = {"tensorflow": "nvidia-cudnn-cu12", "jax": "jax-cuda12-plugin"}
PLATFORM = "x86_64-manylinux_2_28"  # uv's name for what the locks target
PYTHON = "%d.%d" % sys.version_info[:2]  # this interpreter's, e.g. "3.11"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def normalize(name: str) -> str:
    """A package name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_path(backend: str, python: str, gpu: bool = False) -> Path:
    """`locks/tensorflow-py3.11.txt`, `locks/jax-gpu-py3.13.txt`, ..."""
    gpu = gpu and backend in GPU_EXTRAS
    return LOCKS / f"{backend}{'-gpu' if gpu else ''}-py{python}.txt"


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


def lock_pins(path: Path) -> dict:
    """`{package: version}` of a lock file."""
    pins = {}
    for line in Path(path).read_text().splitlines():
        match = _PIN.match(line)
        if match:
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


def installed_differences(path: Path) -> list:
    """Packages of this environment whose version is not the lock's."""
    differ = []
    for name, version in sorted(lock_pins(path).items()):
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            differ.append(f"{name} missing")
            continue
        if found.split("+")[0] != version.split("+")[0]:
            differ.append(f"{name} {found}")
    return differ


def current(backend: str | None = None) -> Path | None:
    """The lock this interpreter's venv was made from, if there is one."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        return None
    backend = backend or os.environ.get("KERAS_BACKEND", "tensorflow")
    python = PYTHON
    for gpu in (True, False):
        path = lock_path(backend, python, gpu)
        if (path.exists() and (gpu is False or gpu_installed(backend))):
            return path
    return None


def gpu_installed(backend: str) -> bool:
    """Whether the backend's CUDA libraries are installed here."""
    try:
        metadata.version(GPU_PROBE.get(backend, ""))
        return True
    except (metadata.PackageNotFoundError, ValueError):
        return False


def describe(backend: str | None = None) -> str:
    """The lock for the results' `versions`: its file, and any package that
    differs from it (`tensorflow-py3.11.txt`, `... (differs: numpy 2.4.5)`)."""
    path = current(backend)
    if path is None:
        return "none (no lock for this platform)"
    differ = installed_differences(path)
    return path.name + (f" (differs: {', '.join(differ)})" if differ else "")


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


# -- writing the locks (make lock) ------------------------------------------

def _files(name: str, cache: dict) -> list:
    """The files PyPI holds for a package (its JSON simple index)."""
    if name not in cache:
        request = urllib.request.Request(
            f"https://pypi.org/simple/{name}/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            cache[name] = json.load(answer)["files"]
    return cache[name]


def _target_tags(python: str) -> list:
    """The wheel tags pip accepts for CPython `python` on Linux x86-64,
    best first (as pip ranks them)."""
    from packaging import tags  # in build/lock-venv only: see the docstring

    version = tuple(int(p) for p in python.split("."))
    plats = ([f"manylinux_2_{m}_x86_64" for m in range(28, 4, -1)]
             + ["manylinux2014_x86_64", "manylinux2010_x86_64",
                "manylinux1_x86_64", "linux_x86_64"])
    return (list(tags.cpython_tags(version, platforms=plats))
            + list(tags.compatible_tags(version, platforms=plats)))


def download_bytes(path: Path, python: str, cache: dict) -> int:
    """Bytes of the files pip would download to install a lock."""
    from packaging.utils import parse_wheel_filename

    rank = {tag: i for i, tag in enumerate(_target_tags(python))}
    text = Path(path).read_text()
    total = 0
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = _PIN.match(block)
        if not match:
            continue
        hashes = set(re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
        best = None
        for file in _files(normalize(match[1]), cache):
            if file["hashes"].get("sha256") not in hashes:
                continue
            filename = file["filename"]
            if filename.endswith(".whl"):
                found = [rank[t] for t in parse_wheel_filename(filename)[3]
                         if t in rank]
                if not found:
                    continue
                key = min(found)
            else:
                key = len(rank)  # an sdist: only when there is no wheel
            if best is None or key < best[0]:
                best = (key, file["size"])
        if best is None:
            raise RuntimeError(f"{path.name}: no file of {match[1]} for "
                               f"CPython {python} on Linux x86-64")
        total += best[1]
    return total


HEADER = """\
# Every package of the {backend} venv{cuda} for CPython {python} on Linux
# x86-64, pinned with the hashes of its files. Written by `make lock`
# ({uv}) from requirements-{backend}.txt{extra}; do not edit.
# `make venv` installs it with pip --require-hashes.
# {packages} packages, {mb} MB to download
"""


def write(args) -> int:
    """Write every lock again with uv (needs the network: PyPI)."""
    uv = Path(sys.executable).parent / "uv"  # requirements-tools.txt
    version = subprocess.run([str(uv), "--version"], capture_output=True,
                             text=True, check=True).stdout.split(" (")[0]
    cache: dict = {}
    LOCKS.mkdir(exist_ok=True)
    inputs = ROOT / "build" / "lock"
    inputs.mkdir(parents=True, exist_ok=True)
    for backend, python, gpu, path in all_locks():
        source = f"requirements-{backend}.txt"
        if gpu:  # the backend with its CUDA extra, at the same version
            pin = requirement_pins(ROOT / source)[backend]
            (inputs / f"{backend}-gpu.txt").write_text(
                f"-r ../../{source}\n{GPU_EXTRAS[backend]}=={pin}\n")
            source = f"build/lock/{backend}-gpu.txt"
        out = inputs / path.name
        if path.exists():  # keep what is locked unless it must move
            out.write_text(path.read_text())
        subprocess.run(
            [str(uv), "pip", "compile", source, "--quiet",
             "--python-version", python, "--python-platform", PLATFORM,
             "--generate-hashes", "--no-header",
             "--index-url", "https://pypi.org/simple",
             "--output-file", str(out.relative_to(ROOT))],
            check=True, cwd=ROOT, env={**os.environ, "UV_NO_CONFIG": "1"})
        body = out.read_text()
        mb = round(download_bytes(out, python, cache) / 1e6)
        header = HEADER.format(
            backend=backend, cuda=" with CUDA" if gpu else "",
            python=python, uv=version,
            extra=f" and {GPU_EXTRAS[backend]}" if gpu else "",
            packages=len(lock_pins(out)), mb=mb)
        with atomic_write(path, "w") as f:
            f.write(header + body)
        print(f"{path.relative_to(ROOT)}: {len(lock_pins(path))} packages, "
              f"{mb} MB")
    return check(args)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mnist_talk.lock",
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
    return {"plan": plan, "done": done, "up-to-date": up_to_date,
            "check": check, "write": write}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
