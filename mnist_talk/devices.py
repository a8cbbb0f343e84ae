"""Choose where Keras computes, before its backend starts (stage 01).

`use_device("auto" | "cpu" | "gpu" | "gpu:N")` must run before the first
`import keras`: the backend reads the visible devices once, when it starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile

_DEVICE = re.compile(r"^(auto|cpu|gpu(?::(\d+))?)$")


class DeviceError(RuntimeError):
    """The requested device cannot be used (stage 01)."""


class Device(str):
    """A device string that has been parsed: still the string the notebook
    gave (so it is stored as given), with its `kind` ("auto", "cpu" or
    "gpu") and GPU `index` (None unless a GPU)."""

    kind: str
    index: int | None


def parse(device) -> Device:
    """Parse a device string once; reject anything else (stage 01).

    `params.check` parses the notebook's `device`; `use_device` and
    `expected` take the parsed `Device` as it is.
    """
    if isinstance(device, Device):
        return device
    m = _DEVICE.match(device.strip().lower()) if isinstance(device, str) else None
    if not m:
        raise DeviceError(
            f"unknown device {device!r}: use 'auto', 'cpu', 'gpu' or 'gpu:N' "
            "(N counts from 0)")
    parsed = Device(device)
    parsed.kind = m.group(1).split(":")[0]
    parsed.index = (int(m.group(2)) if m.group(2)
                    else (0 if parsed.kind == "gpu" else None))
    return parsed


def expected(device: str = "auto") -> str:
    """What `use_device(device)` will most likely pick, without starting a
    backend (the series runner prints it; each notebook reports the real one).
    """
    device = parse(device)
    kind, index = device.kind, device.index
    gpu = shutil.which("nvidia-smi") is not None
    if kind == "cpu" or (kind == "auto" and not gpu):
        why = "" if kind == "cpu" else ", no nvidia-smi on this machine"
        return f"{device} -> CPU ({os.cpu_count()} cores{why})"
    return f"{device} -> GPU {index or 0} via {backend_name()}"


def backend_name() -> str:
    """The Keras backend that `import keras` will start."""
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def _gpus(backend: str) -> list[str]:
    """Names of the GPUs the started backend sees."""
    if backend == "tensorflow":
        import tensorflow as tf
        found = tf.config.list_physical_devices("GPU")
        names = []
        for d in found:
            details = tf.config.experimental.get_device_details(d)
            names.append(details.get("device_name", d.name))
        return names
    if backend == "jax":
        import jax
        return [str(d.device_kind) for d in jax.devices()
                if d.platform in ("gpu", "cuda", "rocm")]
    if backend == "torch":
        import torch
        return [torch.cuda.get_device_name(i)
                for i in range(torch.cuda.device_count())]
    return []


@contextlib.contextmanager
def _native_stderr_hidden():
    """Hold back what native code writes to stderr while a backend starts.

    TensorFlow's C++ start-up banner ignores `TF_CPP_MIN_LOG_LEVEL` and
    would fill the first cell of every notebook; it is shown only if the
    start fails.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def use_device(device: str = "auto") -> str:
    """Make `device` the one Keras will use, and describe it (stage 01).

    "cpu" hides every GPU; "gpu:N" shows only GPU N and fails with
    `DeviceError` when it is not there, rather than running on the CPU
    quietly; "auto" takes a GPU when there is one.
    """
    device = parse(device)
    kind, index = device.kind, device.index
    backend = backend_name()  # its module has the same name
    if kind != "auto" and backend in sys.modules:
        raise DeviceError(
            f"{backend} has already started in this kernel, so the device "
            "can no longer change: restart the kernel and run the notebook "
            "from the top")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if kind == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
        if backend == "jax":
            os.environ["JAX_PLATFORMS"] = "cpu"
    elif kind == "gpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = str(index)
    with _native_stderr_hidden():
        gpus = _gpus(backend)
    if kind == "gpu" and not gpus:
        raise DeviceError(
            f"device {device!r} asked for a GPU but {backend} sees none. "
            "Run with device='cpu' (or 'auto'), or on a GPU machine install "
            "GPU support with `make GPU=1 venv`")
    if gpus and kind != "cpu":
        return f"GPU {index or 0} ({gpus[0]}) via {backend}"
    return f"CPU ({os.cpu_count()} cores) via {backend}"
