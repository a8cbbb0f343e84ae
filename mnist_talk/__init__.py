"""Helpers for the 'Beating MNIST' notebook series.

Stage 01 introduces the package; each module's docstring names the stage
that introduces it. Nothing happens at import: each module is imported by
the notebook that needs it (`from mnist_talk import data, plots`).

Imports sit at the top of each module, with four exceptions. Keras (and
TensorFlow, JAX or PyTorch under it) is imported inside the functions that
use it: a backend reads the visible devices once, when it starts, so a
notebook must choose its device (`session.start`) before anything imports
Keras; `augment`, a module of Keras layers, is imported the same way.
Matplotlib waits too, so that scripts that draw nothing do not pay for it.
`sources`, the downloads, is imported only when no cache holds MNIST, and
`summary`, the table of a model's layers, only when a notebook shows one.
`files` and `installed` use the standard library only: `mnist_series.lock`
reads them before any venv exists.

What runs the series around the notebooks is the package `mnist_series`.
"""
