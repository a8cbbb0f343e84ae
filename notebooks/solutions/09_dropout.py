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
# # 09 · Dropout: solutions
#
# The exercises are at the end of `notebooks/09_dropout.ipynb`: try each
# one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import numpy as np

from mnist_talk import data, demos, models, plots, session, tables

# %% tags=["parameters"]
epochs = 3
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("09_dropout", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)

mnist = data.prepare()  # for its pixel mean and standard deviation
split = mnist.holdout(validation_size, train_size)
practice, split


# %%
def compiled_vgg(dropout):
    """Stage 08's network with these five dropout rates (None: no
    dropout), started from the run's seed, compiled for Adam."""
    session.seed_everything(seed)
    model = models.vgg(mnist.mean, mnist.std, batch_norm=True,
                       dropout=dropout)
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


# %% [markdown]
# ## Exercise 1: how much dropout?
#
# No dropout, the talk's rates, and each of the talk's rates plus 0.2.

# %%
larger = tuple(round(min(rate + 0.2, 0.9), 2)
               for rate in models.TALK_DROPOUT)
models.TALK_DROPOUT, larger

# %% [markdown]
# The training accuracy in the history is measured while training, with
# dropout on and the weights still moving. To compare like with like we
# also score the fitted images again afterwards, with dropout off, as the
# held-out images are scored.

# %%
rows = []
for name, rates in [("none", None), ("the talk's", models.TALK_DROPOUT),
                    ("larger", larger)]:
    model = compiled_vgg(rates)
    history = model.fit(split.x, split.y_hot, epochs=epochs, batch_size=64,
                        verbose=0)
    _, fitted = model.evaluate(split.x, split.y_hot, verbose=0)
    _, held_out = model.evaluate(split.x_val, split.y_val_hot, verbose=0)
    rows.append([name, tables.pct(history.history["accuracy"][-1]),
                 tables.pct(fitted), tables.pct(held_out),
                 f"{fitted - held_out:+.2%}"])
tables.Table(["dropout", "training (dropout on)", "training (dropout off)",
              "validation", "gap"], rows)

# %% [markdown]
# What to look for: the gap, training accuracy with dropout off minus
# validation accuracy, from no dropout to the larger rates; then the
# validation column. Dropout makes memorising the fitted images harder,
# so the gap should narrow as the rates grow; but a network that drops
# too much also learns more slowly, and in a few epochs that can cost
# more validation accuracy than the narrower gap gains. The first column
# usually reads lower than the second: it is counted while a share of
# the units is missing and the weights still move, so it says little
# about overfitting. Train for more epochs to watch the gaps open up.

# %% [markdown]
# ## Exercise 2: dropout keeps the mean
#
# One held-out digit, pixels scaled to [0, 1], dropped at rate 0.5 with a
# different seed for each draw; then the average of the first n draws.

# %%
def mean_of_draws(image, draws, rate=0.5):
    """The average of `draws` dropout draws of `image` (seeds 0, 1, ...)."""
    return np.mean([demos.dropout(image, rate, rng=i) for i in range(draws)],
                   axis=0)


# %%
digit = split.x_val[0, ..., 0] / 255
counts = (1, 10, 100, 1_000, 10_000)
means = {n: mean_of_draws(digit, n) for n in counts}
tables.Table(["draws averaged", "largest difference from the digit"],
             [[f"{n:,}", f"{np.abs(m - digit).max():.3f}"]
              for n, m in means.items()])

# %%
plots.show_digits([digit, *means.values()],
                  ["digit"] + [f"mean of {n:,}" for n in counts])

# %% [markdown]
# What to look for: the largest difference shrinks as more draws are
# averaged, and the picture of the mean turns from speckles back into
# the digit. Each draw keeps a pixel with probability 0.5 and doubles
# it, so its expected value is the pixel itself; the spread of an
# average of n draws falls like 1/√n, so ten times more draws cut the
# difference by about a factor of three. That is why a network trained
# with dropout needs no rescaling at test time: on average, each unit
# already passes on what it would without dropout.
