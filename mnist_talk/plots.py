"""Plots the talk shows, one call per slide (stage 01 introduces this).

Digits, learning curves (drawn live by `live.Board` too), learning-rate
schedules and batch normalization's weights. Each function draws a figure
and returns None, so a notebook cell that calls it shows the figure once.
Stage 13's analysis of the final predictions is `analysis`.
"""

from __future__ import annotations

import numpy as np


def show_digits(images, titles=None, cols: int = 10, size: float = 1.3,
                cmap: str = "gray") -> None:
    """A grid of digits with optional titles: the talk's `plots()` (stage 01).

    `images` is N×28×28 (or N×28×28×1), or a list of 2-D images of any
    sizes; `titles` is one label per image.
    """
    import matplotlib.pyplot as plt

    images = [np.squeeze(np.asarray(img)) for img in images]
    n = len(images)
    cols = min(cols, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, img) in enumerate(zip(axes.flat, images)):
        ax.imshow(img, cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=11)
    fig.tight_layout()


def show_image(image, cmap: str = "gray") -> None:
    """One digit, large, with a colour bar of its pixel values (stage 01)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.6, 3))
    shown = ax.imshow(np.squeeze(image), cmap=cmap)
    fig.colorbar(shown, ax=ax)
    ax.set_xticks([0, 27])
    ax.set_yticks([0, 27])


#: The size of a figure of learning curves, in inches (at 100 dpi: pixels
#: / 100): wide and short, to sit under a training cell on one slide.
CURVES_SIZE = (9, 2.4)
#: Colours of the runs (members) in one figure of learning curves.
_RUN_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red",
                "tab:purple", "tab:brown", "tab:pink", "tab:olive")


def _percent(value, _pos=None) -> str:
    return f"{value:g}%"


def draw_curves(fig, histories: dict, talk_accuracy: float | None = None,
                epochs: int | None = None) -> None:
    """Loss and error per epoch of one or more runs, on `fig` (stage 01).

    `histories` maps a run's label to its Keras `History` or `.history`
    dict. Left: the loss; right: the error (100% − accuracy) on a log
    scale, where 99.0% and 99.5% accuracy are 1% and 0.5% error, a factor
    of two apart. Solid lines are training, dashed ones test. The talk's
    final accuracy, when given, is a grey reference line. `epochs` fixes
    the x axis (the live display knows how many are coming).
    """
    from matplotlib.ticker import (FuncFormatter, LogLocator, MaxNLocator,
                                   NullFormatter)
    from matplotlib.lines import Line2D

    left, right = fig.subplots(1, 2)
    handles = []
    longest = 1
    for i, (label, history) in enumerate(histories.items()):
        h = getattr(history, "history", history)
        x = np.arange(1, len(h.get("loss", [])) + 1)
        longest = max(longest, len(x))
        colour = _RUN_COLOURS[i % len(_RUN_COLOURS)]
        for key, style in (("", "-"), ("val_", "--")):
            if key + "loss" in h:
                left.plot(x, h[key + "loss"], style, c=colour, marker=".")
            if key + "accuracy" in h:
                err = 100 * (1 - np.asarray(h[key + "accuracy"], float))
                right.plot(x, np.maximum(err, 1e-3), style, c=colour,
                           marker=".")
        if len(histories) > 1:
            handles.append(Line2D([], [], c=colour, label=label))
    handles += [Line2D([], [], c="k", ls="-", label="train"),
                Line2D([], [], c="k", ls="--", label="test")]
    if talk_accuracy is not None:
        right.axhline(100 * (1 - talk_accuracy), ls=":", c="gray", lw=1.5)
        handles.append(Line2D([], [], c="gray", ls=":", lw=1.5,
                              label=f"the talk's\nresult {talk_accuracy:.2%}"))
    left.set(title="loss", xlabel="epoch")
    right.set(title="error = 100% − accuracy, log scale", xlabel="epoch",
              yscale="log")
    right.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    right.yaxis.set_major_formatter(FuncFormatter(_percent))
    right.yaxis.set_minor_formatter(NullFormatter())
    last = max(epochs or 1, longest)
    for ax in (left, right):
        if last <= 12:
            ax.set_xticks(range(1, last + 1))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0.5, last + 0.5)
        ax.grid(alpha=0.3)
    # at least a factor of 5 between the bottom and the top of the error
    # axis, so that it always has ticks at 1, 2 or 5 times a power of ten
    low, high = right.get_ylim()
    if high / low < 5:
        middle = (low * high) ** 0.5
        right.set_ylim(middle / 5 ** 0.5, middle * 5 ** 0.5)
    fig.legend(handles=handles, loc="center right", fontsize=9,
               frameon=False)
    fig.tight_layout(rect=(0, 0, 0.83, 1))


def show_curves(histories: dict, talk_accuracy: float | None = None) -> None:
    """`draw_curves` as a figure of its own, for runs side by side (stage 01)."""
    import matplotlib.pyplot as plt

    draw_curves(plt.figure(figsize=CURVES_SIZE), histories, talk_accuracy)


def learning_rate(schedule, steps: int, steps_per_epoch: int) -> None:
    """A Keras learning-rate schedule, per epoch, on a log scale (stage 11)."""
    import matplotlib.pyplot as plt

    x = np.arange(0, steps, max(1, steps // 400))
    y = [float(schedule(int(s))) for s in x]
    fig, ax = plt.subplots(figsize=(6, 2.6))
    ax.plot(x / steps_per_epoch, y)
    ax.set(xlabel="epoch", ylabel="learning rate", yscale="log")
    ax.grid(alpha=0.3)
    fig.tight_layout()


def compare_images(rows: dict, cols: int = 10, size: float = 1.1) -> None:
    """Rows of digits, each row titled: e.g. before/after a layer (stage 02)."""
    import matplotlib.pyplot as plt

    n = len(rows)
    fig, axes = plt.subplots(n, cols, figsize=(cols * size, n * size * 1.15),
                             squeeze=False)
    for r, (title, images) in enumerate(rows.items()):
        images = np.asarray(images)
        if images.ndim == 4:
            images = images[..., 0]
        for c in range(cols):
            ax = axes[r, c]
            ax.axis("off")
            if c < len(images):
                ax.imshow(images[c], cmap="gray")
        axes[r, 0].set_title(title, loc="left", fontsize=10)
    fig.tight_layout()


def batch_norm_weights(norm_layers) -> None:
    """The learned scale γ and shift β of each channel, per layer (stage 08)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharex=True)
    for i, layer in enumerate(norm_layers):
        for ax, weight in zip(axes, (layer.gamma, layer.beta)):
            values = np.asarray(weight.numpy() if hasattr(weight, "numpy")
                                else weight)
            ax.plot(np.full(values.shape, i + 1), values, "o", alpha=0.6)
    for ax, title, start in zip(axes, ("scale γ", "shift β"), (1, 0)):
        ax.axhline(start, ls="--", c="gray", lw=1)
        ax.set(title=title, xlabel="normalization after block")
        ax.set_xticks(range(1, len(norm_layers) + 1))
        ax.grid(alpha=0.3)
    fig.tight_layout()
