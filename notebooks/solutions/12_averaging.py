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
# # 12 · Model averaging: solutions
#
# The exercises are at the end of `notebooks/12_averaging.ipynb`: try each
# one there first, and write down your prediction before you run it.
# Every comparison here fits on training images and compares on the
# `validation_size` training images held out after them; the test images
# take no part.

# %%
import numpy as np

from mnist_talk import data, ensembles, models, session, tables

# %% tags=["parameters"]
epochs = 3
train_size = 50_000  # training images to fit on
validation_size = 10_000  # held out after them, to compare on
seed = 1
device = "auto"  # "auto", "cpu", "gpu" or "gpu:N"
members = 3  # how many networks to average

# %%
practice = session.practise("12_averaging", epochs=epochs,
                            train_size=train_size,
                            validation_size=validation_size, seed=seed,
                            device=device)

mnist = data.prepare()  # for its pixel mean and standard deviation
split = mnist.holdout(validation_size, train_size)
practice, split

# %% [markdown]
# ## Exercise 1: how many members?
#
# `members` networks of stage 11's recipe (`models.annealed_vgg`), each
# from its own seed, each scored on the held-out images.

# %%
batch_size = 128  # as in stage 12
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

# %% [markdown]
# Every subset of the members averaged, by size: the median errors on the
# held-out images, and what the last member added saved.

# %%
ensembles.ensemble_sizes_table(member_probabilities, split.y_val)

# %% [markdown]
# What to look for: the savings column, row by row. Where one network
# hesitates, a second one trained from another start often does not, so
# the second member saves errors. Each member after that can only fix
# images on which the others are still wrong together, and those get
# fewer and harder, so over many members the savings shrink while every
# member costs a whole training. In this run the third member saves about
# as many as the second: three members show only the start of that
# curve. Raise `members` to find the size where a member stops paying
# for itself.

# %% [markdown]
# ## Exercise 2: average or vote?
#
# A majority vote counts each member's answer once, however sure it was.
# Ties are broken by the average probability among the tied digits, so a
# vote of two members can only differ from the average where the two
# disagree.

# %%
def vote(per_member):
    """Scores whose highest digit is the members' majority answer; a tie
    goes to the tied digit with the highest average probability."""
    probabilities = np.asarray(per_member)
    answers = probabilities.argmax(axis=2)  # one row per member
    votes = (answers[..., np.newaxis] == np.arange(10)).sum(axis=0)
    return votes + 0.5 * probabilities.mean(axis=0)  # 0.5: ties only


def errors(scores):
    """How many held-out images get a wrong highest-scoring digit."""
    return int((scores.argmax(axis=1) != split.y_val).sum())


# %%
average = np.mean(member_probabilities, axis=0)
voted = vote(member_probabilities)
differ = average.argmax(axis=1) != voted.argmax(axis=1)
tables.Table(
    ["combination", "validation errors",
     f"right of the {differ.sum()} images where the two differ"],
    [[name, errors(scores),
      int((scores.argmax(axis=1) == split.y_val)[differ].sum())]
     for name, scores in [("average of probabilities", average),
                          ("majority vote", voted)]])

# %% [markdown]
# What to look for: the two combinations agree on almost every image, so
# the last column is where they are told apart. The average lets a
# confident member outweigh two hesitant ones; the vote treats a shrug
# and a certainty alike. When the members are about equally good, the
# average usually wins the images where the two differ, since it uses
# more of what the members know, as it does in this run. With an even
# number of members every split vote is a tie, settled by the average;
# an odd number, as here, lets the vote differ most.
