"""A model's layers, output shapes and parameter counts in a table that
fits a slide (stage 01 introduces this): `models.summary(model)`.
"""

from __future__ import annotations

import html

import numpy as np


def _describe(layer) -> str:
    """A layer in a few words: `Conv2D 3×3 ×14, relu`, `Dropout 0.2`."""
    c = layer.get_config()
    kind = type(layer).__name__
    act = c.get("activation")
    act = f", {act}" if act and act != "linear" else ""
    if kind == "Conv2D":
        k = "×".join(map(str, c["kernel_size"]))
        return f"Conv2D {k} ×{c['filters']}{act}"
    if kind == "Dense":
        return f"Dense {c['units']}{act}"
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return f"{kind} {'×'.join(map(str, c['pool_size']))}"
    if kind == "Dropout":
        return f"Dropout {c['rate']:g}"
    return kind


class Summary:
    """A model's layers, output shapes and parameter counts, compact.

    Introduced in stage 01: what `model.summary()` prints, in a table that
    fits a slide. Long models are laid out in two halves side by side.
    """

    SPLIT = 12  # more layers than this: two halves side by side

    def __init__(self, model):
        self.name = model.name
        self.rows = [(_describe(layer),
                      "×".join(str(d) for d in layer.output.shape[1:]),
                      layer.count_params()) for layer in model.layers]
        self.total = model.count_params()
        self.trainable = sum(int(np.prod(w.shape))
                             for w in model.trainable_weights)

    def _footer(self) -> str:
        text = f"{self.total:,} parameters"
        if self.trainable != self.total:
            text += (f" ({self.trainable:,} trained by the optimizer, "
                     f"{self.total - self.trainable:,} updated otherwise)")
        return text

    def __repr__(self):
        width = max(len(r[0]) for r in self.rows)
        lines = [f"{self.name}: {len(self.rows)} layers"]
        lines += [f"{d.ljust(width)}  {s:>10}  {p:>7,}" for d, s, p in
                  self.rows]
        return "\n".join(lines + [self._footer()])

    def _repr_html_(self):
        half = (-(-len(self.rows) // 2) if len(self.rows) > self.SPLIT
                else len(self.rows))
        parts = [self.rows[:half], self.rows[half:]]
        tables = []
        for part in filter(None, parts):
            # inline styles: a slide's stylesheet may let cells wrap, or
            # set a table's text as large as the prose
            td = "<td style='white-space:nowrap;padding:1px 8px{}'>{}</td>"
            body = "".join(
                "<tr>" + td.format("", html.escape(d)) + td.format("", s)
                + td.format(";text-align:right", f"{p:,}") + "</tr>"
                for d, s, p in part)
            tables.append("<table class='mnist-summary' "
                          "style='font-size:16px'><tr><th>layer</th>"
                          "<th>output</th><th>params</th></tr>"
                          f"{body}</table>")
        cells = "".join(f"<td style='vertical-align:top;padding:0 1em 0 0'>"
                        f"{t}</td>" for t in tables)
        return (f"<table><tr>{cells}</tr></table>"
                f"<p><b>{html.escape(self._footer())}</b></p>")
