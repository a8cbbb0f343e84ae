"""The networks that later code reuses, each built in one place.

Stage 01 introduces this (`summary`, its table of a model's layers).
Stage 04 writes its dense network out in its notebook; `deeper()` is the
same network for `make backends` to time (tests/test_models.py checks the
two agree). Stages 07 to 13 write their VGG-style networks out layer by
layer and check them against `vgg()` and `annealed_vgg()` here
(`same_layers`), which the search and the exercises build on.
"""

from __future__ import annotations

#: Filters per block and convolutions per block, as in the talk.
FILTERS = (7, 14, 28, 56)
CONVS = (2, 2, 3, 3)
#: Dropout after each of the four blocks, then before the output (stage 09).
TALK_DROPOUT = (0.1, 0.2, 0.3, 0.4, 0.5)


def normalizer(mean: float, std: float):
    """A Keras layer computing `(x - mean) / std` (stage 02).

    `keras.layers.Normalization` with fixed statistics: the talk's `Lambda`,
    without code that cannot be saved with the model.
    """
    import keras

    return keras.layers.Normalization(mean=mean, variance=std ** 2,
                                      name="normalize")


def deeper(mean: float, std: float, width: int = 200, depth: int = 3):
    """Stage 04's network: `depth` ReLU layers of `width` on normalized
    pixels, then a softmax over the ten digits."""
    import keras

    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)), normalizer(mean, std),
        keras.layers.Flatten(),
        *[keras.layers.Dense(width, activation="relu") for _ in range(depth)],
        keras.layers.Dense(10, activation="softmax")], name="deeper")


def vgg(mean: float, std: float, *, batch_norm: bool = False,
        dropout: tuple | None = None, augmentation=None,
        filters=FILTERS, convs=CONVS, dense: int = 100, name: str = "vgg",
        norm_each_conv: bool = False):
    """The talk's VGG-style stack (stage 07), optionally with its upgrades.

    Blocks of 3×3 "same" ReLU convolutions, each block ending in 2×2
    max-pooling; then a 100-unit sigmoid layer and a 10-way softmax.
    `batch_norm` adds a `BatchNormalization` after each pool (stage 08);
    `dropout` gives five rates, one after each block and one before the
    output (stage 09); `augmentation` is a list of layers placed first,
    active only while training (stage 10). `norm_each_conv` (not in the
    talk; `mnist_series.search` tries it) normalizes after every convolution
    instead, before its ReLU, as VGG networks with batch normalization
    do: convolution without bias, `BatchNormalization`, ReLU.
    """
    import keras
    from keras import layers

    if dropout is not None and len(dropout) != len(filters) + 1:
        raise ValueError(f"dropout needs {len(filters) + 1} rates")
    if norm_each_conv and batch_norm:
        raise ValueError("norm_each_conv already normalizes after every "
                         "convolution: give batch_norm=False with it")
    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=(28, 28, 1)))
    for layer in augmentation or []:
        model.add(layer)
    model.add(normalizer(mean, std))
    for block, (f, n) in enumerate(zip(filters, convs)):
        for _ in range(n):
            if norm_each_conv:
                model.add(layers.Conv2D(f, 3, padding="same",
                                        use_bias=False))
                model.add(layers.BatchNormalization())
                model.add(layers.Activation("relu"))
            else:
                model.add(layers.Conv2D(f, 3, padding="same",
                                        activation="relu"))
        model.add(layers.MaxPooling2D(2))
        if batch_norm:
            model.add(layers.BatchNormalization())
        if dropout is not None:
            model.add(layers.Dropout(dropout[block]))
    model.add(layers.Flatten())
    model.add(layers.Dense(dense, activation="sigmoid"))
    if dropout is not None:
        model.add(layers.Dropout(dropout[-1]))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def augmentation(rotation_degrees: float = 10, zoom: float = 0.1,
                 shear: float = 0.1, seed: int | None = None,
                 translate: float = 0.0, elastic: float = 0.0) -> list:
    """The talk's augmentation, as a list of layers to put first (stage 10).

    One `augment.RandomAffine`: Keras 3's rotation, zoom and horizontal
    shear for the talk's ranges, drawn per image and applied in one warp
    that compiles on every backend. `translate` adds moves of up to that
    fraction of the image, `elastic` an elastic distortion of that
    strength (neither in the talk; `mnist_series.search` tries them).
    """
    from .augment import RandomAffine

    return [RandomAffine(rotation_degrees, zoom, shear, seed=seed,
                         translate=translate, elastic=elastic)]


