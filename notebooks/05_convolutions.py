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
# # 05 · Convolutions
#
# Instead of one weight per pixel, small 3 × 3 filters slide over the whole
# image: the same few weights look for the same pattern everywhere.

# %% [markdown] slideshow={"slide_type": "notes"}
# **3 minutes** (0:13 to 0:16).
#
# Dense layers treat every pixel as unrelated to its neighbours. A
# convolution slides one small **3 × 3** filter over the whole image: the
# same few weights look for the same pattern everywhere. This is the idea
# that made computer vision work.
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
# **5** epochs, as the talk, but batches of 64 instead of 32: half the
# steps, which matters on a CPU.
#
# → Device and data.

# %% slideshow={"slide_type": "subslide"}
run = session.start("05_convolutions", epochs=epochs, batch_size=batch_size,
                    train_size=train_size, seed=seed, device=device,
                    accuracy_floor=accuracy_floor, results_dir=results_dir)
import keras  # after the device is chosen: Keras starts its backend on import
from keras import layers

run

# %% tags=["nbval-check-output"] slideshow={"slide_type": "-"}
mnist = data.prepare()
mnist

# %% [markdown] slideshow={"slide_type": "notes"}
# The images now carry a channel axis: 28 by 28 by **1**, one grey channel.
# The talk put it first, as Theano wanted; Keras 3 puts it last.
#
# → What a convolution computes.

# %% [markdown] tags=["cut"] slideshow={"slide_type": "slide"}
# ## A channel axis
#
# A convolution reads images with channels: one number per colour at each
# pixel. MNIST is grey, so each image gets a channel axis of length 1.
# The talk added it in front (`np.expand_dims(x, 1)`, Keras 1 on Theano
# put channels first); Keras 3 puts channels last. `data.prepare()` has
# done this for every stage since 02:

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "fragment"}
(raw_train, _), _ = data.load_mnist()
raw_train.shape, np.expand_dims(raw_train, -1).shape, mnist.x_train.shape

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What is a convolution?
#
# Put a 3 × 3 grid of weights on the image, multiply it with the pixels
# underneath, add up, write the sum in the output; then shift by one pixel
# and repeat. Here is the sum written out in NumPy, with a filter that
# responds to horizontal edges.

# %% tags=["nbval-check-output"] slideshow={"slide_type": "fragment"}
edges = demos.EDGE_FILTERS["horizontal edges"]
demos.convolve_3x3(mnist.x_train[0, 8:14, 8:14, 0], edges)

# %% [markdown] slideshow={"slide_type": "notes"}
# Lay the 3 × 3 grid on the image, multiply, add, write the sum; shift by
# one pixel, repeat. This one finds horizontal edges: sums up to **710** on
# the five, zero where it is flat.
#
# → The whole digit, through two filters.

# %% slideshow={"slide_type": "subslide"}
digit = mnist.x_train[0, :, :, 0]
plots.show_digits([digit] + [demos.convolve_3x3(digit, f)
                             for f in demos.EDGE_FILTERS.values()],
                  ["digit"] + list(demos.EDGE_FILTERS), size=2.2)

# %% [markdown] slideshow={"slide_type": "notes"}
# The five through **2** hand-made filters, horizontal and vertical edges:
# two ways of looking at the image, like the Predator's vision in the talk.
# A layer holds several filters, and the network learns its own.
#
# → The model.

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## The same thing in Keras
#
# A `Conv2D` layer holding our filter gives the same image: with
# `padding="same"` the border is padded with zeros, as in NumPy.

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "fragment"}
conv = layers.Conv2D(1, 3, padding="same", use_bias=False)
conv.build((None, 28, 28, 1))
conv.set_weights([edges.reshape(3, 3, 1, 1)])
theirs = conv(mnist.x_train[:1].astype("float32"))
np.allclose(keras.ops.convert_to_numpy(theirs)[0, :, :, 0],
            demos.convolve_3x3(digit, edges))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The model
#
# Three convolutional layers of 7 filters each, keeping the 28 × 28 size,
# then one dense layer to the 10 outputs. The network learns its filters.

