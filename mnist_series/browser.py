"""Headless Chromium for the decks: does every slide fit the screen?

    python -m mnist_series.browser   # find and start Chromium, or say how

`make slides` and the tests open each reveal.js deck in Chromium, walk
every slide with every fragment shown and measure it (`slide_fit`): how
tall its content is against reveal.js's slide height, and which element
is clipped, scrolls or runs past the right edge. `contact_sheet` tiles a
screenshot of every slide into one PNG, overflowing slides framed in red.
Nothing here leaves the machine: `open_page` aborts (and lists) every
request that is not to this machine.

The measurement is plain JavaScript on reveal.js's API, so it works in
any page that embeds reveal.js: nbconvert's static decks, and RISE in
JupyterLab (pass the frame and an expression that reaches its Reveal).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright
from PIL import Image, ImageDraw, ImageFont

#: Chromium's switches: headless, no sandbox (root in a container), and no
#: traffic of its own (updates, sync, QUIC): the only requests are the page's.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-quic", "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
#: The screen the decks are checked on: a 720p projector.
VIEWPORT = {"width": 1280, "height": 720}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "file"}

#: This venv's Python as typed from the repository: `.venv/bin/python`,
#: `.venv-py3.13/bin/python`, ...
PYTHON = (Path(sys.executable).relative_to(Path.cwd())
          if Path(sys.executable).is_relative_to(Path.cwd())
          else Path(sys.executable))
HOW_TO_GET_IT = (
    "run `make browser` (as root it runs `apt-get install chromium`; "
    f"otherwise, or if that fails, `{PYTHON} -m playwright install "
    "chromium`, which needs no root)")


class BrowserError(RuntimeError):
    """No Chromium to check the decks with: says what to run."""


def _playwright_chromium() -> str | None:
    """The Chromium that `playwright install chromium` downloaded, if any."""
    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # no driver, no browser: both mean "not installed"
        return None
    return path if path and Path(path).is_file() else None


def chromium_path() -> str:
    """Debian's chromium if installed, else Playwright's own, else an error
    that says what to run."""
    path = (shutil.which("chromium") or shutil.which("chromium-browser")
            or _playwright_chromium())
    if not path:
        raise BrowserError(
            "Chromium is not installed, so the slides cannot be checked in a "
            f"browser: {HOW_TO_GET_IT}, then try again")
    return path


@dataclass
class Session:
    """An open headless Chromium: its context, one page, and what it saw."""

    context: object
    page: object
    #: Every request to another machine, aborted: should stay empty.
    outside: list[str] = field(default_factory=list)
    #: Uncaught JavaScript errors of the page.
    errors: list[str] = field(default_factory=list)
    #: What the page and its frames logged as errors on the console.
    console: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@contextlib.contextmanager
def open_page(viewport: dict | None = None, executable: str | None = None):
    """Yield a `Session`: Chromium started with `CHROMIUM_FLAGS` by Playwright
    (sync API), one page of `viewport` (1280x720). Every request not to
    127.0.0.1 or localhost is aborted and its URL appended to `outside`,
    for every page and frame of the context."""
    executable = executable or chromium_path()
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=executable,
                                        args=CHROMIUM_FLAGS)
        except Exception as exc:
            raise BrowserError(
                f"{executable} does not start ({str(exc).splitlines()[0]}): "
                f"{HOW_TO_GET_IT}; if Playwright's Chromium lacks system "
                f"libraries, run `{PYTHON} -m playwright install-deps "
                "chromium` as root") from exc
        try:
            context = browser.new_context(viewport=viewport or VIEWPORT)
            session = Session(context, None)

            def guard(route):
                if is_local(route.request.url):
                    route.continue_()
                else:
                    session.outside.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            session.page = context.new_page()
            session.page.on("pageerror",
                            lambda e: session.errors.append(str(e)))
            session.page.on("console", lambda m: m.type == "error"
                            and session.console.append(m.text))
            yield session
        finally:
            browser.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve `directory` on 127.0.0.1 (a free port); yield its base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def open_deck(page, url: str, timeout_ms: int = 30_000) -> None:
    """Load a static deck and wait until reveal.js is ready."""
    page.goto(url)
    page.wait_for_function(
        "() => window.Reveal && Reveal.isReady && Reveal.isReady()",
        timeout=timeout_ms)


# The measurement, installed once per page as window.__slideFit. `R` is the
# reveal.js API object. Sizes are in slide pixels (reveal.js's width and
# height, before it scales the slides to the window): bounding boxes are
# divided by the scale that .slides has on screen.
FIT_JS = r"""
(R) => {
  if (window.__slideFit && window.__slideFit.R === R) return;
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const frames = () => new Promise(r =>
    requestAnimationFrame(() => requestAnimationFrame(r)));

  async function settle() {
    const mj = window.MathJax;
    if (mj && mj.Hub && mj.Hub.Queue) {            // MathJax 2 (static decks)
      await Promise.race([new Promise(r => mj.Hub.Queue(r)), sleep(5000)]);
    } else if (mj && mj.startup && mj.startup.promise) {   // MathJax 3
      await Promise.race([mj.startup.promise, sleep(5000)]);
    }
    if (document.fonts) await document.fonts.ready;
    await Promise.all(Array.from(document.images).filter(i => !i.complete)
      .map(i => Promise.race([new Promise(r => {
        i.addEventListener('load', r); i.addEventListener('error', r); }),
        sleep(5000)])));
    await frames();
  }

  function indices() {
    const out = [];
    R.getHorizontalSlides().forEach((s, h) => {
      const n = s.querySelectorAll(':scope > section').length;
      for (let v = 0; v < Math.max(n, 1); v++) out.push([h, v]);
    });
    return out;
  }

  async function show(h, v) {
    R.slide(h, v);
    for (let i = 0; i < 500 && R.nextFragment(); i++) {}
    await settle();
  }

  function describe(el) {
    let d = '<' + el.tagName.toLowerCase() + '>';
    const cls = Array.from(el.classList).filter(c => !c.startsWith('jp-mod'))
      .slice(0, 2);
    if (cls.length) d += '.' + cls.join('.');
    return d;
  }

  function measure() {
    // The slide's size: reveal.js's config, or, where that is a percentage
    // (RISE can say '100%'), what reveal.js made of it.
    const cfg = R.getConfig(), slides = R.getSlidesElement();
    const px = (v, laid) => (typeof v === 'number' ? v
      : /^\d+(\.\d+)?(px)?$/.test(String(v)) ? parseFloat(v) : laid);
    const W = px(cfg.width, slides.offsetWidth);
    const H = px(cfg.height, slides.offsetHeight);
    const slide = R.getCurrentSlide();
    const box = slides.getBoundingClientRect();
    // Screen px per slide px: .slides is laid out at W x H, then scaled.
    const k = box.width / slides.offsetWidth || R.getScale() || 1;
    // Laid out, visible or not (a fragment fading in takes its room already).
    const shown = el => getComputedStyle(el).display !== 'none'
      && el.getClientRects().length > 0 && !el.closest('aside.notes');
    const clips = v => /(hidden|auto|scroll|clip)/.test(v);
    // The content: the union of the boxes of the slide's children, grown by
    // whatever spills out of any element that does not clip it.
    let top = Infinity, bottom = -Infinity, left = Infinity, right = -Infinity;
    for (const c of slide.children) {
      if (!shown(c)) continue;
      const r = c.getBoundingClientRect();
      if (!r.width && !r.height) continue;
      top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
      left = Math.min(left, r.left); right = Math.max(right, r.right);
    }
    const clippers = [], wide = [];
    for (const el of slide.querySelectorAll('*')) {
      if (!shown(el)) continue;
      const st = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const inside = clippers.some(c => c.el.contains(el));
      const x = clips(st.overflowX) && el.scrollWidth > el.clientWidth + 1;
      const y = clips(st.overflowY) && el.scrollHeight > el.clientHeight + 1;
      if (x || y) {
        const how = a => (/(auto|scroll)/.test(a) ? 'scrolls' : 'clipped');
        if (x) clippers.push({el, how: how(st.overflowX) + ' sideways',
                              size: el.scrollWidth, limit: el.clientWidth});
        if (y) clippers.push({el, how: how(st.overflowY) + ' vertically',
                              size: el.scrollHeight, limit: el.clientHeight});
        continue;
      }
      if (inside || !el.clientWidth) continue;   // hidden, or inline
      const reach = Math.max(r.right, r.left + el.scrollWidth * k);
      const low = Math.max(r.bottom, r.top + el.scrollHeight * k);
      if (top < Infinity) {
        bottom = Math.max(bottom, low);
        right = Math.max(right, reach);
      }
      const past = (reach - box.left) / k;
      if (past > W + 1) wide.push({el, how: 'past the right edge',
                                   size: Math.round(past), limit: W});
    }
    const height = bottom > top ? (bottom - top) / k : 0;
    const width = right > left ? (right - left) / k : 0;
    // Report the innermost element that runs past the edge, once per kind.
    const found = clippers.concat(wide.filter(
      w => !wide.some(o => o.el !== w.el && w.el.contains(o.el))));
    const clipped = [], keys = {};
    for (const f of found) {
      const key = describe(f.el) + ' ' + f.how;
      if (key in keys) {
        const c = clipped[keys[key]];
        c.count += 1; c.size = Math.max(c.size, f.size);
      } else {
        keys[key] = clipped.length;
        clipped.push({element: describe(f.el), how: f.how, size: f.size,
                      limit: f.limit, count: 1});
      }
    }
    // A deck may box a slide and let it scroll (nbconvert's reveal_scroll,
    // RISE's scroll): the height above counts all of it, and a slide that
    // fits 700 px but scrolls in a smaller box does not fit either.
    const own = getComputedStyle(slide);
    if (clips(own.overflowY) && slide.scrollHeight > slide.clientHeight + 1
        && height <= H + 1) {
      clipped.push({element: '<section>', how: 'scrolls vertically',
                    size: slide.scrollHeight, limit: slide.clientHeight,
                    count: 1});
    }
    const heading = slide.querySelector('h1, h2, h3, h4');
    return {width_limit: W, height_limit: H,
            content_height: Math.round(height),
            content_width: Math.round(width),
            clipped: clipped,
            title: heading
              ? heading.textContent.replace(/¶$/, '').trim() : ''};
  }

  window.__slideFit = {R, settle, indices, show, measure,
    transition: null,
    // For the walk: no slide or fragment transitions, so that what a
    // screenshot shows is the slide at rest; end() puts things back.
    async begin() {
      const c = R.getConfig();
      this.transition = [c.transition, c.backgroundTransition,
                         R.getIndices()];
      R.configure({transition: 'none', backgroundTransition: 'none'});
      const still = document.createElement('style');
      still.id = 'slide-fit-still';
      still.textContent = '.reveal .slides section .fragment '
        + '{ transition: none !important; }';
      document.head.appendChild(still);
      await settle();
    },
    async end() {
      if (!this.transition) return;
      const [t, b, at] = this.transition;
      const still = document.getElementById('slide-fit-still');
      if (still) still.remove();
      R.configure({transition: t, backgroundTransition: b});
      R.slide(at.h, at.v, at.f);
      this.transition = null;
    },
    async all() {
      await this.begin();
      const out = [];
      try {
        for (const [h, v] of indices()) {
          await show(h, v);
          out.push(Object.assign({h, v}, measure()));
        }
      } finally {
        await this.end();
      }
      return out;
    },
  };
}
"""


def _install(page, reveal: str) -> None:
    page.evaluate(f"() => ({FIT_JS})({reveal})")


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


def main(argv=None) -> int:
    """Find Chromium and start it once: what `make browser` checks."""
    try:
        path = chromium_path()
        with open_page() as session:
            session.page.goto("about:blank")
    except BrowserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Chromium for the slide checks: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
