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
# # 03 · One hidden layer: solutions
#
# The exercises are at the end of `notebooks/03_hidden_layer.ipynb`: try
# each one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
from mnist_talk import data, models, normalization, session, tables

# %% tags=["parameters"]
epochs = 5
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("03_hidden_layer", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)
import keras  # after the device is chosen

split = data.prepare().holdout(validation_size, train_size)
mean, std = normalization.pixel_stats(split.x)  # of the images we fit on
practice, split


# %%
def hidden(width=100, activation="sigmoid"):
    """Stage 03's network with `width` hidden units of `activation`;
    every network starts from the same seed."""
    session.seed_everything(seed)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)), models.normalizer(mean, std),
        keras.layers.Flatten(),
        keras.layers.Dense(width, activation=activation),
        keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def validation_accuracy(model):
    """The share of the held-out images the model gets right."""
    _, accuracy = model.evaluate(split.x_val, split.y_val_hot, verbose=0)
    return f"{accuracy:.2%}"


# %% [markdown]
# ## Exercise 1: how wide?
#
# First the prediction, before any network exists: each hidden unit has
# 784 weights and a bias, and each of the 10 outputs has one weight per
# hidden unit and a bias.

# %%
widths = (25, 100, 400)
predicted = {width: 784 * width + width + 10 * width + 10
             for width in widths}
per_unit = 784 + 1 + 10  # its weights in, its bias, its weights out
per_unit, predicted

# %%
width_rows = []
for width in widths:
    wide = hidden(width)
    wide.fit(split.x, split.y_hot, epochs=epochs, batch_size=32, verbose=0)
    width_rows.append([width, f"{predicted[width]:,}",
                       f"{wide.count_params():,}", validation_accuracy(wide)])
tables.Table(["hidden units", "predicted", "count_params()",
              "validation accuracy"], width_rows)

# %% [markdown]
# What to look for: the two counts agree (the normalization layer's mean
# and variance are fixed, not parameters). The count grows in proportion
# to the width, 795 per hidden unit, so 400 units hold nearly sixteen
# times the parameters of 25. Compare what each step buys: the error
# rate the validation accuracy implies, from 25 to 100 units and from
# 100 to 400. More units can only help if the data and the epochs are
# enough to train them.

# %% [markdown]
# ## Exercise 2: sigmoid or ReLU
#
# Stage 03's 100 hidden units, once with sigmoids and once with ReLU,
# from the same seed.

# %%
activation_rows = []
for activation in ("sigmoid", "relu"):
    activated = hidden(activation=activation)
    trained = activated.fit(split.x, split.y_hot, epochs=epochs,
                            batch_size=32, verbose=0)
    activation_rows.append([activation,
                            f"{trained.history['loss'][-1]:.4f}",
                            validation_accuracy(activated)])
tables.Table(["hidden activation", "training loss, last epoch",
              "validation accuracy"], activation_rows)

# %% [markdown]
# What to look for: which one's training loss ends lower, and whether the
# validation accuracy follows. A sigmoid unit's gradient is at most 1/4
# and fades for large inputs; a ReLU unit passes the gradient on whole
# wherever it is active. With a single hidden layer the gradient crosses
# only one such unit on its way back, so the difference can be small;
# stage 04 stacks three layers, where it adds up.
