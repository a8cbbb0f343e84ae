"""Where the project's files live, and how they are written (stage 01).

`ROOT` is the checkout; every path the package names starts from it.
Everything the package writes (the data cache, results, predictions, run
and bench records, executed notebooks, slide decks, locks) goes through
`atomic_path`: a temporary file beside the target, then one rename, so
that an interruption never leaves half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

#: The checkout: `notebooks/`, `results/`, `build/` and the rest.
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "results"
BUILD = ROOT / "build"


def _umask() -> int:
    """This process's umask, read without changing it where Linux says it
    (`os.umask` sets it to read it, a moment in which another thread's
    files would get the wrong permissions)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target):
    """Yield a temporary path to write; it replaces `target` only once the
    block ends without an error, and is removed otherwise. The file gets
    the permissions `open` would give it (0644 under umask 022), not the
    temporary file's 0600, so a cache the lab admin fills is readable by
    every student."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-",
                               suffix=target.suffix)
    os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_write(target, mode: str = "wb", **open_kwargs):
    """Yield a file to write; it replaces `target` only once it is complete."""
    with atomic_path(target) as tmp, open(tmp, mode, **open_kwargs) as f:
        yield f


def write_json(target, record) -> Path:
    """Write `record` to `target` as sorted, indented JSON, atomically."""
    with atomic_write(target, "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")
    return Path(target)


def read_json(target, default=None):
    """The JSON in `target`, or `default` when there is no such file."""
    target = Path(target)
    return json.loads(target.read_text()) if target.exists() else default
