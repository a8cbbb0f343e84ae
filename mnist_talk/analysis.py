"""Stage 13's analysis of the final predictions, one call per slide.

Stage 13 introduces this: right and wrong answers at random, the
confusion matrix, and per digit the surest right answers, the worst
mistakes and the least confident answers. The index functions
(`confident_right_indices`, ...) choose the images; the others draw them
at the size of a slide and return None, as `plots` does.
"""

from __future__ import annotations

import numpy as np

from .plots import show_digits


def _pick(indices, n, rng):
    indices = np.asarray(indices)
    return indices if len(indices) <= n else rng.choice(indices, n, replace=False)


#: The largest figure that fits a 1280×720 slide under its heading line, in
#: inches at matplotlib's default 100 dpi (the stage-13 analysis figures).
SLIDE_FIGURE = (13, 4.6)


def _exponent(x: float) -> str:
    """`x` to one significant digit, short: `3e-6` rather than `3e-06`."""
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _probability(p) -> str:
    """A probability for a short title: two decimals where they say
    something, else how far it is from 1 (`1−3e-6`, which is 0.999997) or
    from 0 (`2e-5`)."""
    p = float(p)
    if p >= 0.995:
        return "1−" + _exponent(1 - p) if p < 1 else "1"
    if p < 0.005:
        return _exponent(p) if p > 0 else "0"
    return f"{p:.2f}"


def random_predictions(images, labels, probabilities, correct: bool,
                       n: int = 10, seed: int = 0) -> None:
    """A few right (or wrong) test predictions at random (stage 13).

    Titles read `predicted (true)` with the predicted probability.
    """
    predicted = probabilities.argmax(axis=1)
    chosen = np.flatnonzero((predicted == labels) == correct)
    chosen = _pick(chosen, n, np.random.default_rng(seed))
    titles = [f"{predicted[i]} ({labels[i]}) {probabilities[i].max():.2f}"
              for i in chosen]
    show_digits(images[chosen], titles, cols=max(len(chosen), 1))


def confusion_matrix(labels, probabilities) -> np.ndarray:
    """Counts of (true digit, predicted digit) over the test set (stage 13)."""
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (np.asarray(labels), probabilities.argmax(axis=1)), 1)
    return counts


