"""Headless Chromium for the decks, to check that every slide fits.

    python -m mnist_series.browser   # find and start Chromium, or say how

`make slides` and the tests open each reveal.js deck in Chromium
(`open_page`, `serve`, `open_deck`) and measure its slides there (`measure`).
Nothing here leaves the machine: `open_page` aborts (and lists) every
request that is not to this machine.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

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
