# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   rise:
#     scroll: false
#     theme: white
#     transition: none
# ---
# %% [markdown] slideshow={"slide_type": "slide"}
# # 09 · Dropout
#
# While training, we switch off a random share of the units at every step,
# so the network cannot lean on any single one of them: a cheap, strong
# defence against overfitting.

# %% [markdown] slideshow={"slide_type": "notes"}
# By stage 08 the training loss is near zero and still falling: longer
# training would start to memorise the training images. Dropout is the
# first of three regularisers the talk uses.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Setup
#
# Run these cells first: the helpers, this run's settings (papermill
# sets the `parameters` cell), then the device and the seed.

# %% slideshow={"slide_type": "-"}
import numpy as np

from mnist_talk import data, demos, evidence, models, session, tables

# %% tags=["parameters"] slideshow={"slide_type": "-"}
epochs = 5  # as in the talk
batch_size = 64  # the talk used 32; 64 halves the steps on a CPU
train_size = 60_000  # how many training images to fit on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"
accuracy_floor = 0.985  # the notebook fails below this test accuracy
results_dir = "../results"

# %% slideshow={"slide_type": "subslide"}
run = session.start("09_dropout", epochs=epochs, batch_size=batch_size,
                    train_size=train_size, seed=seed, device=device,
                    accuracy_floor=accuracy_floor, results_dir=results_dir)
import keras  # after the device is chosen: Keras starts its backend on import
from keras import layers

run

# %% tags=["nbval-check-output"] slideshow={"slide_type": "-"}
mnist = data.prepare()
mnist

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What is dropout?
#
# Zero each value with probability `rate`, and scale the survivors by
# `1 / (1 - rate)` so that the expected sum stays the same. At test time
# nothing is dropped and nothing needs rescaling.

# %% [markdown] slideshow={"slide_type": "notes"}
# A slip of the talk to correct here: its NumPy dropout zeroes values and
# does not rescale the rest, so a layer would see smaller sums in training
# than at test time. Keras's `Dropout`, like ours above, scales the
# survivors by 1 / (1 − rate) while training ("inverted dropout"); the
# original paper scaled the weights by (1 − rate) at test time instead
# (Srivastava et al., "Dropout", 2014). Either way, training and testing
# see the same expected sums.

# %% tags=["nbval-check-output"] slideshow={"slide_type": "fragment"}
demos.dropout(np.ones((4, 8)), rate=0.5, rng=0)

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "subslide"}
ones = np.ones((1, 100_000), dtype="float32")
dropped = keras.ops.convert_to_numpy(layers.Dropout(0.5)(ones, training=True))
(round(float((dropped == 0).mean()), 2), round(float(dropped.mean()), 2),
 np.array_equal(keras.ops.convert_to_numpy(layers.Dropout(0.5)(ones)), ones))

# %% [markdown] tags=["cut"] slideshow={"slide_type": "notes"}
# Keras's `Dropout` does the same: about half the values are zero, the mean
# stays 1, and outside training it passes its input through unchanged.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The model
#
# Stage 08's network with dropout after each block, rising from 0.1 to 0.4
# with depth, and 0.5 before the output, as in the talk.

# %% tags=["nbval-check-output"] slideshow={"slide_type": "fragment"}
models.TALK_DROPOUT

# %% slideshow={"slide_type": "fragment"}
model = models.vgg(mnist.mean, mnist.std, batch_norm=True,
                   dropout=models.TALK_DROPOUT)
model.compile(optimizer="adam", loss="categorical_crossentropy",
              metrics=["accuracy"])

# %% tags=["cut"] slideshow={"slide_type": "subslide"}
models.summary(model)

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "fragment"}
model.count_params()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training
#
# Adam, five epochs, batches of 64.

# %% slideshow={"slide_type": "fragment"}
history = model.fit(
    mnist.x_train[:train_size], mnist.y_train_hot[:train_size],
    epochs=epochs, batch_size=batch_size,
    validation_data=(mnist.x_test, mnist.y_test_hot),
    verbose=0, callbacks=[run.live()])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Result

# %% slideshow={"slide_type": "fragment"}
test_loss, test_accuracy = model.evaluate(
    mnist.x_test, mnist.y_test_hot, verbose=0)
run.finish(test_accuracy, model.count_params())

# %% slideshow={"slide_type": "fragment"}
tables.ladder(results_dir, ["08_batch_norm", "09_dropout"])

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## In numbers

# %% tags=["cut"] slideshow={"slide_type": "-"}
evidence.summary(results_dir, "09_dropout", history, before="08_batch_norm")

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## Across seeds
#
# Stage 08 and stage 09 in each TensorFlow run the
# repository holds (seed 1 is the committed full run, `results/`;
# seeds 2 and 3 are in `results/runs/`), in test errors.

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "-"}
evidence.across_seeds("08_batch_norm", "09_dropout")

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## What we see
#
# With dropout the training accuracy (measured during training, with
# dropout on) is no longer ahead of the test accuracy, as it was in stage
# 08. In five epochs it makes fewer errors than stage 08 in every seed:
# by 5 in seed 1, within the noise, and by 27 and 41 in the others
# (Across seeds). Dropout is meant to pay off over longer training,
# which the next stages do.

# %% [markdown] tags=["cut"] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this notebook we
# - wrote dropout in NumPy and matched Keras's layer;
# - added five dropout layers to the network, without new parameters.
#
# Next, **10 · Data augmentation**: new training images for free.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Small enough for a few minutes on a GPU. Write down what you expect
# before you run anything. The solutions are in `solutions/09_dropout.py`
# (open it as a notebook); like them, compare settings on training images
# held out from the fit (`data.prepare().holdout()`), never on the test
# images.
#
# 1. **How much dropout?** Train this stage's network with no dropout
#    (`dropout=None`), with `models.TALK_DROPOUT`, and with each of the
#    talk's rates raised by 0.2. Predict first: how does the gap between
#    training and validation accuracy change from one to the next? Score
#    the fitted images again after training (`model.evaluate`, dropout
#    off) and compare that with the validation accuracy; the history's
#    training accuracy was counted with dropout on.
# 2. **Dropout keeps the mean.** Apply `demos.dropout` at rate 0.5 to one
#    digit (pixels scaled to [0, 1]) many times, each with its own `rng`
#    seed, and average the draws. It worked if the average of more draws
#    comes closer to the digit: how much closer for ten times as many?
