"""Stage 13's analysis of the final predictions: which test images each
view picks (pure index functions) and whether its figure fits a slide."""

import numpy as np
import pytest

from mnist_talk import analysis

#: A figure must fit a 1280×720 slide under its heading, at 100 dpi.
MAX_WIDTH, MAX_HEIGHT = 13, 4.6
#: The smallest side of a digit that still reads on a slide, in inches.
MIN_IMAGE = 0.38


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def predictions():
    """400 synthetic predictions: mostly right; every 2 and 7 right, every 9
    wrong (an empty row in each per-digit view); 7 has only 3 images."""
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, 400)
    labels[labels == 7] = rng.choice([0, 1, 3], (labels == 7).sum())
    labels[:3] = 7
    logits = rng.normal(size=(400, 10))
    boost = rng.random(400) < 0.8
    logits[np.arange(400), labels] += np.where(boost, rng.uniform(0, 8, 400),
                                               0)
    logits[labels == 2, 2] += 20
    logits[labels == 7, 7] += 20
    logits[labels == 9, 9] -= 20
    probs = _softmax(logits)
    images = rng.integers(0, 255, (400, 28, 28)).astype(np.uint8)
    return images, labels, probs


@pytest.fixture
def agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    yield plt
    plt.close("all")


def test_confident_right_are_the_top_n_right_answers_per_true_digit(
        predictions):
    _, labels, probs = predictions
    predicted = probs.argmax(axis=1)
    rows = analysis.confident_right_indices(labels, probs, n=10)
    assert len(rows) == 10
    for digit, chosen in enumerate(rows):
        right = np.flatnonzero((labels == digit) & (predicted == digit))
        assert len(chosen) == min(10, len(right))
        assert np.all(labels[chosen] == digit)
        assert np.all(predicted[chosen] == digit)
        shown = probs[chosen, digit]
        assert np.all(np.diff(shown) <= 0), "most confident first"
        rest = np.setdiff1d(right, chosen)
        if len(rest) and len(chosen):
            assert shown.min() >= probs[rest, digit].max()
    assert len(rows[9]) == 0, "no 9 is right"
    assert len(rows[7]) == 3, "only three 7s"


def test_worst_mistakes_ascend_by_true_class_probability(predictions):
    _, labels, probs = predictions
    predicted = probs.argmax(axis=1)
    rows = analysis.worst_mistake_indices(labels, probs, n=8)
    assert len(rows) == 10
    for digit, chosen in enumerate(rows):
        wrong = np.flatnonzero((labels == digit) & (predicted != digit))
        assert len(chosen) == min(8, len(wrong))
        assert np.all(labels[chosen] == digit)
        assert np.all(predicted[chosen] != digit)
        shown = probs[chosen, digit]
        assert np.all(np.diff(shown) >= 0), "lowest true probability first"
        rest = np.setdiff1d(wrong, chosen)
        if len(rest) and len(chosen):
            assert shown.max() <= probs[rest, digit].min()
    assert len(rows[2]) == 0, "no 2 is wrong"
    assert len(rows[9]) == 8
    # the talk's order (np.argsort(pred[:, target])[::-1]) is the reverse
    wrong9 = np.flatnonzero(labels == 9)
    talk = wrong9[np.argsort(probs[wrong9, 9])[::-1]]
    assert probs[rows[9][0], 9] == probs[talk[-1], 9]


def test_mistakes_per_digit_counts_every_mistake(predictions):
    _, labels, probs = predictions
    counts = analysis.mistakes_per_digit(labels, probs)
    matrix = analysis.confusion_matrix(labels, probs)
    assert counts.shape == (10,)
    assert np.array_equal(counts, matrix.sum(axis=1) - np.diag(matrix))
    assert counts[2] == 0 and counts[9] == (labels == 9).sum()
    assert counts.sum() == (probs.argmax(axis=1) != labels).sum()


def test_least_confident_picks_the_lowest_maxima(predictions):
    _, _, probs = predictions
    top = probs.max(axis=1)
    chosen = analysis.least_confident_indices(probs, n=20)
    assert len(chosen) == 20 and len(set(chosen)) == 20
    assert np.allclose(top[chosen], np.sort(top)[:20])
    assert np.all(np.diff(top[chosen]) >= 0)
    assert len(analysis.least_confident_indices(probs[:5], n=20)) == 5


@pytest.mark.parametrize("p, text", [
    (0.41, "0.41"), (0.994, "0.99"), (0.999997, "1−3e-6"), (1.0, "1"),
    (0.99, "0.99"), (2e-5, "2e-5"), (0.0, "0"), (0.005, "0.01")])
def test_probability_titles_say_more_than_1_00(p, text):
    assert analysis._probability(p) == text


