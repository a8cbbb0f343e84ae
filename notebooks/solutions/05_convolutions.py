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
# # 05 · Convolutions: solutions
#
# The exercises are at the end of `notebooks/05_convolutions.ipynb`: try
# each one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import time

import numpy as np

from mnist_talk import (data, demos, models, normalization, plots, session,
                        tables)

# %% tags=["parameters"]
epochs = 5
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("05_convolutions", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)
import keras  # after the device is chosen

split = data.prepare().holdout(validation_size, train_size)
mean, std = normalization.pixel_stats(split.x)  # of the images we fit on
practice, split


# %%
def convolutions(kernel_size=3):
    """Stage 05's network, its three convolutions of 7 filters with
    kernels of `kernel_size` × `kernel_size`; every network starts from
    the same seed."""
    session.seed_everything(seed)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)), models.normalizer(mean, std),
        *[keras.layers.Conv2D(7, kernel_size, padding="same",
                              activation="relu") for _ in range(3)],
        keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def validation_accuracy(model):
    """The share of the held-out images the model gets right."""
    _, accuracy = model.evaluate(split.x_val, split.y_val_hot, verbose=0)
    return f"{accuracy:.2%}"


# %% [markdown]
# ## Exercise 1: parameters by hand
#
# The image has one channel; each convolution's filters are the channels
# of the next one's input.

# %%
network = convolutions()
conv_rows, channels = [], 1
for layer in network.layers:
    if isinstance(layer, keras.layers.Conv2D):
        by_hand = (3 * 3 * channels + 1) * layer.filters
        conv_rows.append([layer.name, channels, layer.filters, by_hand,
                          layer.count_params()])
        channels = layer.filters
tables.Table(["layer", "in", "out", "(3·3·in + 1)·out", "count_params()"],
             conv_rows)

# %% [markdown]
# What to look for: the two columns agree. The first convolution reads
# one channel, so it is the smallest; the other two read the 7 channels
# the convolution before wrote. None of these counts depends on the size
# of the image: the same 3 × 3 weights slide over all of it.

# %% [markdown]
# ## Exercise 2: a larger kernel
#
# With `padding="same"` every convolution keeps 28 × 28 × 7, so the dense
# layer has the same inputs; only the convolutions grow, from 3 · 3 to
# 5 · 5 weights per input channel.

# %%
kernel_rows = []
for kernel_size in (3, 5):
    kernelled = convolutions(kernel_size)
    start = time.perf_counter()
    kernelled.fit(split.x, split.y_hot, epochs=epochs, batch_size=64,
                  verbose=0)
    seconds = (time.perf_counter() - start) / epochs
    kernel_rows.append([f"{kernel_size} × {kernel_size}",
                        f"{kernelled.count_params():,}", f"{seconds:.1f}",
                        validation_accuracy(kernelled)])
tables.Table(["kernel", "parameters", "seconds per epoch",
              "validation accuracy"], kernel_rows)

# %% [markdown]
# What to look for: the parameters grow by far less than the 25/9 of the
# convolutions, because the dense layer holds most of them and stays the
# same. The time grows more: every output pixel of every convolution now
# sums 25 products per channel instead of 9. Whether the accuracy moves
# is the question: three stacked 3 × 3 convolutions already see a 7 × 7
# patch around each pixel, three 5 × 5 ones a 13 × 13 patch, and the
# dense layer after them sees the whole image either way.

# %% [markdown]
# ## Exercise 3: NumPy against Keras, unpadded
#
# A Sobel kernel, which lights up where ink starts or stops from left to
# right. `Conv2D(1, 3)` pads nothing (`padding="valid"`), so it only
# computes the 26 × 26 positions where the kernel fits inside the image.

# %%
sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
digit = split.x[0, :, :, 0].astype(np.float32)
by_numpy = demos.convolve_3x3(digit, sobel)  # zero-padded
by_numpy.shape

# %%
edge = keras.layers.Conv2D(1, 3)
edge.build((None, 28, 28, 1))
edge.set_weights([sobel.reshape(3, 3, 1, 1), np.zeros(1, np.float32)])
unpadded = edge(digit[None, :, :, None])  # a batch of one image
by_keras = keras.ops.convert_to_numpy(unpadded)[0, :, :, 0]  # 26 × 26
by_keras.shape, np.allclose(by_keras, by_numpy[1:-1, 1:-1])

# %%
plots.show_digits([digit, by_numpy, by_keras],
                  ["digit", "NumPy, 28 × 28", "Keras, 26 × 26"], size=2.2)

# %% [markdown]
# What to look for: `True`. Keras's output pixel (i, j) is NumPy's
# (i + 1, j + 1): the window that NumPy centres on a pixel, Keras names
# by its top-left corner. Only NumPy's outer ring has no counterpart:
# there it reads zeros from beyond the border. On MNIST, whose digits
# sit in an empty frame, that ring is almost blank anyway.
