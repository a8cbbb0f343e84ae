"""Helpers for the 'Beating MNIST' notebook series.

Nothing happens at import: each module is imported by the notebook that
needs it (`from mnist_talk import data, plots`).
"""
