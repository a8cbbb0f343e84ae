"""Plots the talk shows, one call per slide.

Each function draws a figure and returns None, so a notebook cell that
calls it shows the figure once.
"""

from __future__ import annotations

import numpy as np


def show_digits(images, titles=None, cols: int = 10, size: float = 1.3,
                cmap: str = "gray") -> None:
    """A grid of digits with optional titles: the talk's `plots()` (stage 01).

    `images` is N×28×28 (or N×28×28×1); `titles` is one label per image.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
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


def learning_curves(history, talk_accuracy: float | None = None) -> None:
    """Loss and accuracy per epoch from a Keras `History` (stage 01).

    `history` may be a `History` or its `.history` dict; the talk's figure,
    when given, is drawn as a dashed line for comparison.
    """
    import matplotlib.pyplot as plt

    h = getattr(history, "history", history)
    epochs = np.arange(1, len(h["loss"]) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.plot(epochs, h["loss"], "o-", label="train")
    if "val_loss" in h:
        left.plot(epochs, h["val_loss"], "o-", label="test")
    left.set(title="loss", xlabel="epoch")
    right.plot(epochs, h["accuracy"], "o-", label="train")
    if "val_accuracy" in h:
        right.plot(epochs, h["val_accuracy"], "o-", label="test")
    if talk_accuracy is not None:
        right.axhline(talk_accuracy, ls="--", c="gray", label="the talk")
    right.set(title="accuracy", xlabel="epoch")
    right.yaxis.set_major_formatter(plt.FuncFormatter("{:.1%}".format))
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
        if len(epochs) < 15:
            ax.set_xticks(epochs)
    fig.tight_layout()
