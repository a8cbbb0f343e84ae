"""Check a notebook's parameters before anything runs (stage 01).

Every notebook declares its knobs in one cell tagged `parameters`;
papermill may override them. `check()` stops the notebook there, with one
message that says what to change, when a value cannot work.
"""

from __future__ import annotations

from numbers import Integral, Real

from .devices import DeviceError, parse

TRAIN_IMAGES = 60_000
#: The most networks one ensemble may have: `session.member_seed` gives
#: each run seed and group room for this many seeds.
MAX_MEMBERS = 100


class ParameterError(ValueError):
    """A notebook parameter has an impossible value (stage 01)."""


def _whole(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ParameterError(
            f"{name} must be a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        span = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ParameterError(f"{name} must be {span}, got {value}")


def _device(device):
    """The device, parsed once (`use_device` takes it as is)."""
    try:
        return parse(device)
    except DeviceError as exc:
        raise ParameterError(f"device: {exc}") from None


def _filters(filters):
    """A VGG member's widths: four whole numbers, one per block (stage 12)."""
    if not isinstance(filters, (list, tuple)) or len(filters) != 4:
        raise ParameterError(
            "filters must be four whole numbers, one per block, e.g. "
            f"[7, 14, 28, 56] (stage 11's widths); got {filters!r}")
    for i, n in enumerate(filters):
        _whole(f"filters[{i}]", n, 1)


def _dropout(dropout):
    """A VGG member's dropout: five rates, one after each block and one
    before the output, each from 0 up to, not including, 1 (stage 12)."""
    if not isinstance(dropout, (list, tuple)) or len(dropout) != 5:
        raise ParameterError(
            "dropout must be five rates, one after each block and one "
            "before the output, e.g. [0.1, 0.2, 0.3, 0.4, 0.5] (stage 09's); "
            f"got {dropout!r}")
    for i, r in enumerate(dropout):
        if isinstance(r, bool) or not isinstance(r, Real) or not 0 <= r < 1:
            raise ParameterError(
                f"dropout[{i}] must be a rate from 0 up to, not including, "
                f"1; got {r!r}")


def check(*, epochs, batch_size, train_size, seed, device, accuracy_floor,
          results_dir, **extra) -> dict:
    """Validate the common parameters and return them as a dict (stage 01).

    `device` comes back parsed (a `devices.Device`, still the string given).
    `extra` holds a stage's own parameters: `members`, `pseudo_copies`,
    `confidence`, `filters`, `dropout` and `tta` are checked here, any
    other passes through unchecked.
    """
    _whole("epochs", epochs, 1)
    _whole("train_size", train_size, 1, TRAIN_IMAGES)
    _whole("batch_size", batch_size, 1)
    _whole("seed", seed, 0)
    device = _device(device)
    if (isinstance(accuracy_floor, bool) or not isinstance(accuracy_floor, Real)
            or not 0 <= accuracy_floor <= 1):
        raise ParameterError(
            "accuracy_floor must be a fraction between 0 and 1 "
            f"(0.9 means 90%), got {accuracy_floor!r}")
    if not isinstance(results_dir, str) or not results_dir:
        raise ParameterError(
            f"results_dir must be a folder path, got {results_dir!r}")
    for name in ("members", "pseudo_copies"):
        if name in extra:
            _whole(name, extra[name], 1)
    if "confidence" in extra:
        c = extra["confidence"]
        if (isinstance(c, bool) or not isinstance(c, Real)
                or not 0 <= c < 1):
            raise ParameterError(
                "confidence must be a probability from 0 (keep every "
                "pseudo-label) up to, not including, 1; got " f"{c!r}")
    if "filters" in extra:
        _filters(extra["filters"])
    if "dropout" in extra:
        _dropout(extra["dropout"])
    if "tta" in extra and not isinstance(extra["tta"], bool):
        raise ParameterError(
            "tta must be True (each member also answers for its image "
            "shifted one pixel four ways) or False; got "
            f"{extra['tta']!r}")
    if extra.get("members", 0) > MAX_MEMBERS:
        raise ParameterError(
            f"members must be at most {MAX_MEMBERS}, got {extra['members']}")
    return dict(epochs=epochs, batch_size=batch_size, train_size=train_size,
                seed=seed, device=device, accuracy_floor=accuracy_floor,
                results_dir=results_dir, **extra)


def check_practice(*, epochs, train_size, validation_size, seed,
                   device) -> dict:
    """Validate a solutions notebook's parameters (the exercises).

    The solutions fit on `train_size` training images and compare on the
    `validation_size` held out after them, so the two must fit in 60,000.
    """
    _whole("epochs", epochs, 1)
    _whole("validation_size", validation_size, 1, TRAIN_IMAGES - 1)
    _whole("train_size", train_size, 1, TRAIN_IMAGES - validation_size)
    _whole("seed", seed, 0)
    device = _device(device)
    return dict(epochs=epochs, train_size=train_size,
                validation_size=validation_size, seed=seed, device=device)
