"""Choose where Keras computes, before its backend starts (stage 01).

`use_device("auto" | "cpu" | "gpu" | "gpu:N")` must run before the first
`import keras`: the backend reads the visible devices once, when it starts.
It also makes the kernel share a GPU (`share_gpu_memory`): many students'
kernels on one GPU each take the memory they use, not all of it, and a
lab admin may cap each kernel's share (docs/classroom.md).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

_DEVICE = re.compile(r"^(auto|cpu|gpu(?::(\d+))?)$")

#: What each backend reads when it starts, so that a kernel takes GPU
#: memory as it needs it: TensorFlow maps nearly all of every GPU it sees,
#: JAX preallocates 75%; PyTorch's caching allocator already takes only
#: what it uses, so it needs nothing.
GROW = {"tensorflow": {"TF_FORCE_GPU_ALLOW_GROWTH": "true"},
        "jax": {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"},
        "torch": {}}
#: The variable a lab admin sets once for every student: the largest share
#: of each GPU's memory one kernel may take (0.25: four kernels per GPU).
CAP_VARIABLE = "MNIST_TALK_GPU_MEMORY_FRACTION"
#: JAX's own cap, under its old and new names (setting both is an error in
#: its CUDA plugin, so an admin's spelling is never joined by ours).
JAX_CAP = ("XLA_PYTHON_CLIENT_MEM_FRACTION", "XLA_CLIENT_MEM_FRACTION")


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

    `params.check` parses the notebook's `device`; `use_device` (and the
    series runner's `expected`) take the parsed `Device` as it is.
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


def backend_name() -> str:
    """The Keras backend that `import keras` will start."""
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def memory_cap() -> float | None:
    """The share of each GPU's memory one kernel may take, from
    `$MNIST_TALK_GPU_MEMORY_FRACTION` (None when unset); a clear error
    for anything but a number above 0 and at most 1."""
    text = os.environ.get(CAP_VARIABLE, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value <= 1:
        raise DeviceError(
            f"{CAP_VARIABLE}={text!r} is not a share of a GPU's memory: "
            "set it to a number above 0 and at most 1 (0.25: each kernel "
            "takes at most a quarter of each GPU), or unset it")
    return value


def share_gpu_memory(backend: str | None = None) -> float | None:
    """Set, before `backend` starts, what makes it take GPU memory as it
    needs it (`GROW`), and JAX's own cap when the admin set one
    (`memory_cap`). A value already in the environment is the admin's
    and stays as it is. Returns the cap still to apply once the backend
    has started (TensorFlow's and PyTorch's: `_gpus`), else None."""
    backend = backend or backend_name()
    cap = memory_cap()
    for name, value in GROW.get(backend, {}).items():
        os.environ.setdefault(name, value)
    if backend == "jax":
        if cap is not None and not any(n in os.environ for n in JAX_CAP):
            os.environ[JAX_CAP[0]] = f"{cap:g}"
        return None
    return cap


def _memory_note(backend: str) -> str:
    """How the started backend takes GPU memory, for `use_device`'s line."""
    grows = all(os.environ.get(name) == value
                for name, value in GROW.get(backend, {}).items())
    note = "memory as used" if grows else "memory as the backend allocates"
    names = JAX_CAP if backend == "jax" else (CAP_VARIABLE,)
    given = next((os.environ[n] for n in names if os.environ.get(n)), None)
    with contextlib.suppress(TypeError, ValueError):
        note += f", at most {float(given):.0%} of it"
    return note


def gpu_memory_mib() -> list[int]:
    """Each GPU's memory in MiB, as nvidia-smi reports it (all of them,
    whatever `CUDA_VISIBLE_DEVICES` shows)."""
    if shutil.which("nvidia-smi") is None:
        raise DeviceError(
            f"{CAP_VARIABLE} caps TensorFlow by a size, read from "
            "nvidia-smi, which is not on PATH: put it there, or unset "
            f"{CAP_VARIABLE} (memory still grows only as it is used)")
    done = subprocess.run(
        ["nvidia-smi", "--query-gpu=memory.total",
         "--format=csv,noheader,nounits"],
        capture_output=True, text=True, timeout=30)
    sizes = [int(line) for line in done.stdout.split() if line.isdigit()]
    if done.returncode != 0 or not sizes:
        raise DeviceError(
            f"nvidia-smi gave no GPU memory size ({done.stderr.strip()}): "
            f"unset {CAP_VARIABLE}, or repair the driver")
    return sizes


def _cap_tensorflow(tf, gpus, cap: float, sizes=None) -> int | None:
    """Cap TensorFlow at `cap` of the smallest GPU's memory on each GPU it
    sees: a logical device with that `memory_limit` (MiB), set before the
    runtime starts; memory still grows as used up to it. Returns the
    limit set, None when an earlier Setup cell of this kernel set it."""
    todo = [gpu for gpu in gpus
            if not tf.config.get_logical_device_configuration(gpu)]
    if not todo:
        return None
    limit = int(cap * min(sizes or gpu_memory_mib()))
    for gpu in todo:
        try:
            tf.config.set_logical_device_configuration(
                gpu,
                [tf.config.LogicalDeviceConfiguration(memory_limit=limit)])
        except RuntimeError as exc:  # the runtime has started already
            raise DeviceError(
                f"{CAP_VARIABLE} can no longer cap TensorFlow: it has "
                "already started on the GPU in this kernel. Restart the "
                "kernel and run the notebook from the top") from exc
    return limit


def _cap_torch(torch, cap: float) -> None:
    """Cap PyTorch's caching allocator at `cap` of each visible GPU."""
    for index in range(torch.cuda.device_count()):
        torch.cuda.set_per_process_memory_fraction(cap, index)


def _gpus(backend: str, cap: float | None = None) -> list[str]:
    """Names of the GPUs the started backend sees, each capped at `cap`
    of its memory when given."""
    if backend == "tensorflow":
        import tensorflow as tf
        found = tf.config.list_physical_devices("GPU")
        if found and cap is not None:
            _cap_tensorflow(tf, found, cap)
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
        if cap is not None:
            _cap_torch(torch, cap)
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
    quietly; "auto" takes a GPU when there is one. On a GPU the kernel
    takes memory as it uses it, up to the admin's cap (`share_gpu_memory`).
    """
    device = parse(device)
    kind, index = device.kind, device.index
    backend = backend_name()  # its module has the same name
    memory_cap()  # a cap that is no share is named before anything else
    if kind != "auto" and backend in sys.modules:
        raise DeviceError(
            f"{backend} has already started in this kernel, so the device "
            "can no longer change: restart the kernel and run the notebook "
            "from the top")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    cap = share_gpu_memory(backend)
    if kind == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
        if backend == "jax":
            os.environ["JAX_PLATFORMS"] = "cpu"
    elif kind == "gpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = str(index)
    with _native_stderr_hidden():
        gpus = _gpus(backend, cap)
    if kind == "gpu" and not gpus:
        raise DeviceError(
            f"device {device!r} asked for a GPU but {backend} sees none. "
            "Run with device='cpu' (or 'auto'), or on a GPU machine install "
            "GPU support with `make GPU=1 venv`")
    if gpus and kind != "cpu":
        return (f"GPU {index or 0} ({gpus[0]}) via {backend}, "
                f"{_memory_note(backend)}")
    return f"CPU ({os.cpu_count()} cores) via {backend}"
