"""Does every slide of a reveal.js deck fit the screen? The measurement,
and a contact sheet of every slide.

`slide_fit` walks every slide with every fragment shown and measures it:
how tall its content is against reveal.js's slide height, and which element
is clipped, scrolls or runs past the right edge. `contact_sheet` tiles a
screenshot of every slide into one PNG, overflowing slides framed in red.
The measurement is plain JavaScript on reveal.js's API (`js/slide_fit.js`),
so it works in any page that embeds reveal.js: nbconvert's static decks,
and RISE in JupyterLab (pass the frame and an expression that reaches its
Reveal). The pages come from `browser`.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from urllib.parse import urlparse

from PIL import Image, ImageDraw, ImageFont

#: The measurement, installed once per page as `window.__slideFit`.
FIT_JS = Path(__file__).with_name("js") / "slide_fit.js"


@functools.cache
def fit_js() -> str:
    """The measurement's JavaScript: a function of reveal.js's API object."""
    return FIT_JS.read_text(encoding="utf-8")


def _install(page, reveal: str) -> None:
    page.evaluate(f"() => ({fit_js()})({reveal})")


def _deck(page) -> str:
    name = Path(urlparse(page.url).path).name
    for suffix in (".slides.html", ".html", ".ipynb"):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name


def slide_fit(page, reveal: str = "window.Reveal",
              deck: str | None = None) -> list[dict]:
    """Measure every slide (and sub-slide) of the reveal.js deck in `page`
    (a Playwright page or frame), every fragment shown.

    One dict per slide, in order: `deck`, `number` (1-based, as reveal.js
    numbers them), `h`, `v`, `width_limit` and `height_limit` (the slide's
    size in reveal.js's config), `content_height` and `content_width` (the
    union of the boxes of the slide's children, in slide pixels, however
    the deck lets it scroll), `clipped` (elements that clip or scroll their
    content, or run past the right edge: `element`, `how`, `size`, `limit`)
    and `title` (its first heading). `reveal` is a JavaScript expression for
    the reveal.js API (RISE does not make it a global)."""
    _install(page, reveal)
    results = page.evaluate("() => window.__slideFit.all()")
    deck = deck if deck is not None else _deck(page)
    for n, r in enumerate(results, 1):
        r.update(deck=deck, number=n)
    return results


def fits(result: dict) -> bool:
    return (result["content_height"] <= result["height_limit"] + 1
            and not result["clipped"])


def overflowing(results: list[dict]) -> list[str]:
    """One line per problem in `slide_fit`'s results: the slides taller than
    reveal.js's slide, and every element clipped, scrolled or past the edge."""
    lines = []
    for r in results:
        where = f"{r['deck']} slide {r['number']} (h={r['h']}, v={r['v']})"
        if r["content_height"] > r["height_limit"] + 1:
            lines.append(f"{where}: content {r['content_height']} px tall, "
                         f"limit {r['height_limit']} px")
        for c in r["clipped"]:
            times = f" ({c['count']} of them)" if c.get("count", 1) > 1 else ""
            lines.append(f"{where}: {c['element']} {c['how']} "
                         f"{c['size']} > {c['limit']} px{times}")
    return lines


def tallest(results: list[dict]) -> dict | None:
    return max(results, key=lambda r: r["content_height"], default=None)


#: A contact sheet's cell: the label's height above each thumbnail, the
#: margin around it, and the width of the red frame of a slide that does
#: not fit (drawn across the thumbnail's edge).
SHEET_LABEL, SHEET_PAD, SHEET_FRAME = 30, 12, 6


def contact_sheet(page, path, columns: int = 4, thumb_width: int = 480,
                  reveal: str = "window.Reveal",
                  deck: str | None = None) -> list[dict]:
    """Screenshot every slide of the deck in `page` (every fragment shown, at
    the page's viewport) and tile them, labelled with their numbers, into
    one PNG at `path`; slides that do not fit get a red frame. Returns the
    `slide_fit` results it measured on the way."""
    _install(page, reveal)
    page.evaluate("() => window.__slideFit.begin()")
    shots, results = [], []
    try:
        for n, (h, v) in enumerate(page.evaluate(
                "() => window.__slideFit.indices()"), 1):
            r = page.evaluate("async ([h, v]) => { await window.__slideFit"
                              ".show(h, v); return window.__slideFit"
                              ".measure(); }", [h, v])
            r.update(h=h, v=v, number=n)
            results.append(r)
            shots.append(Image.open(io.BytesIO(
                page.screenshot(animations="disabled"))))
    finally:
        page.evaluate("() => window.__slideFit.end()")
    deck = deck if deck is not None else _deck(page)
    for r in results:
        r["deck"] = deck

    label_h, pad, frame = SHEET_LABEL, SHEET_PAD, SHEET_FRAME
    font = ImageFont.load_default(size=20)
    thumbs = []
    for shot in shots:
        ratio = thumb_width / shot.width
        thumbs.append(shot.convert("RGB").resize(
            (thumb_width, round(shot.height * ratio)), Image.LANCZOS))
    thumb_h = max((t.height for t in thumbs), default=0)
    rows = -(-len(thumbs) // columns) if thumbs else 0
    cell_w, cell_h = thumb_width + 2 * pad, thumb_h + label_h + 2 * pad
    sheet = Image.new("RGB", (max(columns * cell_w, 1), max(rows * cell_h, 1)),
                      "#e8e8e8")
    draw = ImageDraw.Draw(sheet)
    for i, (thumb, r) in enumerate(zip(thumbs, results)):
        x = (i % columns) * cell_w + pad
        y = (i // columns) * cell_h + pad
        ok = fits(r)
        label = f"{r['number']}  ({r['h']}.{r['v']})  {r['content_height']} px"
        if r["content_height"] > r["height_limit"] + 1:
            label += f" > {r['height_limit']}"
        elif r["clipped"]:
            label += f" · {r['clipped'][0]['how']}"
        draw.text((x, y), label, fill="black" if ok else "#c00000", font=font)
        sheet.paste(thumb, (x, y + label_h))
        if not ok:
            draw.rectangle([x - frame // 2, y + label_h - frame // 2,
                            x + thumb.width + frame // 2 - 1,
                            y + label_h + thumb.height + frame // 2 - 1],
                           outline="#e00000", width=frame)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return results


