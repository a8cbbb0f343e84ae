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
# # 07 · VGG style: solutions
#
# The exercises are at the end of `notebooks/07_vgg.ipynb`: try each one
# there first, and write down your prediction before you run it. Every
# comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
from mnist_talk import data, models, normalization, session, tables

# %% tags=["parameters"]
epochs = 4
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"

# %%
practice = session.practise("07_vgg", epochs=epochs, train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)
import keras  # after the device is chosen

split = data.prepare().holdout(validation_size, train_size)
mean, std = normalization.pixel_stats(split.x)  # of the images we fit on
practice, split


# %% [markdown]
# ## Exercise 1: twice the filters
#
# The count by hand: every convolution holds (3·3·in + 1)·out, each
# block's filters are the next block's input channels, and four 2 × 2
# poolings take 28 × 28 down to 1 × 1 (28 → 14 → 7 → 3 → 1) before the
# dense layers.

# %%
def vgg_parameters(filters, convs=models.CONVS, dense=100):
    """The VGG network's parameter count, worked out by hand."""
    count, channels = 0, 1
    for out, repeats in zip(filters, convs):
        for _ in range(repeats):
            count += (3 * 3 * channels + 1) * out
            channels = out
    side = 28 // 2 ** len(filters)  # what is left after the poolings
    return count + (side * side * channels + 1) * dense + (dense + 1) * 10


# %%
doubled = tuple(2 * f for f in models.FILTERS)
predicted = [vgg_parameters(models.FILTERS), vgg_parameters(doubled)]
counted = [models.vgg(mean, std, filters=filters).count_params()
           for filters in (models.FILTERS, doubled)]
tables.Table(["filters", "predicted", "count_params()"],
             [[models.FILTERS, f"{predicted[0]:,}", f"{counted[0]:,}"],
              [doubled, f"{predicted[1]:,}", f"{counted[1]:,}"],
              ["ratio", f"{predicted[1] / predicted[0]:.2f}",
               f"{counted[1] / counted[0]:.2f}"]])


# %% [markdown]
# What to look for: the two columns agree, and the ratio sits a little
# under four. Inside the stack, doubling the filters doubles both a
# convolution's `in` and its `out`, so its 3·3·in·out weights grow four
# times. Three parts grow less: the first convolution reads the image's
# single channel (its `in` stays 1), the biases and the dense layer after
# the last block grow with `out` alone, and the 10-way output does not
# grow at all. The convolutions hold most of the weights, so the ratio
# stays close to four.

# %% [markdown]
# ## Exercise 2: SGD with momentum against Adam
#
# The same network from the same seed, two optimizers. SGD with momentum
# 0.9, starting at 0.01, is how the original VGG networks were trained.
# Passing the held-out images as `validation_data` only scores them
# after each epoch; nothing is fitted on them.

# %%
def compiled_vgg(optimizer):
    """Stage 07's network, compiled with `optimizer`, from the seed."""
    session.seed_everything(seed)
    model = models.vgg(mean, std)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


# %%
curves = {}
for name, optimizer in [
        ("Adam", keras.optimizers.Adam()),
        ("SGD, momentum 0.9", keras.optimizers.SGD(0.01, momentum=0.9))]:
    history = compiled_vgg(optimizer).fit(
        split.x, split.y_hot, epochs=epochs, batch_size=64, verbose=0,
        validation_data=(split.x_val, split.y_val_hot))
    curves[name] = history.history["val_accuracy"]
tables.Table(["epoch", *curves],
             [[epoch, *(f"{accuracy:.2%}" for accuracy in row)]
              for epoch, row in enumerate(zip(*curves.values()), 1)])

# %% [markdown]
# What to look for: which optimizer leads after the first epoch, and
# whether the other closes the gap by the last. SGD moves every weight by
# the same learning rate times its gradient, and momentum lets steps in a
# steady direction build up to about ten times that (1 / (1 − 0.9)).
# Adam scales each weight's step by the recent size of its own
# gradients, so the weights whose gradients are small, in this ten
# convolutions deep network with a sigmoid layer on top, still move.
# SGD's rate has to be chosen for the network; Adam's default of 0.001
# works for many.
