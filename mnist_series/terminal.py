"""What the series runner shows in the terminal while the notebooks run:
papermill's log of their printed output, and each epoch's line.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from mnist_talk import live


@contextlib.contextmanager
def epoch_lines(enabled: bool = True):
    """Print each epoch's line to the terminal while a notebook trains.

    The notebook shows its training as one live figure and status line
    (`mnist_talk.live.Board`), which papermill's log does not see; the
    board also appends every epoch's line to the file named by
    `$MNIST_TALK_EPOCH_LOG`, which the kernel inherits from us, and a
    thread prints that file as it grows.
    """
    if not enabled:
        yield
        return
    fd, name = tempfile.mkstemp(prefix="mnist-talk-epochs-", suffix=".log")
    os.close(fd)
    done = threading.Event()

    def follow():
        with open(name, encoding="utf-8") as f:
            while not done.is_set():
                line = f.readline()
                if line:
                    print(f"    {line.rstrip()}", flush=True)
                else:
                    time.sleep(0.2)
            # The lines written between the last read and `done`: without
            # this read they were lost whenever the two came close together.
            for line in f.read().splitlines():
                print(f"    {line.rstrip()}", flush=True)

    previous = os.environ.get(live.LOG_VARIABLE)
    os.environ[live.LOG_VARIABLE] = name
    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    try:
        yield
    finally:
        done.set()
        reader.join(timeout=5)
        if previous is None:
            os.environ.pop(live.LOG_VARIABLE, None)
        else:
            os.environ[live.LOG_VARIABLE] = previous
        Path(name).unlink(missing_ok=True)


def show_notebook_output() -> None:
    """Stream what the notebooks print (the epoch lines) to the terminal."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("    %(message)s"))
    handler.addFilter(lambda r: not str(r.msg).startswith(
        ("Executing Cell", "Ending Cell", "Executing notebook", "Input ",
         "Output ", "Black is not installed")) and str(r.msg).strip() != "")
    log = logging.getLogger("papermill")
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    log.propagate = False
