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
# # 11 · Learning-rate annealing: solutions
#
# The exercises are at the end of `notebooks/11_annealing.ipynb`: try each
# one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import numpy as np

from mnist_talk import data, models, plots, session, tables

# %% tags=["parameters"]
epochs = 3
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("11_annealing", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)
import keras  # after the device is chosen

mnist = data.prepare()  # for its pixel mean and standard deviation
split = mnist.holdout(validation_size, train_size)
practice, split


# %%
def compiled_vgg(learning_rate):
    """Stage 10's network, started from the run's seed, compiled for Adam
    at this learning rate: a number or a schedule."""
    session.seed_everything(seed)
    model = models.vgg(mnist.mean, mnist.std, batch_norm=True,
                       dropout=models.TALK_DROPOUT,
                       augmentation=models.augmentation(seed=seed))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


# %% [markdown]
# ## Exercise 1: a constant rate against the schedule
#
# The same network, seed and epochs: Adam's default rate throughout, and
# stage 11's schedule stretched over our `epochs`. We ask Keras for the
# validation accuracy after every epoch.

# %%
batch_size = 128  # as in stages 10 and 11
steps_per_epoch = -(-len(split.x) // batch_size)  # ceiling division
schedule = models.annealing_schedule(epochs, steps_per_epoch)
histories = {}
for name, rate in [("constant 0.001", 0.001),
                   ("warm-up and cosine", schedule)]:
    histories[name] = compiled_vgg(rate).fit(
        split.x, split.y_hot, epochs=epochs, batch_size=batch_size,
        validation_data=(split.x_val, split.y_val_hot), verbose=0).history

# %%
tables.Table(["epoch"] + [f"{name}: validation" for name in histories],
             [[epoch + 1] + [tables.pct(h["val_accuracy"][epoch])
                             for h in histories.values()]
              for epoch in range(epochs)])

# %% [markdown]
# What to look for: the last row, and how the two columns move on the
# way. The schedule starts slowly (its warm-up begins at a tenth of the
# constant rate), so it can trail early on; it spends the middle of
# training above the constant rate and ends far below it, where the
# weights settle instead of jumping around a good region. In this run it
# leads from the first epoch and ends ahead, while both curves are still
# rising; the longer the training, the more the small steps at the end
# have to settle.

# %% [markdown]
# ## Exercise 2: the schedule in numbers
#
# The rate at a few moments of the same schedule, beside Adam's constant
# 0.001, and then all of it.

# %%
steps = epochs * steps_per_epoch
moments = {"start": 0, "end of the warm-up": steps_per_epoch,
           "middle": steps // 2, "last step": steps - 1}
tables.Table(["moment", "step", "learning rate", "÷ 0.001"],
             [[name, step, f"{float(schedule(step)):.2e}",
               f"{float(schedule(step)) / 0.001:.3g}"]
              for name, step in moments.items()])

# %%
rates = np.array([float(schedule(step)) for step in range(steps)])
f"above the constant 0.001 for {(rates > 0.001).mean():.0%} of the steps"

# %%
plots.learning_rate(schedule, steps, steps_per_epoch)

# %% [markdown]
# What to look for: the start (1e-4) and the peak at the end of the
# warm-up (3e-3) are the schedule's own settings, whatever `epochs` is;
# the middle and the end depend on how long training lasts, since the
# cosine stretches over every step after the warm-up and ends at a
# thousandth of the peak. The share of steps above the constant rate is
# where the schedule explores faster than Adam's default; the rest is
# where it settles. Run it again with more `epochs`: the warm-up stays
# one epoch, and becomes a smaller part of the whole.
