"""The decks render offline, work in a real browser (headless Chromium), and
every slide fits the screen (1280x720)."""

import base64
import io
import re

import nbformat
import pytest
from nbformat import v4

from mnist_series import browser, measure, series, slides
from mnist_talk import files

SCREENSHOTS = slides.SHEETS


def _vendored(out):
    absent = slides.missing_vendor(slides.SLIDES)
    if absent:
        pytest.fail(f"slides/vendor is incomplete ({', '.join(absent)}): "
                    "run `make slides` or `make test`, which install it")
    (out / "vendor").symlink_to(slides.SLIDES / "vendor")


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Every deck with every slide (`make slides FULL=1`): the talk's cut
    leaves out whole slides or cells of a slide, so what fits here fits
    in the talk (tests/test_cut.py renders the cut)."""
    out = tmp_path_factory.mktemp("decks")
    _vendored(out)
    built, not_run = slides.build(out, full=True)
    slides.write_index(out, full=True)
    return out, built, not_run


def test_every_executed_notebook_gets_a_deck(decks):
    out, built, not_run = decks
    assert not_run == []
    assert built == series.notebook_ids()
    loads = re.compile(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//'
                       r'|@import\s+url\(["\']?(?:https?:)?//')
    for sid in built:
        text = (out / slides.deck_name(sid)).read_text()
        assert not loads.search(text), f"{sid} loads something from the web"


def test_a_notebook_without_outputs_is_named_not_rendered(tmp_path):
    sid = series.notebook_ids()[0]
    nb = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, tmp_path / f"{sid}.ipynb")
    out = tmp_path / "out"
    out.mkdir()
    (out / "vendor").symlink_to(slides.SLIDES / "vendor")
    built, not_run = slides.build(out, [sid], notebooks=tmp_path)
    assert (built, not_run) == ([], [sid])
    assert not (out / slides.deck_name(sid)).exists()


def test_missing_vendor_files_are_a_clear_error(tmp_path):
    with pytest.raises(slides.SlidesError, match="run `make slides`"):
        slides.build(tmp_path)


@pytest.fixture(scope="module")
def seen(decks, chromium):
    """Every deck, visited once in one headless Chromium at 1280x720: what
    reveal.js counts, whether images and MathJax load, a screenshot of the
    first slide, and every slide measured (a contact sheet of each deck
    that does not fit). All of it in build/slides/."""
    out, built, _ = decks
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report = {}
    with browser.serve(out) as base, \
            browser.open_page(executable=chromium) as session:
        page = session.page
        for sid in built:
            browser.open_deck(page, f"{base}/{slides.deck_name(sid)}")
            nb = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb", as_version=4)
            deck = {
                "total": page.evaluate("Reveal.getTotalSlides()"),
                "expected": slides.expected_slides(nb),
                "images": page.evaluate(
                    "Array.from(document.images).map("
                    "i => i.complete && i.naturalWidth > 0)"),
                "mathjax": page.evaluate("typeof MathJax"),
                "pictures": sum(
                    bool({"image/png", "image/jpeg"} & set(o.get("data", {})))
                    for c in slides.visible_cells(nb)
                    for o in c.get("outputs", [])),
            }
            page.screenshot(path=str(SCREENSHOTS / f"{sid}.png"))
            deck["fit"] = measure.slide_fit(page, deck=sid)
            if not all(map(measure.fits, deck["fit"])):
                measure.contact_sheet(page, SCREENSHOTS / f"{sid}.contact.png",
                                      deck=sid)
            report[sid] = deck
        page.goto(f"{base}/index.html")
        links = page.evaluate(
            "document.querySelectorAll('a[href$=\".slides.html\"]').length")
        assert page.evaluate(
            "!!document.querySelector('a[href=\"draw.html\"]')")
        page.screenshot(path=str(SCREENSHOTS / "index.png"))
        return {"decks": report, "links": links, "built": built,
                "outside": list(session.outside),
                "errors": list(session.errors)}


def test_decks_in_headless_chromium(seen):
    """Reveal.js starts, counts the notebook's slides, images load, MathJax
    is there, and not one request leaves the machine."""
    for sid, deck in seen["decks"].items():
        assert deck["total"] == deck["expected"], sid
        assert all(deck["images"]), f"{sid}: images did not load"
        assert len(deck["images"]) >= deck["pictures"], \
            f"{sid}: figures missing from the deck"
        assert deck["mathjax"] == "object", sid
        assert len(deck["fit"]) == deck["total"], \
            f"{sid}: not every slide walked"
    assert seen["outside"] == [], \
        f"requests left the machine: {seen['outside'][:5]}"
    assert seen["errors"] == [], seen["errors"][:5]
    assert seen["links"] == len(seen["built"])
    print("slides per deck:",
          {sid: deck["total"] for sid, deck in seen["decks"].items()})


def test_every_slide_fits_the_screen(seen):
    """At 1280x720, every slide of every deck, every fragment shown, is no
    taller than reveal.js's 700 px, and nothing on it is clipped, scrolls
    or runs past the right edge."""
    lines = [line for deck in seen["decks"].values()
             for line in measure.overflowing(deck["fit"])]
    slides_bad = {(line.split(":")[0]) for line in lines}
    assert not lines, (
        f"{len(slides_bad)} slide(s) do not fit 1280x720 (see the contact "
        f"sheets build/slides/NN_slug.contact.png):\n" + "\n".join(lines))


def _png(width: int, height: int) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), "steelblue").save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _synthetic_notebook() -> nbformat.NotebookNode:
    """Nine slides: three that must not fit, six that must."""
    count = iter(range(1, 100))

    def on(cell, kind="slide"):
        cell.metadata["slideshow"] = {"slide_type": kind}
        return cell

    def code(source, *outputs, kind="slide"):
        return on(v4.new_code_cell(source, execution_count=next(count),
                                   outputs=list(outputs)), kind)

    def html(text):
        return v4.new_output("display_data", data={"text/html": text})

    def image(width, height):
        return v4.new_output("display_data",
                             data={"image/png": _png(width, height)})

    lines = "".join(f"epoch {i:3d}/120 · loss 0.{i:04d}\n"
                    for i in range(120))
    hidden = "".join(f"line {i}\n" for i in range(40))
    nb = v4.new_notebook(cells=[
        on(v4.new_markdown_cell("# A slide that fits\n\nOne short line.")),
        on(v4.new_markdown_cell("## The long log is one sub-slide down")),
        on(v4.new_markdown_cell("## 120 lines of output, as a fragment"),
           "subslide"),
        code("train()", v4.new_output("stream", name="stdout", text=lines),
             kind="fragment"),
        code("summary()", html('<pre style="white-space:pre;overflow-x:auto">'
                               + "0123456789" * 30 + "</pre>")),
        code("hidden()", html('<div style="height:120px;overflow:hidden">'
                              f"<pre>{hidden}</pre></div>")),
        code("tall_figure()", image(300, 1600)),
        code("wide_figure()", image(3000, 300)),
        on(v4.new_markdown_cell("| what | how many |\n|---|---|\n| "
                                + "words that wrap " * 40 + "| 3 |")),
        code("print('x' * 400)",
             v4.new_output("stream", name="stdout", text="x" * 400 + "\n")),
    ])
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def test_the_fit_check_catches_what_does_not_fit(tmp_path, chromium):
    """A deck built like the others, with a 120-line output, a 3000-px-wide
    line and an output that CSS clips, is reported slide by slide; a tall
    figure, a wide one, a long table and a long printed line fit (the
    template scales and wraps them). A slide that fits only by scrolling
    still does not fit."""
    sid = "99_synthetic"
    nbformat.write(_synthetic_notebook(), tmp_path / f"{sid}.ipynb")
    out = tmp_path / "out"
    out.mkdir()
    _vendored(out)
    assert slides.build(out, [sid], notebooks=tmp_path) == ([sid], [])
    with browser.serve(out) as base, \
            browser.open_page(executable=chromium) as session:
        browser.open_deck(session.page, f"{base}/{slides.deck_name(sid)}")
        # As nbconvert's reveal_scroll (and RISE's scroll) would: the tall
        # slide boxed to the window and scrolling.
        session.page.evaluate("""() => { const s = Reveal.getSlide(1, 1);
            s.style.height = 'calc(95vh)'; s.style.overflowY = 'scroll'; }""")
        fit = measure.slide_fit(session.page)
        sheet = tmp_path / "sheet.png"
        on_sheet = measure.contact_sheet(session.page, sheet)
    assert session.outside == [] and session.errors == []

    assert [(r["number"], r["h"], r["v"]) for r in fit] == [
        (1, 0, 0), (2, 1, 0), (3, 1, 1), (4, 2, 0), (5, 3, 0), (6, 4, 0),
        (7, 5, 0), (8, 6, 0), (9, 7, 0)]
    assert all(r["deck"] == sid and r["height_limit"] == 700
               and r["width_limit"] == 960 for r in fit)
    assert [measure.fits(r) for r in fit] == [
        True, True, False, False, False, True, True, True, True]
    assert fit[2]["content_height"] > 1500     # 120 lines, though it scrolls
    lines = measure.overflowing(fit)
    assert lines[0] == (f"{sid} slide 3 (h=1, v=1): content "
                        f"{fit[2]['content_height']} px tall, limit 700 px")
    assert re.fullmatch(rf"{sid} slide 4 \(h=2, v=0\): <pre> past the right "
                        r"edge (\d+) > 960 px", lines[1])
    assert int(lines[1].split()[-4]) > 2500
    assert re.fullmatch(rf"{sid} slide 5 \(h=3, v=0\): <div> clipped "
                        r"vertically \d+ > 120 px", lines[2])
    assert len(lines) == 3, lines
    assert all(r["content_height"] <= 700 for r in fit[5:]), fit[5:]

    report = slides.report({sid: fit})
    assert report[0].startswith(f"{sid}: 9 slides, tallest "
                                f"{fit[2]['content_height']} px (slide 3) of "
                                "700; 3 do not fit:")
    assert report[1:] == ["  " + line for line in lines]

    # The contact sheet: the same measurements, 4 columns, red frames on
    # exactly the slides that do not fit.
    from PIL import Image

    assert [r["content_height"] for r in on_sheet] == \
        [r["content_height"] for r in fit]
    img = Image.open(sheet).convert("RGB")
    cell_w = 480 + 2 * measure.SHEET_PAD
    thumb_h = round(720 * 480 / 1280)
    cell_h = thumb_h + measure.SHEET_LABEL + 2 * measure.SHEET_PAD
    assert img.size == (4 * cell_w, 3 * cell_h)
    for i, r in enumerate(fit):
        x = (i % 4) * cell_w + measure.SHEET_PAD - 1
        y = (i // 4) * cell_h + measure.SHEET_PAD + measure.SHEET_LABEL \
            + thumb_h // 2
        red = img.getpixel((x, y))[0] > 200 and img.getpixel((x, y))[1] < 60
        assert red == (not measure.fits(r)), r["number"]


def test_chromium_path_says_what_to_run_when_there_is_none(monkeypatch):
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser, "_playwright_chromium", lambda: None)
    with pytest.raises(browser.BrowserError) as caught:
        browser.chromium_path()
    message = str(caught.value)
    for what in ("make browser", "apt-get install chromium",
                 f"{browser.PYTHON} -m playwright install chromium"):
        assert what in message


def test_chromium_path_prefers_debian_then_playwright(monkeypatch):
    monkeypatch.setattr(browser, "_playwright_chromium", lambda: "/pw/chrome")
    monkeypatch.setattr(browser.shutil, "which", lambda name: {
        "chromium": "/usr/bin/chromium"}.get(name))
    assert browser.chromium_path() == "/usr/bin/chromium"
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    assert browser.chromium_path() == "/pw/chrome"


def test_only_this_machine_is_local():
    for url in ("http://127.0.0.1:8000/a.js", "http://localhost/x",
                "data:image/png;base64,AA", "about:blank"):
        assert browser.is_local(url), url
    for url in ("https://cdn.jsdelivr.net/x.js", "http://10.0.0.1/",
                "https://unpkg.com/reveal.js"):
        assert not browser.is_local(url), url


def test_make_slides_and_test_get_a_browser_or_stop():
    makefile = (files.ROOT / "Makefile").read_text()
    for target in ("slides", "test", "talk"):
        assert re.search(rf"^{target}:.*\bbrowser\b", makefile, re.M), target
    recipe = makefile.split("\nbrowser:", 1)[1].split("\n\n", 1)[0]
    assert "id -u" in recipe and "apt-get install" in recipe
    assert "playwright install chromium" in recipe
    assert recipe.rstrip().endswith("exit 1")
