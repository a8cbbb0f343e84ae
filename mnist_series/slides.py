"""Render the executed notebooks as offline reveal.js decks, plus an index.

    python -m mnist_series.slides [--out slides] [--stages 01,03-05] [--full]

Each deck loads reveal.js, require.js, jQuery and MathJax from `vendor/`
beside it (copied from `slides/node_modules` by `make slides`, pinned by
`slides/package-lock.json`), so the decks and the index open with no
network at all. A notebook without outputs is not rendered: the command
names it and says how to run it first. The decks are the talk's cut
(`mnist_series.cut`: no cell tagged `cut`); `--full` (`make slides
FULL=1`) renders every slide.

Then each deck is opened in headless Chromium at 1280x720: the command
prints its slide count and tallest slide against reveal.js's 700 px, names
every slide that does not fit (too tall, or an element clipped, scrolling
or past the right edge), and writes a contact sheet of all its slides to
`build/slides/NN_slug.contact.png`. A slide that does not fit is reported,
not an error here; the tests fail on it.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

from mnist_talk import stages, tables
from mnist_talk.files import BUILD, NOTEBOOKS, RESULTS, ROOT, atomic_write

from . import browser, cut, measure, series
from .ladder import plot_svg

SLIDES = ROOT / "slides"
#: Where the contact sheets go (and the tests' screenshots): git-ignored.
SHEETS = BUILD / "slides"
TEMPLATES = SLIDES / "templates"
#: What every deck needs from vendor/, relative to the deck.
VENDOR = {
    "reveal_url_prefix": "vendor/reveal.js",
    "require_js_url": "vendor/require.js",
    "jquery_url": "vendor/jquery.min.js",
    "mathjax_url": "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}
HIDDEN_TAGS = ("injected-parameters",)


class SlidesError(RuntimeError):
    """Decks cannot be built: says what to do first."""


def missing_vendor(out: Path) -> list[str]:
    """The vendored files a deck in `out` would load but cannot find."""
    needed = ["vendor/reveal.js/dist/reveal.js", "vendor/reveal.js/dist/reveal.css",
              "vendor/reveal.js/plugin/notes/notes.js", "vendor/require.js",
              "vendor/jquery.min.js", "vendor/mathjax/MathJax.js"]
    return [n for n in needed if not (out / n).exists()]


def visible_cells(nb) -> list:
    """The cells a deck shows: no skipped cells, no injected parameters."""
    return [c for c in nb.cells
            if c.metadata.get("slideshow", {}).get("slide_type") != "skip"
            and not set(c.metadata.get("tags", [])) & set(HIDDEN_TAGS)]


def expected_slides(nb) -> int:
    """How many slides reveal.js should count (slides plus sub-slides)."""
    cells = visible_cells(nb)
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in cells]
    count = sum(k in ("slide", "subslide") for k in kinds)
    if kinds and kinds[0] not in ("slide", "subslide"):
        count += 1  # the first cell always opens a slide
    return count


def has_outputs(nb) -> bool:
    """Whether every code cell has been executed (a real run, not a draft)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return bool(code) and all(c.get("execution_count") for c in code)


def _exporter():
    c = Config()
    c.SlidesExporter.template_name = "offline"
    c.SlidesExporter.extra_template_basedirs = [str(TEMPLATES)]
    for name, value in VENDOR.items():
        setattr(c.SlidesExporter, name, value)
    c.SlidesExporter.reveal_theme = "white"  # its fonts ship with reveal.js
    c.SlidesExporter.reveal_transition = "none"
    # No scrolling slides: nbconvert's scroll boxes any slide taller than 95%
    # of the window, not of the slide, so at 1280x720 a slide of 690 px that
    # fits gets a scroll bar, and at 1920x1080 one of 900 px is cut with
    # none. Every slide fits instead, and `check` measures that.
    c.SlidesExporter.reveal_scroll = False
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = HIDDEN_TAGS
    return SlidesExporter(config=c)


def deck_name(stage_id: str) -> str:
    return f"{stage_id}.slides.html"


def build(out: Path = SLIDES, ids: list[str] | None = None,
          notebooks: Path | None = None, full: bool = False
          ) -> tuple[list[str], list[str]]:
    """Render each executed notebook, as the talk cuts it unless `full`;
    return (built ids, ids not yet run)."""
    notebooks = notebooks or NOTEBOOKS
    absent = missing_vendor(out)
    if absent:
        raise SlidesError(
            f"{out} lacks what the decks load ({', '.join(absent)}): run "
            "`make slides`, which installs it with npm from "
            "slides/package-lock.json")
    exporter = _exporter()
    built, not_run = [], []
    for sid in ids or series.notebook_ids():
        nb = nbformat.read(notebooks / f"{sid}.ipynb", as_version=4)
        if not has_outputs(nb):
            not_run.append(sid)
            continue
        body, _ = exporter.from_notebook_node(nb if full else cut.talk(nb))
        with atomic_write(out / deck_name(sid), "w", encoding="utf-8") as f:
            f.write(body)
        built.append(sid)
    return built, not_run


