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
# # 04 · Deeper, with ReLU: solutions
#
# The exercises are at the end of `notebooks/04_deeper.ipynb`: try each
# one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import time

from mnist_talk import data, models, normalization, session, tables

# %% tags=["parameters"]
epochs = 5
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("04_deeper", epochs=epochs, train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)

split = data.prepare().holdout(validation_size, train_size)
mean, std = normalization.pixel_stats(split.x)  # of the images we fit on
practice, split


# %%
def deeper(depth=3):
    """Stage 04's network, `depth` ReLU layers of 200, compiled as in the
    notebook; every network starts from the same seed."""
    session.seed_everything(seed)
    model = models.deeper(mean, std, depth=depth)
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def validation_accuracy(model):
    """The share of the held-out images the model gets right."""
    _, accuracy = model.evaluate(split.x_val, split.y_val_hot, verbose=0)
    return f"{accuracy:.2%}"


def training_accuracy(model):
    """The share of the images it was fitted on that the model gets right,
    measured after training as the validation accuracy is."""
    _, accuracy = model.evaluate(split.x, split.y_hot, verbose=0)
    return f"{accuracy:.2%}"


# %% [markdown]
# ## Exercise 1: batch size against time
#
# The same network from the same seed, three batch sizes, the same
# epochs. Each `fit` is timed and divided by the epochs; the first epoch
# also pays for building the training step.

# %%
batch_rows = []
for batch_size in (32, 128, 512):
    batched = deeper()
    start = time.perf_counter()
    batched.fit(split.x, split.y_hot, epochs=epochs, batch_size=batch_size,
                verbose=0)
    seconds = (time.perf_counter() - start) / epochs
    batch_rows.append([batch_size, -(-len(split.x) // batch_size),
                       f"{seconds:.2f}", validation_accuracy(batched)])
tables.Table(["batch size", "steps per epoch", "seconds per epoch",
              "validation accuracy"], batch_rows)

# %% [markdown]
# What to look for: seconds per epoch against steps per epoch. Each step
# has a fixed cost (launching the work, updating every weight) on top
# of its arithmetic, so fewer, larger steps take less time per epoch,
# until the processor is saturated: from there a step four times larger
# takes about four times longer, and the epoch no less. Fewer steps are
# also fewer updates, so after the same epochs the largest batch has
# learned from the fewest. The best batch size reaches a given accuracy
# in the least time; stage 04 chose 128 for a CPU.

# %% [markdown]
# ## Exercise 2: how deep?
#
# The prediction first: 784 × 200 + 200 for the first layer, 200 × 200 +
# 200 for each layer after it, 200 × 10 + 10 for the output.

# %%
depths = (1, 3, 5)
first, each_more, output = 784 * 200 + 200, 200 * 200 + 200, 200 * 10 + 10
expected = {depth: first + (depth - 1) * each_more + output
            for depth in depths}
(first, each_more, output), expected

# %%
depth_rows = []
for depth in depths:
    deep = deeper(depth)
    deep.fit(split.x, split.y_hot, epochs=epochs, batch_size=128, verbose=0)
    depth_rows.append([depth, f"{expected[depth]:,}",
                       f"{deep.count_params():,}",
                       training_accuracy(deep), validation_accuracy(deep)])
tables.Table(["layers of 200", "predicted", "count_params()",
              "training accuracy", "validation accuracy"], depth_rows)

# %% [markdown]
# What to look for: the counts agree, and each extra layer adds the same
# 40,200 parameters, fewer than the first layer's 157,000. Then the two
# accuracies, both measured after training: training accuracy on the
# images the network was fitted on, validation accuracy on images it has
# not seen. At these settings depth alone does not help: from one layer
# to five, training and validation accuracy both fall, and the gap
# between them stays within about a point. Dense layers see the image as
# 784 unrelated numbers, however many layers there are, and in 5 epochs
# the deeper networks, with more weights to set, get no more steps than
# the shallow one. Stage 04 changed four things at once; of its gain over
# stage 03, this run credits none to depth.
