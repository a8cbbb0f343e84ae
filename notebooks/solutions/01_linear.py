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
# # 01 · A linear model on raw pixels: solutions
#
# The exercises are at the end of `notebooks/01_linear.ipynb`: try each
# one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import numpy as np

from mnist_talk import analysis, data, plots, session, tables

# %% tags=["parameters"]
epochs = 5
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("01_linear", epochs=epochs, train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)
import keras  # after the device is chosen

split = data.prepare().holdout(validation_size, train_size)
practice, split


# %%
def linear(learning_rate=0.001):
    """The notebook's linear model on raw pixels, with Adam at this rate."""
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                              keras.layers.Flatten(), keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


# %% [markdown]
# ## Exercise 1: the learning rate on raw pixels
#
# Three rates a factor of ten apart, each on a fresh model. On raw pixels
# up to 255, the scores move by hundreds per step at a large rate.

# %%
rows = []
for rate in (0.0001, 0.001, 0.01):
    model = linear(rate)
    model.fit(split.x, split.y_hot, epochs=epochs, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(split.x_val, split.y_val_hot, verbose=0)
    rows.append([rate, f"{accuracy:.2%}"])
tables.Table(["learning rate", "validation accuracy"], rows)

# %% [markdown]
# What to look for: which rate does best, and by how much. On raw pixels
# up to 255 one step at a large rate moves the scores by a lot, so many
# answers end up at a saturated softmax; stage 02's normalized inputs
# change which rate works (try the same three there).

# %% [markdown]
# ## Exercise 2: Keras 1's loss by hand
#
# Keras 1 clipped each probability to [10⁻⁷, 1 − 10⁻⁷] before its log.

# %%
def clipped_loss(true_probability):
    """Keras 1's loss for one image, given its true digit's probability."""
    return -np.log(np.clip(true_probability, 1e-7, 1 - 1e-7))


probabilities = np.array([0.9, 1e-3, 1e-7, 1e-12, 0.0])
np.round(clipped_loss(probabilities), 3)

# %% [markdown]
# What to look for: every probability at or below 10⁻⁷ costs the same
# −ln 10⁻⁷ ≈ 16.118, so nudging the weights changes nothing for those
# images: their gradient is zero. 10⁻³ still costs less (6.9) and can
# still be improved.

# %% [markdown]
# ## Exercise 3: its favourite mistake

# %%
model = linear()
model.fit(split.x, split.y_hot, epochs=epochs, batch_size=32, verbose=0)
counts = analysis.confusion_matrix(split.y_val, model.predict(split.x_val,
                                                           verbose=0))
np.fill_diagonal(counts, 0)
true, predicted = np.unravel_index(counts.argmax(), counts.shape)
f"most frequent mistake: {true} read as {predicted}, {counts.max()} times"

# %%
wrong = np.flatnonzero((split.y_val == true)
                       & (model.predict(split.x_val, verbose=0).argmax(1)
                          == predicted))[:10]
plots.show_digits(split.x_val[wrong], [f"{true} → {predicted}"] * len(wrong))

# %% [markdown]
# What to look for: the pair depends on the seed and the run, but it is
# usually two digits that share most of their ink (4 and 9, 3 and 5, 7
# and 9). A linear model scores each pixel on its own, so digits that
# overlap pixel for pixel are the ones it mixes up.
