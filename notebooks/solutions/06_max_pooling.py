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
# # 06 · Max-pooling: solutions
#
# The exercises are at the end of `notebooks/06_max_pooling.ipynb`: try
# each one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import numpy as np

from mnist_talk import data, models, normalization, plots, session, tables

# %% tags=["parameters"]
epochs = 5
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("06_max_pooling", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)
import keras  # after the device is chosen

split = data.prepare().holdout(validation_size, train_size)
mean, std = normalization.pixel_stats(split.x)  # of the images we fit on
practice, split


# %% [markdown]
# ## Exercise 1: max-pooling 3 × 3 in NumPy
#
# 28 = 9 × 3 + 1: nine windows fit across, and one row and one column are
# left over. We crop them, then give each window two axes of its own.

# %%
def max_pool_3x3(image):
    """3 × 3 max-pooling with stride 3 of a 2-D array; leftover rows and
    columns are dropped, as Keras's `padding="valid"` does."""
    image = np.asarray(image)
    h, w = image.shape[0] // 3 * 3, image.shape[1] // 3 * 3
    windows = image[:h, :w].reshape(h // 3, 3, w // 3, 3)
    return windows.max(axis=(1, 3))


# %%
digits = split.x[:5].astype(np.float32)
ours = np.stack([max_pool_3x3(image[:, :, 0]) for image in digits])
theirs = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(3)(digits))
ours.shape, theirs.shape, np.allclose(ours, theirs[..., 0])

# %%
plots.show_digits([*digits, *ours], ["28 × 28"] * 5 + ["9 × 9"] * 5,
                  cols=5, size=1.8)


# %% [markdown]
# What to look for: `True`, and 9 × 9 images. The reshape turns rows
# into (window row, row within the window) and columns likewise, so the
# largest value over axes 1 and 3 is the largest of each window. With a
# window of 3 the digit shrinks faster than with stage 06's 2 × 2: nine
# pixels become one, so strokes thicken and narrow gaps close.

# %% [markdown]
# ## Exercise 2: average instead of max
#
# Stage 06's network with the pooling layer passed in, from the same
# seed each time.

# %%
def pooled_network(pooling):
    """Stage 06's network with `pooling(2)` after each of its first three
    convolutions."""
    session.seed_everything(seed)
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                              models.normalizer(mean, std)])
    for filters in (7, 14, 28):
        model.add(keras.layers.Conv2D(filters, 3, padding="same",
                                      activation="relu"))
        model.add(pooling(2))
    model.add(keras.layers.Conv2D(28, 3, padding="same", activation="relu"))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def validation_accuracy(model):
    """The share of the held-out images the model gets right."""
    _, accuracy = model.evaluate(split.x_val, split.y_val_hot, verbose=0)
    return f"{accuracy:.2%}"


# %%
pooling_rows = []
for pooling in (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D):
    pooler = pooled_network(pooling)
    pooler.fit(split.x, split.y_hot, epochs=epochs, batch_size=64, verbose=0)
    pooling_rows.append([pooling.__name__, f"{pooler.count_params():,}",
                         validation_accuracy(pooler)])
tables.Table(["pooling", "parameters", "validation accuracy"], pooling_rows)

# %% [markdown]
# What to look for: the same parameter count, since pooling has no
# weights, then the gap between the two accuracies. Max-pooling passes on
# the strongest response in each block, wherever in the block it was;
# averaging dilutes a short stroke with the background around it. Each
# pooling also decides where the gradient goes: to the one largest input
# of each block, or a quarter to each.