def _texts(fig):
    """Every non-empty text drawn: axes texts and titles, figure texts."""
    texts = list(fig.texts)
    for ax in fig.axes:
        texts += list(ax.texts)
        texts += [ax.title, ax._left_title, ax._right_title]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _check_fits(fig, texts_on_images: bool = False):
    """The figure fits the slide; digits are big enough; no text overlaps
    another text (or, unless allowed, an image) or leaves the figure."""
    width, height = fig.get_size_inches()
    assert width <= MAX_WIDTH + 1e-9 and height <= MAX_HEIGHT + 1e-9
    assert fig.dpi == 100
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    images = [im.get_window_extent(renderer) for ax in fig.axes
              for im in ax.images]
    assert images
    for box in images:
        assert min(box.width, box.height) / fig.dpi >= MIN_IMAGE
    boxes = [(t.get_text(), t.get_window_extent(renderer))
             for t in _texts(fig)]
    w_px, h_px = width * fig.dpi, height * fig.dpi
    for text, box in boxes:
        assert box.x0 >= -0.5 and box.y0 >= -0.5, text
        assert box.x1 <= w_px + 0.5 and box.y1 <= h_px + 0.5, text

    def overlap(a, b):
        return (min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5
                and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5)

    for i, (text, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1:]:
            assert not overlap(box, other_box), (text, other)
        if not texts_on_images:
            for image in images:
                assert not overlap(box, image), text
    return [text for text, _ in boxes]


def test_confident_right_per_digit_fits_and_says_empty_rows(agg,
                                                            predictions):
    images, labels, probs = predictions
    assert analysis.confident_right_per_digit(images, labels, probs) is None
    assert len(agg.get_fignums()) == 1
    texts = _check_fits(agg.gcf())
    for digit in range(10):
        assert f"true {digit}" in texts
    assert "no right answers" in texts
    rows = analysis.confident_right_indices(labels, probs)
    shown = sum(len(ax.images) for ax in agg.gcf().axes)
    assert shown == sum(len(r) for r in rows)


def test_worst_mistakes_per_digit_fits_and_counts_each_row(agg,
                                                           predictions):
    images, labels, probs = predictions
    assert analysis.worst_mistakes_per_digit(images, labels, probs) is None
    assert len(agg.get_fignums()) == 1
    texts = _check_fits(agg.gcf())
    counts = analysis.mistakes_per_digit(labels, probs)
    for digit in range(10):
        assert f"true {digit} · {counts[digit]} wrong" in texts
    assert "no mistakes" in texts
    worst9 = analysis.worst_mistake_indices(labels, probs)[9][0]
    assert (f"→{probs[worst9].argmax()} · "
            f"{analysis._probability(probs[worst9, 9])}") in texts


def test_least_confident_fits_and_marks_mistakes_red(agg, predictions):
    images, labels, probs = predictions
    assert analysis.least_confident(images, labels, probs) is None
    fig = agg.gcf()
    assert len(agg.get_fignums()) == 1
    _check_fits(fig)
    chosen = analysis.least_confident_indices(probs, 20)
    titles = [ax.title for ax in fig.axes if ax.images]
    assert len(titles) == 20
    for i, title in zip(chosen, titles):
        wrong = probs[i].argmax() != labels[i]
        assert title.get_text().startswith(
            f"{probs[i].argmax()} (true {labels[i]}) ")
        red = title.get_color() == "tab:red"
        assert red == wrong
    analysis.least_confident(images, labels, probs, n=4)
    _check_fits(agg.gcf())


def test_confusion_counts_are_readable(agg):
    """Real-sized counts (four digits on the diagonal) fit their cells."""
    from matplotlib.colors import to_rgb

    rng = np.random.default_rng(2)
    labels = rng.integers(0, 10, 10000)
    logits = rng.normal(size=(10000, 10))
    logits[np.arange(10000), labels] += 6
    logits[:40, 3] += 20  # one dark cell: 40 or so images called 3
    probs = _softmax(logits)
    assert analysis.show_confusion(labels, probs) is None
    fig = agg.gcf()
    assert len(agg.get_fignums()) == 1
    _check_fits(fig, texts_on_images=True)
    matrix_ax = fig.axes[0]
    assert matrix_ax.get_xlabel() == "predicted digit"
    assert matrix_ax.get_ylabel() == "true digit"
    counts = analysis.confusion_matrix(labels, probs)
    renderer = fig.canvas.get_renderer()
    to_px = matrix_ax.transData
    written = {}
    for text in matrix_ax.texts:
        p, t = (int(round(v)) for v in text.get_position())
        # the mistakes at 11 pt or more; the four-digit right answers on
        # the diagonal at 10 pt, so that they fit their cells
        assert text.get_fontsize() >= (10 if t == p else 11)
        written[t, p] = text
        (x0, y0), (x1, y1) = to_px.transform([(p - 0.5, t + 0.5),
                                              (p + 0.5, t - 0.5)])
        box = text.get_window_extent(renderer)
        assert x0 <= box.x0 and box.x1 <= x1 and y0 <= box.y0 <= box.y1 <= y1
    for t in range(10):
        assert written[t, t].get_text() == str(counts[t, t])
        assert to_rgb(written[t, t].get_color()) != to_rgb("black")
        for p in range(10):
            if t != p:
                assert ((t, p) in written) == bool(counts[t, p])
    darkest = np.unravel_index(
        np.where(np.eye(10, dtype=bool), -1, counts).argmax(), counts.shape)
    assert to_rgb(written[darkest].get_color()) == to_rgb("white")
