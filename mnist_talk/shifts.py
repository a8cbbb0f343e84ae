"""Test-time augmentation: one network's probabilities averaged over the
image and its four one-pixel shifts (stage 12 introduces this).

Stage 12 scores its members both ways; the search for the final recipe
(`mnist_series.search`) scores each trial's network the same way.
`ensemble` builds one Keras model that answers as an ensemble does, the
shifts included (`Shift`, defined by `shift_layer()` once Keras has
started), so that it can be kept and run elsewhere.
"""

from __future__ import annotations

import numpy as np

#: The image and its four one-pixel shifts, as (right, down).
VIEWS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


def shift(images: np.ndarray, right: int, down: int) -> np.ndarray:
    """`images` (N×H×W×C) moved `right` and `down` pixels, zeros shifted in."""
    out = np.zeros_like(images)
    h, w = images.shape[1:3]
    rows = slice(max(down, 0), h + min(down, 0))
    cols = slice(max(right, 0), w + min(right, 0))
    out[:, rows, cols] = images[:, max(-down, 0):h + min(-down, 0),
                                max(-right, 0):w + min(-right, 0)]
    return out


def predict_views(model, images, views=VIEWS, each=None) -> np.ndarray:
    """The mean of the model's probabilities over shifted copies;
    `each()` is called after each view (a status line's progress)."""
    found = []
    for v in views:
        found.append(model.predict(shift(images, *v), verbose=0,
                                   batch_size=1000))
        if each:
            each()
    return np.mean(found, axis=0)


_LAYER = []


def shift_layer():
    """The `Shift` layer class, defined (and registered for loading saved
    models) on first use: Keras is imported only after the device is
    chosen."""
    if _LAYER:
        return _LAYER[0]
    import keras

    @keras.saving.register_keras_serializable(package="mnist_talk")
    class Shift(keras.layers.Layer):
        """`shift` as a Keras layer: the images moved `right` and `down`
        pixels, zeros shifted in."""

        def __init__(self, right: int = 0, down: int = 0, **kwargs):
            super().__init__(**kwargs)
            self.right, self.down = int(right), int(down)

        def call(self, images):
            r, d = self.right, self.down
            h, w = images.shape[1:3]
            padded = keras.ops.pad(images, [[0, 0], [max(d, 0), max(-d, 0)],
                                            [max(r, 0), max(-r, 0)], [0, 0]])
            top, left = max(-d, 0), max(-r, 0)
            return padded[:, top:top + h, left:left + w, :]

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {**super().get_config(), "right": self.right,
                    "down": self.down}

    _LAYER.append(Shift)
    return Shift


def __getattr__(name):
    if name == "Shift":
        return shift_layer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def ensemble(networks, views=None, votes=None, name="ensemble"):
    """One Keras model answering as an ensemble: each network's mean
    probabilities over `views` (None: the image alone), then the mean over
    the networks, network `i` counted `votes[i]` times (default once).

    What stage 12 averages in its notebook, kept as one model
    (`saved.keep`); stage 13 passes stage 12's whole ensemble as one
    network with as many votes as it has members.
    """
    import keras

    Shift = shift_layer()
    votes = votes or [1] * len(networks)
    if len(votes) != len(networks):
        raise ValueError(f"{len(votes)} votes for {len(networks)} networks")
    images = keras.Input(shape=(28, 28, 1), name="images")
    answers = []
    for i, (network, count) in enumerate(zip(networks, votes)):
        # each network under a name of its own: members share theirs
        inner = keras.Input(shape=(28, 28, 1), name=f"network_{i + 1}_images")
        network = keras.Model(inner, network(inner), name=f"network_{i + 1}")
        if views:
            looks = [network(Shift(r, d)(images) if (r, d) != (0, 0)
                             else images) for r, d in views]
            answer = (keras.layers.Average()(looks) if len(looks) > 1
                      else looks[0])
        else:
            answer = network(images)
        answers += [answer] * count
    output = (keras.layers.Average()(answers) if len(answers) > 1
              else answers[0])
    return keras.Model(images, output, name=name)
