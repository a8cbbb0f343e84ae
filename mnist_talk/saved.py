"""Each stage's trained network, kept for later: a `.keras` file per stage
(stage 01 keeps the first; stage 13 loads stage 12's and scores drawings
with all of them).

`Run.finish(..., model=model)` calls `keep`: the network that gave the
stage's result goes to `<results_dir>/models/<stage>.keras`, without its
optimizer (only what answers is kept), and byte for byte the same when a
rerun trains the same weights, so that git sees no change. An ensemble
(stages 12 and 13) is kept as one model that answers as the ensemble
does (`ensemble`). `load` gives any stage's network back, ready to
predict: `saved.load("results", "13_pseudo_labels").predict(images)`.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from .files import atomic_write

#: The folder under a results folder that holds the stages' networks.
FOLDER = "models"
#: Every file inside a kept `.keras` gets this time, so a rerun's bytes match.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def path(results_dir, stage_id: str) -> Path:
    """Where a stage's network is kept: `<results_dir>/models/<stage>.keras`."""
    return Path(results_dir) / FOLDER / f"{stage_id}.keras"


def answering(model):
    """A copy of `model`, uncompiled, with the same layers, names and
    weights: what is saved, so that no optimizer state goes with it. A
    network that ends in scores (stage 01 leaves its softmax to the loss)
    gets the softmax after them: every kept network answers with
    probabilities, and the same digit."""
    import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    last = model.layers[-1]
    if getattr(last, "activation", None) is keras.activations.linear:
        copy = keras.Sequential([keras.Input(shape=model.input_shape[1:]),
                                 copy, keras.layers.Softmax()],
                                name=f"{model.name}_probabilities")
    return copy


def _steady(raw: bytes) -> bytes:
    """A `.keras` zip rewritten without its save date and with fixed file
    times: the same weights give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            data = src.read(name)
            if name == "metadata.json":
                meta = json.loads(data)
                meta.pop("date_saved", None)
                data = json.dumps(meta, sort_keys=True).encode()
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


def keep(model, results_dir, stage_id: str) -> Path:
    """Save the network that gave a stage's result, as `path()` says.

    The file is written whole or not at all; its bytes depend only on the
    network's layers and weights.
    """
    import tempfile

    import keras

    target = path(results_dir, stage_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / target.name
        keras.saving.save_model(answering(model), raw)
        data = _steady(raw.read_bytes())
    with atomic_write(target) as f:
        f.write(data)
    return target


class ModelMissing(FileNotFoundError):
    """A stage's network was asked for before a run kept it."""


def load(results_dir, stage_id: str):
    """A stage's kept network, ready to `predict`; a clear error naming
    the command that makes it when the stage has not been run."""
    import keras

    from . import augment, shifts  # noqa: F401  (their layers load by name)

    shifts.shift_layer()
    target = path(results_dir, stage_id)
    if not target.is_file():
        raise ModelMissing(
            f"{target} does not exist: stage {stage_id[:2]} keeps its network "
            f"there when it runs. Run it with `make talk ARGS='--stages "
            f"{stage_id[:2]}'` (or the whole series with `make talk`).")
    return keras.saving.load_model(target, compile=False)
