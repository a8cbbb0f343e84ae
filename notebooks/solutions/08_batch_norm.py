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
# # 08 · Batch normalization: solutions
#
# The exercises are at the end of `notebooks/08_batch_norm.ipynb`: try each
# one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import numpy as np

from mnist_talk import data, demos, models, session, tables

# %% tags=["parameters"]
epochs = 3
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("08_batch_norm", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)
import keras  # after the device is chosen

mnist = data.prepare()  # for its pixel mean and standard deviation
split = mnist.holdout(validation_size, train_size)
practice, split


# %%
def compiled_vgg(batch_norm, learning_rate):
    """Stage 07's network, with or without batch normalization, started
    from the run's seed and compiled for Adam at this learning rate."""
    session.seed_everything(seed)
    model = models.vgg(mnist.mean, mnist.std, batch_norm=batch_norm)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


# %% [markdown]
# ## Exercise 1: a larger learning rate
#
# Four runs: without and with batch normalization, each at Adam's default
# rate and at ten times it. Every run starts from the same seed.

# %%
trained, rows = {}, []
for batch_norm, rate in [(False, 0.001), (False, 0.01),
                         (True, 0.001), (True, 0.01)]:
    model = compiled_vgg(batch_norm, rate)
    history = model.fit(split.x, split.y_hot, epochs=epochs, batch_size=64,
                        verbose=0)
    _, accuracy = model.evaluate(split.x_val, split.y_val_hot, verbose=0)
    trained[batch_norm, rate] = model
    rows.append(["yes" if batch_norm else "no", rate,
                 tables.pct(history.history["accuracy"][-1]),
                 tables.pct(accuracy)])
tables.Table(["batch normalization", "learning rate",
              "training accuracy (last epoch)", "validation accuracy"], rows)

# %% [markdown]
# What to look for: how much the larger rate costs each network. Compare
# the two rows without batch normalization, then the two with it. The
# training accuracy tells whether a run learned at all. Without
# normalization, a large step changes the scale of every block's output,
# and the blocks after it must chase that change; the 100-unit sigmoid
# layer can saturate, where its gradient vanishes. Batch normalization
# resets each block's output to a steady scale at every step, so a
# larger step stays a sensible one. In this run the network without it
# does not learn at all at ten times the rate (its training accuracy stays
# at chance, about 10%), while the normalized one loses less than a point.

# %% [markdown]
# ## Exercise 2: two modes, two answers
#
# In training mode each normalization layer uses the batch's own mean and
# variance; in inference mode, the running averages it kept while
# training. We call the network in inference mode first: a call in
# training mode also moves the running averages a little, as a training
# step does.

# %%
def mode_gap(network, batch):
    """The largest change of a probability between inference and training
    mode on the same images, and how many answers change."""
    inference = keras.ops.convert_to_numpy(network(batch, training=False))
    training = keras.ops.convert_to_numpy(network(batch, training=True))
    return (f"{np.abs(training - inference).max():.3f}",
            int((training.argmax(axis=1) != inference.argmax(axis=1)).sum()))


# %%
images = split.x_val[:64].astype("float32")  # one batch, as in training
untrained = compiled_vgg(True, 0.001)
tables.Table(["network", "largest probability change", "answers changed"],
             [["untrained", *mode_gap(untrained, images)],
              ["trained at 0.001", *mode_gap(trained[True, 0.001], images)]])

# %% [markdown]
# What to look for: the probabilities change between the two modes in
# both networks; the question is why by so much or so little. The
# untrained network's running averages still hold their starting values
# (mean 0, variance 1), far from its activations' real statistics, so in
# inference mode it barely normalizes, and its two modes compute
# different functions. Training pulls the running averages towards the
# statistics of the training batches; the trained network's two modes
# then differ only by how far one batch's statistics stray from the
# average, so the answers that can change are those it was unsure of.
# That is why a batch-normalized network needs enough training steps
# before its held-out accuracy means anything.

# %% [markdown]
# ## Exercise 3: batch normalization by hand, on images

# %%
by_hand = demos.batch_norm(images)
by_keras = keras.layers.BatchNormalization()(images, training=True)
(bool(np.allclose(keras.ops.convert_to_numpy(by_keras), by_hand,
                  atol=1e-4)),
 round(float(by_hand.mean()), 4), round(float(by_hand.std()), 4))

# %% [markdown]
# What to look for: `True`, then a mean near 0 and a standard deviation
# near 1. Both normalize each channel (the last axis) over every other
# axis: here the 64 images and their 28 × 28 pixel positions, one mean
# and one variance for the single grey channel. After a convolution
# there is one pair per filter, shared by all positions, because a
# filter computes the same feature everywhere in the image.