def show_confusion(labels, probabilities) -> None:
    """The confusion matrix, every count written, and the mistakes per digit.

    Introduced in stage 13: which digits are mistaken for which. Rows are
    the true digit, columns the predicted one. The diagonal (right answers)
    is written in grey on grey; the mistakes are coloured by their count,
    and empty cells are zero. Beside it, the mistakes per true digit.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    counts = confusion_matrix(labels, probabilities)
    errors = counts.copy()
    np.fill_diagonal(errors, 0)
    diagonal = np.eye(10, dtype=bool)
    cmap = plt.get_cmap("Reds").with_extremes(bad="0.88")
    norm = Normalize(0, max(errors.max(), 1))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6),
                                      gridspec_kw={"width_ratios": [1.25, 1]})
    left.imshow(np.ma.masked_array(errors, diagonal), cmap=cmap, norm=norm)
    for t in range(10):
        for p in range(10):
            if t == p:
                left.text(p, t, counts[t, p], ha="center", va="center",
                          fontsize=10, color="0.35")
            elif errors[t, p]:
                r, g, b, _ = cmap(norm(errors[t, p]))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                left.text(p, t, errors[t, p], ha="center", va="center",
                          fontsize=12, fontweight="bold",
                          color="white" if dark else "black")
    left.set_xticks(range(10))
    left.set_yticks(range(10))
    left.tick_params(labelsize=11, length=0)
    left.set_xlabel("predicted digit", fontsize=12)
    left.set_ylabel("true digit", fontsize=12)
    left.set_title("counts (grey diagonal: right answers)", fontsize=12)
    per_digit = errors.sum(axis=1)
    bars = right.bar(range(10), per_digit, color="tab:red")
    right.bar_label(bars, fontsize=11, padding=2)
    right.set_xticks(range(10))
    right.tick_params(labelsize=11)
    right.set_ylim(0, max(per_digit.max(), 1) * 1.15)
    right.set_xlabel("true digit", fontsize=12)
    right.set_ylabel("mistakes", fontsize=12)
    right.set_title(f"mistakes per true digit ({per_digit.sum()} in all)",
                    fontsize=12)
    right.grid(alpha=0.3, axis="y")
    right.set_axisbelow(True)
    fig.tight_layout()


# The selections behind the per-digit views below: pure functions of the
# labels and probabilities that return test-set indices, so that the tests
# check which images are shown, not pixels.

def confident_right_indices(labels, probabilities, n: int = 10) -> list:
    """For each true digit 0–9, its `n` most confident right answers.

    A list of ten index arrays, each sorted by the probability given to the
    (true, and predicted) digit, highest first; shorter where a digit has
    fewer than `n` right answers, empty where it has none.
    """
    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities)
    predicted = probabilities.argmax(axis=1)
    chosen = []
    for digit in range(10):
        right = np.flatnonzero((labels == digit) & (predicted == digit))
        order = np.argsort(-probabilities[right, digit], kind="stable")
        chosen.append(right[order[:n]])
    return chosen


def mistakes_per_digit(labels, probabilities) -> np.ndarray:
    """How many test images of each true digit 0–9 the network got wrong."""
    labels = np.asarray(labels)
    wrong = np.asarray(probabilities).argmax(axis=1) != labels
    return np.bincount(labels[wrong], minlength=10)


def worst_mistake_indices(labels, probabilities, n: int = 8) -> list:
    """For each true digit 0–9, its `n` worst mistakes.

    A list of ten index arrays of wrongly predicted images of that digit,
    sorted by the probability the network gave the TRUE digit, lowest
    first; empty where a digit has no mistakes.
    """
    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities)
    predicted = probabilities.argmax(axis=1)
    chosen = []
    for digit in range(10):
        wrong = np.flatnonzero((labels == digit) & (predicted != digit))
        order = np.argsort(probabilities[wrong, digit], kind="stable")
        chosen.append(wrong[order[:n]])
    return chosen


def least_confident_indices(probabilities, n: int = 20) -> np.ndarray:
    """The `n` predictions with the lowest top probability, lowest first."""
    top = np.asarray(probabilities).max(axis=1)
    return np.argsort(top, kind="stable")[:n]


def _digit_rows(images, rows, row_labels, title, n: int, label_width: float,
                empty: str) -> None:
    """One row of images per true digit, each image's title beside it.

    `rows` are ten index arrays, `row_labels` their labels on the left,
    `title(i)` the (text, colour) written to the right of image `i`, and
    `empty` what a row with no images says. The figure fills
    `SLIDE_FIGURE`'s height; with titles beside the images rather than
    above them, ten rows keep images about half an inch high.
    """
    import matplotlib.pyplot as plt

    width, height = SLIDE_FIGURE
    cell = min(1.5, (width - label_width) / n)
    fig, axes = plt.subplots(10, n, figsize=(label_width + n * cell, height),
                             squeeze=False)
    # data units across one cell, so that a 28-unit image keeps its aspect
    # and its title has the rest of the cell
    span = 28 * cell / (height / 10)
    for chosen, label, row in zip(rows, row_labels, axes):
        for c, ax in enumerate(row):
            if c < len(chosen):
                i = chosen[c]
                ax.imshow(np.squeeze(images[i]), cmap="gray",
                          extent=(0, 28, 28, 0))
                text, colour = title(i)
                ax.annotate(text, (28, 14), xytext=(4, 0),
                            textcoords="offset points", ha="left",
                            va="center", fontsize=10, color=colour)
            ax.set_xlim(0, span)
            ax.set_ylim(28, 0)
            ax.set_aspect("equal")
            ax.axis("off")
        # offsets in points, not data units: tight_layout changes the scale
        row[0].annotate(label, (0, 14), xytext=(-5, 0),
                        textcoords="offset points", ha="right", va="center",
                        fontsize=11)
        if not len(chosen):
            note = row[0].text(0, 14, empty, ha="left", va="center",
                               fontsize=10, color="0.4", style="italic")
            note.set_in_layout(False)  # may run into the empty next cell
    # twice: the first pass measures the texts around axes that it then
    # moves and rescales, the second corrects for that
    for _ in range(2):
        fig.tight_layout(pad=0.3, h_pad=0.5, w_pad=0.2)


def confident_right_per_digit(images, labels, probabilities,
                              n: int = 10) -> None:
    """For each true digit (a row), its `n` most confident right answers.

    The talk's first per-digit view (stage 13). Beside each image, the
    probability the network gave it: two decimals, or, where those would
    read 1.00, how far from 1 it is (`1−3e-6` is 0.999997: three in a
    million left for the other nine digits).
    """
    def title(i):
        return _probability(probabilities[i, labels[i]]), "black"

    rows = confident_right_indices(labels, probabilities, n)
    _digit_rows(images, rows, [f"true {d}" for d in range(10)], title, n,
                label_width=0.8, empty="no right answers")


def worst_mistakes_per_digit(images, labels, probabilities,
                             n: int = 8) -> None:
    """For each true digit (a row), its worst mistakes, worst first.

    Ranked by the probability the network gave the TRUE digit, lowest
    first: the images it was surest were something else. The talk sorted
    the same mistakes the other way round (highest first,
    `np.argsort(pred[:, target])[::-1]`), showing the near misses first.
    Beside each image `→7 · 0.01`: the predicted digit and the probability
    of the true one. The row label counts all the digit's mistakes, of
    which at most `n` are shown.
    """
    def title(i):
        return (f"→{probabilities[i].argmax()} · "
                f"{_probability(probabilities[i, labels[i]])}", "tab:red")

    rows = worst_mistake_indices(labels, probabilities, n)
    counts = mistakes_per_digit(labels, probabilities)
    _digit_rows(images, rows,
                [f"true {d} · {counts[d]} wrong" for d in range(10)], title,
                n, label_width=1.5, empty="no mistakes")


def least_confident(images, labels, probabilities, n: int = 20) -> None:
    """The `n` predictions with the lowest top probability, least sure first.

    Rows of ten, titled `predicted (true) probability`; titles of wrong
    predictions are red, of right ones black.
    """
    import matplotlib.pyplot as plt

    chosen = least_confident_indices(probabilities, n)
    cols = max(1, min(10, len(chosen)))
    rows = max(1, -(-len(chosen) // cols))
    fig, axes = plt.subplots(rows, cols,
                             figsize=(1.3 * cols, min(1.6 * rows, 4.6)),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, chosen):
        predicted = probabilities[i].argmax()
        ax.imshow(np.squeeze(images[i]), cmap="gray")
        ax.set_title(f"{predicted} (true {labels[i]}) "
                     f"{_probability(probabilities[i].max())}", fontsize=10,
                     color="black" if predicted == labels[i] else "tab:red")
    for _ in range(2):  # as in _digit_rows
        fig.tight_layout(pad=0.3, h_pad=0.4, w_pad=0.3)
