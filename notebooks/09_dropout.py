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
# **3 minutes** (0:25 to 0:28).
#
# By stage 08 the training loss is near zero and still falling: train
# longer, and the network memorises. Dropout switches off random units at
# every step, up to half of them (rate **0.5**), so it cannot lean on any
# one.
#
# → Setup.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# **5** epochs, batches of 64.
#
# → Data.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# The same **60,000** images.
#
# → Dropout in NumPy.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What is dropout?
#
# Zero each value with probability `rate`, and scale the survivors by
# `1 / (1 - rate)` so that the expected sum stays the same. At test time
# nothing is dropped and nothing needs rescaling.

# %% tags=["nbval-check-output"] slideshow={"slide_type": "fragment"}
demos.dropout(np.ones((4, 8)), rate=0.5, rng=0)

# %% [markdown] slideshow={"slide_type": "notes"}
# Zero each value with probability `rate`, scale the survivors by 1 / (1 −
# rate): at 0.5, they become **2**.
#
# A correction: the talk's NumPy dropout did not rescale, so training would
# see smaller sums than testing; Keras rescales (Srivastava et al., 2014).
#
# → Into the model.

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

# %% slideshow={"slide_type": "fragment"}
model = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                          layers.Normalization(mean=mnist.mean,
                                               variance=mnist.std ** 2)])
for filters, convs, rate in [(7, 2, 0.1), (14, 2, 0.2), (28, 3, 0.3),
                             (56, 3, 0.4)]:
    for _ in range(convs):
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(rate))
model.add(layers.Flatten())
model.add(layers.Dense(100, activation="sigmoid"))
model.add(layers.Dropout(0.5))
model.add(layers.Dense(10, activation="softmax"))
model.compile(optimizer="adam", loss="categorical_crossentropy",
              metrics=["accuracy"])

# %% [markdown] slideshow={"slide_type": "notes"}
# After each block, rising from 0.1 to 0.4, and **0.5** before the output,
# as the talk. No new weights.
#
# → Train.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# About **1.3 min**. Training accuracy, measured with dropout on, now stays
# below test accuracy: 98.09% against 99.11%.
#
# → The result.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Result

# %% slideshow={"slide_type": "fragment"}
test_loss, test_accuracy = model.evaluate(
    mnist.x_test, mnist.y_test_hot, verbose=0)
run.finish(test_accuracy, model.count_params(), model=model)

# %% slideshow={"slide_type": "fragment"}
tables.ladder(results_dir, ["08_batch_norm", "09_dropout"])

# %% [markdown] slideshow={"slide_type": "notes"}
# **99.11%**: fewer errors than stage 08 in every seed, by 27 and 41 in
# seeds 2 and 3 but by 5 here, within the noise.
#
# → Stage 10: new training images for free.

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## In numbers

# %% tags=["cut"] slideshow={"slide_type": "-"}
evidence.summary(results_dir, "09_dropout", history, before="08_batch_norm")

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## The same network as `models.vgg`
#
# The next stages build this network with `mnist_talk.models.vgg(...,
# batch_norm=True, dropout=models.TALK_DROPOUT)`. The check: the two agree
# layer for layer, every setting included.

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "fragment"}
packaged = models.vgg(mnist.mean, mnist.std, batch_norm=True,
                      dropout=models.TALK_DROPOUT)
models.same_layers(model, packaged)

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
# On a CPU (2 cores), at 3 epochs on 50,000 training images (the solutions'
# settings, compared on the 10,000 held out after them), each exercise gives
# its minutes in the solutions' run. Write down what you expect before you run
# anything. The solutions are in `solutions/09_dropout.ipynb`, with the outputs
# of that run; like them, compare settings on training images held out from the
# fit (`data.prepare().holdout()`), never on the test images.
#
# 1. **How much dropout?** (about 4 min) Train this stage's network with no
#    dropout (`dropout=None`), with `models.TALK_DROPOUT`, and with each of the
#    talk's rates raised by 0.2. Predict first: how does the gap between
#    training and validation accuracy change from one to the next? Score the
#    fitted images again after training (`model.evaluate`, dropout off) and
#    compare that with the validation accuracy; the history's training accuracy
#    was counted with dropout on.
# 2. **Dropout keeps the mean.** (about 1 min) Apply `demos.dropout` at rate
#    0.5 to one digit (pixels scaled to [0, 1]) many times, each with its own
#    `rng` seed, and average the draws. It worked if the average of more draws
#    comes closer to the digit: how much closer for ten times as many?
