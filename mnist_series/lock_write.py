"""Writing the locks again (`make lock`): uv resolves each one from the
requirements files, and the header gives its packages and download size.

Runs inside build/lock-venv (requirements-tools.txt: uv and packaging),
and needs PyPI. `python -m mnist_series.lock write` runs it; the locks
and the rest of their commands are `lock`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from mnist_talk.files import ROOT, atomic_write
from mnist_talk.installed import (_PIN, GPU_EXTRAS, LOCKS, lock_pins,
                                  normalize)

from .lock import all_locks, check, requirement_pins

PLATFORM = "x86_64-manylinux_2_28"  # uv's name for what the locks target


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