def check(out: Path, ids: list[str], sheets: Path = SHEETS
          ) -> dict[str, list[dict]]:
    """Open each deck of `out` in headless Chromium (1280x720), measure every
    slide (`measure.slide_fit`) and write `sheets/<id>.contact.png`."""
    measured = {}
    with browser.serve(out) as base, browser.open_page() as session:
        for sid in ids:
            browser.open_deck(session.page, f"{base}/{deck_name(sid)}")
            measured[sid] = measure.contact_sheet(
                session.page, sheets / f"{sid}.contact.png", deck=sid)
        if session.outside:
            raise SlidesError("the decks asked for files on other machines: "
                              + ", ".join(session.outside[:5]))
    return measured


def report(measured: dict[str, list[dict]]) -> list[str]:
    """Per deck: slides, the tallest against the limit, what does not fit."""
    lines = []
    for sid, fit in measured.items():
        top = measure.tallest(fit)
        if top is None:
            lines.append(f"{sid}: no slides")
            continue
        bad = [r for r in fit if not measure.fits(r)]
        lines.append(
            f"{sid}: {len(fit)} slides, tallest {top['content_height']} px "
            f"(slide {top['number']}) of {top['height_limit']}; "
            + (f"{len(bad)} do not fit:" if bad else "all fit"))
        lines += ["  " + line for line in measure.overflowing(fit)]
    return lines


def write_index(out: Path, results_dir: Path = RESULTS,
                full: bool = False) -> Path:
    """An index page of the 13 stages: the results ladder, linked to decks,
    each deck's minutes in the talk, and the ladder's plot."""
    table = tables.ladder(results_dir)
    table.header.append("minutes")
    rows, total = [], 0
    for st, row in zip(stages.STAGES, table.rows):
        ipynb = NOTEBOOKS / f"{st.id}.ipynb"
        given = cut.minutes(cut.read(st.id)) if ipynb.exists() else None
        total += given[0] if given else 0
        row.append(f"{given[0]} ({given[1] // 60}:{given[1] % 60:02d})"
                   if given else "—")
        title = html.escape(st.title)
        if (out / deck_name(st.id)).exists():
            row[1] = f'<a href="{deck_name(st.id)}">{title}</a>'
        elif (NOTEBOOKS / f"{st.id}.py").exists():
            row[1] = f"{title} <em>(not run yet)</em>"
        else:
            row[1] = f"{title} <em>(not written yet)</em>"
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    header = "".join(f"<th>{h}</th>" for h in table.header)
    version = (FULL_DECKS if full else CUT_DECKS).format(minutes=total)
    svg = plot_svg(results_dir)
    svg = svg[svg.index("<svg"):]  # inline: drop the XML prologue
    target = out / "index.html"
    with atomic_write(target, "w", encoding="utf-8") as f:
        f.write(INDEX.format(header=header, rows="\n".join(rows), plot=svg,
                             version=version))
    return target


CUT_DECKS = ("These decks are the {minutes}-minute talk: the slides a speaker "
             "shows, with the script in the speaker notes (press S). "
             "<code>make slides FULL=1</code> renders every slide, for "
             "students.")
FULL_DECKS = ("These decks hold every slide, for students; the "
              "{minutes}-minute talk shows fewer (<code>make slides</code>).")

INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Beating MNIST: the slides</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ padding: .35em .7em; border-bottom: 1px solid #ccc; text-align: left; }}
td:nth-child(3), td:nth-child(4), td:nth-child(5), td:nth-child(6),
td:nth-child(7), td:nth-child(8) {{ text-align: right; }}
</style></head>
<body>
<h1>Beating MNIST: from nothing to state of the art</h1>
<p>One deck per stage of the talk. "Ours" is the test accuracy of the last
full run recorded in <code>results/</code>; "talk" is the talk's figure;
"minutes" is the deck's time in the talk, and when it starts.</p>
<p>{version}</p>
<p><a href="draw.html">Draw a digit</a>: every stage's network reads it.
Served by <code>make draw</code> (http://127.0.0.1:8765/draw.html); opened
from here as a file it says so.</p>
<table>
<tr>{header}</tr>
{rows}
</table>
<figure>{plot}</figure>
</body></html>
"""


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(ROOT)
    except ValueError:
        return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mnist_series.slides",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=SLIDES)
    ap.add_argument("--stages", help="e.g. 01,03-05 (default: all)")
    ap.add_argument("--full", action="store_true",
                    help="every slide, not the talk's cut")
    args = ap.parse_args(argv)
    try:
        built, not_run = build(args.out, series.select(args.stages),
                               full=args.full)
    except (SlidesError, series.SeriesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    index = write_index(args.out, full=args.full)
    print(f"built {len(built)} deck(s) and {index}")
    try:
        measured = check(args.out, built)
    except (browser.BrowserError, SlidesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report(measured)))
    bad = sum(not measure.fits(r) for fit in measured.values() for r in fit)
    print(f"{bad} slide(s) do not fit 1280x720; contact sheets in "
          f"{_shown(SHEETS)}/NN_slug.contact.png")
    if not_run:
        print("these notebooks have no outputs yet, so no deck: run "
              f"`make talk ARGS=\"--stages {','.join(s[:2] for s in not_run)}\"` "
              f"first: {', '.join(not_run)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
