# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Normalized inputs: solutions
#
# The exercises are at the end of `notebooks/02_normalized.ipynb`: try
# each one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import time

import numpy as np

from mnist_talk import data, models, normalization, session, tables

# %% tags=["parameters"]
epochs = 5
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("02_normalized", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)
import keras  # after the device is chosen

split = data.prepare().holdout(validation_size, train_size)
mean, std = normalization.pixel_stats(split.x)  # of the images we fit on
practice, split


# %%
def linear(scaling, learning_rate=0.001):
    """Stage 02's linear model behind the layer `scaling`, with Adam at
    this rate; every model starts from the same seed."""
    session.seed_everything(seed)
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), scaling,
                              keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def validation_accuracy(model):
    """The share of the held-out images the model gets right."""
    _, accuracy = model.evaluate(split.x_val, split.y_val_hot, verbose=0)
    return f"{accuracy:.2%}"


# %% [markdown]
# ## Exercise 1: divide by 255 instead
#
# The same linear model behind two scalings: stage 02's `(x − mean) / std`
# and `x / 255`. We also show where each puts a blank pixel (0) and a
# full one (255).

# %%
ends = np.array([0.0, 255.0]).reshape(1, 2, 1, 1)  # two pixels
scaling_rows = []
for name, scaling in [("(x − mean) / std", models.normalizer(mean, std)),
                      ("x / 255", keras.layers.Rescaling(1 / 255))]:
    scaled = linear(scaling)
    scaled.fit(split.x, split.y_hot, epochs=epochs, batch_size=32, verbose=0)
    blank, full = keras.ops.convert_to_numpy(scaling(ends)).ravel()
    scaling_rows.append([name, f"{blank:.3f}", f"{full:.3f}",
                         validation_accuracy(scaled)])
tables.Table(["inputs", "blank pixel", "full pixel", "validation accuracy"],
             scaling_rows)

# %% [markdown]
# What to look for: how far apart the two accuracies are, beside the gap
# between either of them and raw pixels (stage 01). For a linear model
# the two scalings can express exactly the same functions:
# `(x − mean) / std` is `x / 255` times 255/std, minus mean/std, and the
# weights and biases can absorb both. What differs is only how far one
# step of Adam moves the scores, and whether the background starts at 0.
# Both bring the inputs to a scale near 1, the fix this stage is about.

# %% [markdown]
# ## Exercise 2: the learning rate, normalized
#
# Stage 01's three rates, on normalized inputs.

# %%
rate_rows = []
for rate in (0.0001, 0.001, 0.01):
    rated = linear(models.normalizer(mean, std), rate)
    rated.fit(split.x, split.y_hot, epochs=epochs, batch_size=32, verbose=0)
    rate_rows.append([rate, validation_accuracy(rated)])
tables.Table(["learning rate", "validation accuracy"], rate_rows)

# %% [markdown]
# What to look for: which rate wins, set beside the same table in stage
# 01's solutions (same seed, same split). Adam moves each weight by about
# the learning rate per step, whatever the size of its gradient, so one
# step changes a score by about the rate times the sum of the inputs'
# sizes: tens of thousands on raw pixels, a few hundred on normalized
# ones. On raw pixels even the smallest rate takes large steps, and the
# three rates end close together; here the steps are smaller, every rate
# does better than on raw pixels, and the largest is the one that
# overshoots and falls behind.

# %% [markdown]
# ## Exercise 3: batch size and time
#
# Each `fit` is timed and divided by the epochs. The first epoch also
# pays for building the training step, the same for both.

# %%
batch_rows = []
for batch_size in (32, 256):
    batched = linear(models.normalizer(mean, std))
    start = time.perf_counter()
    batched.fit(split.x, split.y_hot, epochs=epochs, batch_size=batch_size,
                verbose=0)
    seconds = (time.perf_counter() - start) / epochs
    batch_rows.append([batch_size, -(-len(split.x) // batch_size),
                       f"{seconds:.2f}", validation_accuracy(batched)])
tables.Table(["batch size", "steps per epoch", "seconds per epoch",
              "validation accuracy"], batch_rows)

# %% [markdown]
# What to look for: batches of 256 take an eighth of the steps per epoch.
# Each step does eight times the arithmetic, but a processor does much of
# it side by side, so an epoch usually takes less time. It also makes an
# eighth of the updates, so after the same number of epochs the larger
# batch may be less accurate: compare what each reaches per second of
# training, not only per epoch.
