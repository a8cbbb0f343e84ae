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
# # 10 · Data augmentation
#
# We show the network slightly rotated, zoomed and sheared versions of the
# training digits, new ones at every epoch: an endless supply of plausible
# handwriting.

# %% [markdown] slideshow={"slide_type": "notes"}
# Using only the data we are given is fair; making more of it from what we
# know about handwriting is fair too.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Setup
#
# Run these cells first: the helpers, this run's settings (papermill
# sets the `parameters` cell), then the device and the seed.

# %% slideshow={"slide_type": "-"}
import numpy as np

from mnist_talk import data, evidence, models, plots, results, session

# %% tags=["parameters"] slideshow={"slide_type": "-"}
epochs = 10  # as in the talk
batch_size = 128  # as in the talk
train_size = 60_000  # how many training images to fit on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"
accuracy_floor = 0.99  # the notebook fails below this test accuracy
results_dir = "../results"

# %% slideshow={"slide_type": "subslide"}
run = session.start("10_augmentation", epochs=epochs, batch_size=batch_size,
                    train_size=train_size, seed=seed, device=device,
                    accuracy_floor=accuracy_floor, results_dir=results_dir)
import keras  # after the device is chosen: Keras starts its backend on import

run

# %% tags=["nbval-check-output"] slideshow={"slide_type": "-"}
mnist = data.prepare()
mnist

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Augmentation layers
#
# The talk used `ImageDataGenerator`; Keras 3 has preprocessing layers for
# it: `models.augmentation()` returns a rotation of up to 10°, a zoom of up
# to 10% and a horizontal shear of up to 0.1. `RandomRotation` takes a
# fraction of a full turn, so the talk's 10° is `10 / 360`.

# %% tags=["nbval-check-output"] slideshow={"slide_type": "fragment"}
augment = keras.Sequential(models.augmentation(seed=seed))
[type(layer).__name__ for layer in augment.layers]

# %% slideshow={"slide_type": "subslide"}
ten_copies = np.repeat(mnist.x_train[:1], 10, axis=0).astype("float32")
plots.show_digits(keras.ops.convert_to_numpy(augment(ten_copies,
                                                     training=True)))

# %% [markdown] slideshow={"slide_type": "notes"}
# Ten random versions of the same five. They stay readable: the
# augmentation must never change which digit it is.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The model
#
# Stage 09's network with the augmentation layers first. They act only
# while training: at test time the images pass through untouched.

# %% slideshow={"slide_type": "fragment"}
model = models.vgg(mnist.mean, mnist.std, batch_norm=True,
                   dropout=models.TALK_DROPOUT,
                   augmentation=models.augmentation(seed=seed))
model.compile(optimizer="adam", loss="categorical_crossentropy",
              metrics=["accuracy"])

# %% slideshow={"slide_type": "subslide"}
models.summary(model)

# %% tags=["nbval-check-output"] slideshow={"slide_type": "fragment"}
model.count_params()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training
#
# Adam, ten epochs of batches of 128, as in the talk.

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
results.ladder(results_dir, ["09_dropout", "10_augmentation"])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## In numbers

# %% slideshow={"slide_type": "-"}
evidence.summary(results_dir, "10_augmentation", history, before="09_dropout")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## What we see
#
# Training accuracy now stays below test accuracy: the augmented training
# images are harder than the real test images, and dropout is on while
# training. The network has to learn what a digit is, not what the
# training set looks like.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# In this notebook we
# - made random rotations, zooms and shears with Keras preprocessing layers;
# - put them in front of stage 09's network.
#
# Next, **11 · Annealing**: the same network, with a learning rate that
# falls as training goes on.