def annealing_schedule(epochs: int, steps_per_epoch: int,
                       warmup_epochs: float = 1):
    """Stage 11's learning rate: one epoch of warm-up, then a cosine decay.

    From 1e-4 up to 3e-3 over the first epoch (or `warmup_epochs`), then
    down to a thousandth of the peak by the end of training.
    """
    import keras

    warmup = max(1, round(warmup_epochs * steps_per_epoch))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=1e-4, warmup_target=3e-3, warmup_steps=warmup,
        decay_steps=max(1, epochs * steps_per_epoch - warmup), alpha=1e-3)


def cyclic_schedule(epochs: int, steps_per_epoch: int, cycles: int,
                    warmup_epochs: float = 0.5):
    """`annealing_schedule` run `cycles` times in `epochs`: warm-up and
    cosine decay, then again from the start (a snapshot ensemble keeps the
    network at the end of each cycle)."""
    import keras

    if cycles < 1 or epochs % cycles:
        raise ValueError(f"{epochs} epochs do not split into {cycles} equal "
                         "cycles: choose epochs a multiple of cycles")
    length = epochs // cycles * steps_per_epoch
    one = annealing_schedule(epochs // cycles, steps_per_epoch, warmup_epochs)

    class Cyclic(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return one(keras.ops.mod(step, length))

        def get_config(self):
            return {"epochs": epochs, "steps_per_epoch": steps_per_epoch,
                    "cycles": cycles, "warmup_epochs": warmup_epochs}

    return Cyclic()


def annealed_vgg(mean: float, std: float, epochs: int, steps_per_epoch: int,
                 seed: int | None = None, filters=FILTERS,
                 use_ema: bool = False, translate: float = 0.0,
                 cycles: int = 1, elastic: float = 0.0,
                 norm_each_conv: bool = False, affine: bool = True,
                 dropout: tuple = TALK_DROPOUT):
    """Stage 11's whole recipe as one compiled model (stages 12 and 13).

    The VGG-style network with batch normalization, the talk's dropout and
    augmentation, trained by Adam on `annealing_schedule`. `filters`,
    `translate` (see `augmentation`) and `use_ema` (Adam keeps a moving
    average of the weights and ends the training with it) are the
    variations `mnist_series.search` compares; so are `elastic` (see
    `augmentation`) and `cycles`, which runs the schedule that many times
    over (`cyclic_schedule`), and `norm_each_conv` (see `vgg`), which
    moves batch normalization from after each pool to after every
    convolution. `affine=False` drops the talk's rotation, zoom and shear,
    leaving only what `translate` and `elastic` add; `dropout` replaces
    the talk's five rates.
    """
    import keras

    model = vgg(mean, std, batch_norm=not norm_each_conv,
                dropout=dropout,
                augmentation=augmentation(
                    **({} if affine else {"rotation_degrees": 0, "zoom": 0,
                                          "shear": 0}),
                    seed=seed, translate=translate, elastic=elastic),
                filters=filters, norm_each_conv=norm_each_conv)
    model.compile(optimizer=keras.optimizers.Adam(
                      learning_rate=annealing_schedule(epochs,
                                                       steps_per_epoch)
                      if cycles == 1 else
                      cyclic_schedule(epochs, steps_per_epoch, cycles),
                      use_ema=use_ema),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def same_layers(a, b) -> bool:
    """Whether two networks have the same layers in the same order, each
    with the same settings, their names aside (stages 07 to 13 check the
    network written out in the notebook against the builder here)."""
    def described(model):
        found = []
        for layer in model.layers:
            config = dict(layer.get_config())
            config.pop("name", None)
            found.append((type(layer).__name__, config))
        return found

    return described(a) == described(b)


def summary(model):
    """`model.summary()` in a table that fits a slide (stage 01).

    The table is `summary.Summary`, loaded only where a notebook shows one
    (stages 01 to 11).
    """
    from .summary import Summary

    return Summary(model)
