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
# # 06 · Max-pooling
#
# Between convolutions we halve the image, keeping the strongest response
# in each 2 × 2 block. Later filters then see a larger part of the digit,
# and the model shrinks.

# %% [markdown] slideshow={"slide_type": "notes"}
# **2 minutes** (0:16 to 0:18).
#
# Between convolutions we halve the image, keeping the strongest response in
# each **2 × 2** block.
#
# → Setup.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Setup
#
# Run these cells first: the helpers, this run's settings (papermill
# sets the `parameters` cell), then the device and the seed.

# %% slideshow={"slide_type": "-"}
import numpy as np

from mnist_talk import data, demos, evidence, models, plots, session, tables

# %% tags=["parameters"] slideshow={"slide_type": "-"}
epochs = 5  # as in the talk
batch_size = 64  # the talk used 32; 64 halves the steps on a CPU
train_size = 60_000  # how many training images to fit on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"
accuracy_floor = 0.98  # the notebook fails below this test accuracy
results_dir = "../results"

# %% [markdown] slideshow={"slide_type": "notes"}
# As in stage 05: **5** epochs, batches of 64.
#
# → Data.

# %% slideshow={"slide_type": "subslide"}
run = session.start("06_max_pooling", epochs=epochs, batch_size=batch_size,
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
# → What max-pooling does.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What is max-pooling?
#
# Cut the image into 2 × 2 blocks and keep the largest value of each.

# %% tags=["nbval-check-output"] slideshow={"slide_type": "fragment"}
block = np.array([[1, 3, 2, 1],
                  [4, 2, 0, 1],
                  [1, 1, 5, 6],
                  [0, 2, 7, 8]])
demos.max_pool_2x2(block)

# %% [markdown] slideshow={"slide_type": "notes"}
# Each 2 × 2 block keeps its largest value: **4** for the first.
#
# A correction: the talk said pooling makes the network two times smaller.
# Each side halves, so a map keeps a quarter of its values; only the dense
# layer at the end loses weights.
#
# → On a digit.

# %% slideshow={"slide_type": "subslide"}
digit = mnist.x_train[0, :, :, 0]
once = demos.max_pool_2x2(digit)
plots.show_digits([digit, once, demos.max_pool_2x2(once)],
                  ["28 × 28", "14 × 14", "7 × 7"], size=2.2)

# %% [markdown] slideshow={"slide_type": "notes"}
# 28 by 28, then 14, then **7**: still a five.
#
# → In the model.

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## The same thing in Keras
#
# `MaxPooling2D(2)` gives exactly our NumPy result.

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "fragment"}
pooled = layers.MaxPooling2D(2)(mnist.x_train[:1].astype("float32"))
np.array_equal(keras.ops.convert_to_numpy(pooled)[0, :, :, 0], once)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The model
#
# Convolutions of 7, 14, 28 and 28 filters with a pooling after each of the
# first three: 28 → 14 → 7 → 3 pixels across.

# %% slideshow={"slide_type": "fragment"}
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Normalization(mean=mnist.mean, variance=mnist.std ** 2),
    layers.Conv2D(7, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(2),
    layers.Conv2D(14, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(2),
    layers.Conv2D(28, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(2),
    layers.Conv2D(28, 3, padding="same", activation="relu"),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
], name="max_pooling")
model.compile(optimizer="adam", loss="categorical_crossentropy",
              metrics=["accuracy"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Pooling after three of the four convolutions: **14,136** weights, a
# quarter of stage 05's.
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
# About **27 s**, hardly faster than stage 05: the first convolution, at
# full size, costs the most.
#
# → The result.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Result

# %% slideshow={"slide_type": "fragment"}
test_loss, test_accuracy = model.evaluate(
    mnist.x_test, mnist.y_test_hot, verbose=0)
run.finish(test_accuracy, model.count_params(), model=model)

# %% slideshow={"slide_type": "fragment"}
tables.ladder(results_dir, ["05_convolutions", "06_max_pooling"])

# %% [markdown] slideshow={"slide_type": "notes"}
# **98.24%**: fewer errors than stage 05 in every seed, by 21 to 55. The
# talk's 98.37% is within its own log.
#
# → Stage 07: more convolutions per block.

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## In numbers

# %% tags=["cut"] slideshow={"slide_type": "-"}
evidence.summary(results_dir, "06_max_pooling", history,
                 before="05_convolutions")

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## Across seeds
#
# Stage 05 and stage 06 in each TensorFlow run the
# repository holds (seed 1 is the committed full run, `results/`;
# seeds 2 and 3 are in `results/runs/`), in test errors.

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "-"}
evidence.across_seeds("05_convolutions", "06_max_pooling")

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## What we see
#
# A quarter of stage 05's parameters, but still most of its time per
# epoch, 0.7 to 0.9 of it over the three seeds (the first
# convolutions, at full size, cost the most), and fewer errors than stage
# 05 in every seed, by 21 to 55 (Across seeds): pooling keeps what
# matters and throws away exact positions, which a digit's identity does
# not depend on.
#
# The talk's 98.37% lies within its own log for this stage, which ends at
# 98.38% (In numbers).

# %% [markdown] tags=["cut"] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this notebook we
# - wrote 2 × 2 max-pooling in NumPy and matched it with `MaxPooling2D`;
# - built a convolutional network with 14,136 parameters.
#
# Next, **07 · VGG style**: more convolutions per block, more filters per
# block, the recipe of the VGG networks.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# On a CPU (2 cores), at 5 epochs on 50,000 training images (the solutions'
# settings, compared on the 10,000 held out after them), each exercise gives
# its minutes in the solutions' run. Write down what you expect before you run
# anything. The solutions are in `solutions/06_max_pooling.ipynb`, with the
# outputs of that run; like them, compare settings on training images held out
# from the fit (`data.prepare().holdout()`), never on the test images.
#
# 1. **Max-pooling 3 × 3 in NumPy.** (about 1 min) Write max-pooling with a 3 ×
#    3 window and stride 3, in the way of `demos.max_pool_2x2`: crop the 28 ×
#    28 image to 27 × 27 first (Keras's `"valid"` pooling drops what is left
#    over), reshape so that each window gets two axes of its own, and take the
#    largest value. Predict the output size, then check your function against
#    `keras.layers.MaxPooling2D(3)` on a few digits with `np.allclose`.
# 2. **Average instead of max.** (about 2 min) Put `AveragePooling2D(2)` in
#    place of every `MaxPooling2D(2)` of this notebook's network. Predict: does
#    the parameter count change? Compare the validation accuracy of the two.
