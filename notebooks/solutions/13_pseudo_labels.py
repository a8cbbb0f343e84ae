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
# # 13 · Pseudo-labeling: solutions
#
# The exercises are at the end of `notebooks/13_pseudo_labels.ipynb`: try
# each one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import numpy as np

from mnist_talk import analysis, data, ensembles, models, plots, session, tables

# %% tags=["parameters"]
epochs = 3
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"
members = 3  # how many networks the teacher averages

# %%
practice = session.practise("13_pseudo_labels", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)

mnist = data.prepare()  # for its pixel mean and standard deviation
split = mnist.holdout(validation_size, train_size)
practice, split

# %% [markdown]
# ## The teacher
#
# As in the stage, the teacher is an ensemble of stage 11's recipe, here
# fitted on the fit images only. The held-out images play the unlabelled
# ones: the teacher labels them, and their true labels only count its
# mistakes; they never train anything.

# %%
batch_size = 128  # as in stage 13
steps_per_epoch = -(-len(split.x) // batch_size)  # ceiling division
member_probabilities = []
for member in range(members):
    member_seed = session.member_seed(seed, member)
    session.seed_everything(member_seed)
    model = models.annealed_vgg(mnist.mean, mnist.std, epochs,
                                steps_per_epoch, seed=member_seed)
    model.fit(split.x, split.y_hot, epochs=epochs, batch_size=batch_size,
              verbose=0)
    member_probabilities.append(model.predict(split.x_val, verbose=0))
teacher = np.mean(member_probabilities, axis=0)

# %% [markdown]
# ## Exercise 1: how confident must the teacher be?
#
# The talk's choice (keep every pseudo-label), then three thresholds a
# factor of ten closer to certainty each.

# %%
rows = []
for confidence in (0, 0.9, 0.99, 0.999):
    kept, left_out = ensembles.pseudo_label_table(teacher, confidence,
                                                  split.y_val).rows
    rows.append([confidence, *kept[1:], *left_out[1:]])
tables.Table(["confidence", "kept", "wrong among kept", "left out",
              "wrong among left out"], rows)

# %% [markdown]
# What to look for: as the threshold rises, both the kept pseudo-labels
# and the wrong ones among them fall, and the teacher's mistakes pile up
# among the images left out. That is the trade-off: every pseudo-label
# kept is more training material for the students, and every wrong one
# kept teaches them the teacher's mistake. A threshold is worth raising
# while it drops wrong labels faster, in proportion, than right ones.
# With a teacher trained for a few epochs few images may clear the
# highest thresholds; a longer-trained teacher is surer of itself.

# %% [markdown]
# ## Exercise 2: the teacher's favourite confusion
#
# The two digits the teacher mixes up most often on held-out images, in
# either direction.

# %%
mistakes = analysis.confusion_matrix(split.y_val, teacher)
np.fill_diagonal(mistakes, 0)
first, second = np.unravel_index((mistakes + mistakes.T).argmax(),
                                 mistakes.shape)
(f"{first} and {second}: {mistakes[first, second]} times {first} read "
 f"as {second}, {mistakes[second, first]} times {second} read as {first}")

# %%
answers = teacher.argmax(axis=1)
mixed = np.flatnonzero(np.isin(split.y_val, (first, second))
                       & np.isin(answers, (first, second))
                       & (answers != split.y_val))[:10]
plots.show_digits(split.x_val[mixed],
                  [f"{split.y_val[i]} → {answers[i]} "
                   f"{teacher[i].max():.2f}" for i in mixed])

# %% [markdown]
# What to look for: the pair depends on the run, but it is usually two
# digits one stroke apart (4 and 9, 3 and 5, 7 and 2), and many of the
# images are ones a person would hesitate over too. The number in each
# title is the teacher's probability for its wrong answer: compare it
# with the thresholds of Exercise 1. A mistake made with a probability
# below the threshold stays out of the pseudo-labels; one above it is
# taught to the students.
