"""Write files so that an interruption never leaves half a file (stage 01).

The data cache, the results and bench files and the slide decks are written through
`atomic_write`: a temporary file beside the target, then one rename.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_write(target, mode: str = "wb", **open_kwargs):
    """Yield a file to write; it replaces `target` only once it is complete."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-",
                               suffix=target.suffix)
    try:
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_json(target, record) -> Path:
    """Write `record` to `target` as sorted, indented JSON, atomically."""
    import json

    with atomic_write(target, "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")
    return Path(target)


def read_json(target, default=None):
    """The JSON in `target`, or `default` when there is no such file."""
    import json

    target = Path(target)
    return json.loads(target.read_text()) if target.exists() else default