# %% slideshow={"slide_type": "fragment"}
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Normalization(mean=mnist.mean, variance=mnist.std ** 2),
    layers.Conv2D(7, 3, padding="same", activation="relu"),
    layers.Conv2D(7, 3, padding="same", activation="relu"),
    layers.Conv2D(7, 3, padding="same", activation="relu"),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
], name="convolutions")
model.compile(optimizer="adam", loss="categorical_crossentropy",
              metrics=["accuracy"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Three convolutions of 7 filters at full size, then one dense layer:
# **55,856** weights, a quarter of stage 04's. Almost all sit in the dense
# layer; the three convolutions hold 966.
#
# → Train.

# %% tags=["cut"] slideshow={"slide_type": "subslide"}
models.summary(model)

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "fragment"}
model.count_params()

# %% [markdown] tags=["cut"] slideshow={"slide_type": "notes"}
# Most of the 55,856 parameters sit in the last dense layer
# (28 × 28 × 7 inputs × 10 outputs); the three convolutions hold only 966.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training
#
# Adam, five epochs. We use batches of 64 rather than the talk's 32: the
# same number of epochs in half the steps, which matters on a CPU.

# %% slideshow={"slide_type": "fragment"}
history = model.fit(
    mnist.x_train[:train_size], mnist.y_train_hot[:train_size],
    epochs=epochs, batch_size=batch_size,
    validation_data=(mnist.x_test, mnist.y_test_hot),
    verbose=0, callbacks=[run.live()])

# %% [markdown] slideshow={"slide_type": "notes"}
# About **30 s**: each epoch costs more than stage 04's, though the model is
# smaller, since every filter visits every pixel.
#
# → The result.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Result

# %% slideshow={"slide_type": "fragment"}
test_loss, test_accuracy = model.evaluate(
    mnist.x_test, mnist.y_test_hot, verbose=0)
run.finish(test_accuracy, model.count_params(), model=model)

# %% slideshow={"slide_type": "fragment"}
tables.ladder(results_dir, ["04_deeper", "05_convolutions"])

# %% [markdown] slideshow={"slide_type": "notes"}
# **98.03%**: 38 fewer errors than stage 04, and 33 and 37 fewer with seeds
# 2 and 3, more than twice the test set's noise. The talk's 98.49% is again
# above every epoch of its own log.
#
# → Stage 06: shrink the image between convolutions.

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## In numbers

# %% tags=["cut"] slideshow={"slide_type": "-"}
evidence.summary(results_dir, "05_convolutions", history, before="04_deeper")

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## Across seeds
#
# Stage 04 and stage 05 in each TensorFlow run the
# repository holds (seed 1 is the committed full run, `results/`;
# seeds 2 and 3 are in `results/runs/`), in test errors.

# %% tags=["nbval-check-output", "cut"] slideshow={"slide_type": "-"}
evidence.across_seeds("04_deeper", "05_convolutions")

# %% [markdown] tags=["cut"] slideshow={"slide_type": "subslide"}
# ## What we see
#
# With a quarter of the deep network's parameters, the convolutional model
# makes clearly fewer mistakes, 33 to 38 fewer in every seed, more than
# twice the test set's noise (Across seeds): sharing weights across the
# image is the right assumption for pictures. The recipe changed too: 5
# epochs of batches of 64 instead of 10 of 128, the same number of steps.
#
# The talk's 98.49% is above every epoch of its own log for this stage
# (In numbers); it is the fourth epoch of stage 06's log. With a constant
# learning rate the test accuracy moves from one epoch to the next; stage
# 11 deals with that.

# %% [markdown] tags=["cut"] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this notebook we
# - wrote a 3 × 3 convolution in NumPy and matched it with `Conv2D`;
# - trained three convolutional layers and a dense output (55,856
#   parameters).
#
# Next, **06 · Max-pooling**: shrink the image between convolutions, so the
# later filters see more of it.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# On a CPU (2 cores), at 5 epochs on 50,000 training images (the solutions'
# settings, compared on the 10,000 held out after them), each exercise gives
# its minutes in the solutions' run. Write down what you expect before you run
# anything. The solutions are in `solutions/05_convolutions.ipynb`, with the
# outputs of that run; like them, compare settings on training images held out
# from the fit (`data.prepare().holdout()`), never on the test images.
#
# 1. **Parameters by hand.** (about 1 min) A `Conv2D` layer of `out` 3 × 3
#    filters over `in` input channels holds (3·3·in + 1)·out parameters: a 3 ×
#    3 × in kernel and a bias per filter. Work out each of this notebook's
#    three convolutions by hand, then check against each layer's
#    `count_params()`.
# 2. **A larger kernel.** (about 2 min) Give all three convolutions 5 × 5
#    kernels. Predict the new parameter count first (why does the dense layer
#    stay the same?), then compare parameters, seconds per epoch and validation
#    accuracy with the 3 × 3 network.
# 3. **NumPy against Keras, unpadded.** (about 1 min) Write a 3 × 3 edge kernel
#    of your own and apply it to a digit with `demos.convolve_3x3`, then with a
#    `keras.layers.Conv2D(1, 3)` whose weights you set to the same kernel and a
#    zero bias (`layer.set_weights`). That layer pads nothing, so its output is
#    26 × 26: compare it with the inner 26 × 26 of the NumPy result using
#    `np.allclose`, and show all three images with `plots.show_digits`.
