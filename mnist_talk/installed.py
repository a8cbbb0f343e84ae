"""Which lock this venv was installed from (stage 01 introduces this).

Every result records the versions that produced it (`session.versions`),
with the lock file the venv was installed from and any installed package
that differs from it: `describe()`. The locks themselves, and the steps
of `make venv` and `make lock` that read and write them, are
`mnist_series.lock`; it shares what is here. Standard library only: that
module runs before any venv exists.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

from .files import ROOT

LOCKS = ROOT / "locks"
BACKENDS = ("tensorflow", "jax", "torch")
# Each backend's CUDA libraries, for a machine with an NVIDIA GPU (`make
# GPU=1`); PyPI's torch for Linux carries CUDA already.
GPU_EXTRAS = {"tensorflow": "tensorflow[and-cuda]", "jax": "jax[cuda12]"}
# A package each extra installs, to tell a CUDA venv from a CPU one.
GPU_PROBE = {"tensorflow": "nvidia-cudnn-cu12", "jax": "jax-cuda12-plugin"}
PYTHON = "%d.%d" % sys.version_info[:2]  # this interpreter's, e.g. "3.11"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def normalize(name: str) -> str:
    """A package name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_path(backend: str, python: str, gpu: bool = False) -> Path:
    """`locks/tensorflow-py3.11.txt`, `locks/jax-gpu-py3.13.txt`, ..."""
    gpu = gpu and backend in GPU_EXTRAS
    return LOCKS / f"{backend}{'-gpu' if gpu else ''}-py{python}.txt"


def lock_pins(path: Path) -> dict:
    """`{package: version}` of a lock file."""
    pins = {}
    for line in Path(path).read_text().splitlines():
        match = _PIN.match(line)
        if match:
            pins[normalize(match[1])] = match[3]
    return pins


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
