"""The decks render offline and work in a real browser (headless Chromium)."""

import http.server
import re
import shutil
import threading
from functools import partial

import nbformat
import pytest

from mnist_talk import series, slides

SCREENSHOTS = series.ROOT / "build" / "slides"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-quic", "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def _chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed, so the decks cannot be checked "
                    "in a browser: run `make browser` (Debian's `apt-get "
                    "install chromium`) and test again")
    return path


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    absent = slides.missing_vendor(slides.SLIDES)
    if absent:
        pytest.fail(f"slides/vendor is incomplete ({', '.join(absent)}): "
                    "run `make slides` or `make test`, which install it")
    out = tmp_path_factory.mktemp("decks")
    (out / "vendor").symlink_to(slides.SLIDES / "vendor")
    built, not_run = slides.build(out)
    slides.write_index(out)
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
    nb = nbformat.read(series.NOTEBOOKS / f"{sid}.ipynb", as_version=4)
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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_decks_in_headless_chromium(decks):
    """Reveal.js starts, counts the notebook's slides, images load, and not
    one request leaves the machine. Screenshots go to build/slides/."""
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    out, built, _ = decks
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    outside, errors, report = [], [], {}

    def guard(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium,
                                        args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.route("**/*", guard)
            page.on("pageerror", lambda e: errors.append(str(e)))
            for sid in built:
                page.goto(f"{base}/{slides.deck_name(sid)}")
                page.wait_for_function(
                    "() => window.Reveal && Reveal.isReady && Reveal.isReady()",
                    timeout=30_000)
                nb = nbformat.read(series.NOTEBOOKS / f"{sid}.ipynb",
                                   as_version=4)
                total = page.evaluate("Reveal.getTotalSlides()")
                images = page.evaluate(
                    "Array.from(document.images).map("
                    "i => i.complete && i.naturalWidth > 0)")
                assert total == slides.expected_slides(nb), sid
                assert images and all(images), f"{sid}: images did not load"
                assert page.evaluate("typeof MathJax") == "object", sid
                page.screenshot(path=str(SCREENSHOTS / f"{sid}.png"))
                report[sid] = total
            page.goto(f"{base}/index.html")
            links = page.evaluate("document.querySelectorAll('a').length")
            page.screenshot(path=str(SCREENSHOTS / "index.png"))
            browser.close()
    finally:
        server.shutdown()
    assert outside == [], f"requests left the machine: {outside[:5]}"
    assert errors == [], errors[:5]
    assert links == len(built)
    print("slides per deck:", report)


def test_present_starts_jupyterlab_with_rise_as_root(tmp_path):
    """`make present` runs this command; RISE must be among its extensions."""
    import json
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    makefile = (series.ROOT / "Makefile").read_text()
    assert "jupyter lab --allow-root --notebook-dir=notebooks" in makefile
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    jupyter = Path(sys.executable).parent / "jupyter"
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--allow-root", "--notebook-dir=notebooks",
         "--no-browser", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.open_browser=False"],
        cwd=series.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**__import__("os").environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)})
    try:
        page = None
        for _ in range(60):
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/lab/tree/01_linear.ipynb",
                        timeout=2) as r:
                    page = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert page is not None, "JupyterLab did not answer"
        config = json.loads(page.split('id="jupyter-config-data"', 1)[1]
                            .split(">", 1)[1].split("</script>", 1)[0])
        names = [e["name"] for e in config.get("federated_extensions", [])]
        assert "jupyterlab-rise" in names
    finally:
        proc.terminate()
        proc.wait(timeout=20)
