"""`make present`: JupyterLab with RISE on copies of the notebooks, checked in
a real browser (headless Chromium), the way a speaker presents.

The server is started as `make present` starts it (`present.lab_command`),
on a copy of the notebooks in a temporary folder (a speaker's build/present
is left alone), with its own runtime, settings and workspace folders. In
Chromium each notebook is opened in Lab, shown as slides (Alt+R, then the
preview's full-screen button), stepped through to its last slide with Space,
and measured slide by slide; in stage 01 (and in `make test-live` also in 07
and 12) the cells are run from the top of the deck in a fresh kernel at
the live settings of `make present LIVE=1`, the setup first, then (01) a
cheap cell whose output must appear on its slide, and the training. Nothing may leave the machine: the browser
aborts every request not to 127.0.0.1, and the server and kernels log every
name they resolve and every socket they open (an audit hook). What the page
logs as a console error must be one of RISE's known ones.
"""

import hashlib
import json
import os
import signal
import socket
import subprocess
import textwrap
import time
import urllib.request

import nbformat
import pytest

from mnist_series import (browser, copies, cut, measure, notebooks, present,
                           series, settings)
from mnist_talk import files, results

#: The notebooks the browser test presents (all of them, at the live
#: settings of `make present LIVE=1`), and in each the cell to run live,
#: found by its source, after every code cell before it, each from its
#: slide (None: only step through and measure). In 01 a cheap cell whose
#: output must equal the committed one; in 01, 07 and 12 the training.
#: `make test` presents every deck and trains 01 live; `make test-live`
#: (MNIST_TALK_TRAIN_LIVE=1, a second tier that CI runs after `make test`)
#: presents 01, 07 and 12 and trains each live.
DECKS = {sid: None for sid in series.notebook_ids()}
DECKS["01_linear"] = ("x_train.shape", "history = model.fit(")
if os.environ.get("MNIST_TALK_TRAIN_LIVE"):
    DECKS = {"01_linear": DECKS["01_linear"],
             "07_vgg": ("history = model.fit(",),
             "12_averaging": ("for i in range(members):",)}
#: What RISE (jupyterlab-rise 0.43.1) and JupyterLab log on the console on
#: every open, as patterns; anything else logged as an error fails the test.
#: - RISE's bundle overflows its stack on opening a slideshow, with and
#:   without jupyter-collaboration (jupyterlab-contrib/rise#144); the
#:   slides show and run all the same.
#: - RISE's page loads every federated extension of Lab; two of them,
#:   @jupyter-notebook/lab-extension and @jupyter-widgets/jupyterlab-manager,
#:   ask for shared modules that page does not provide (module federation's
#:   RUNTIME-012 and "doesn't exist in shared scope"): their buttons and
#:   widgets are missing from the slides, which use neither.
#: - RISE asks for each notebook's own stylesheet, `NN_slug.css` beside it,
#:   as well as `rise.css`; we write only `rise.css`, and Lab answers the
#:   others with a page, which Chromium refuses as a stylesheet.
KNOWN_CONSOLE = (
    "RangeError: Maximum call stack size exceeded",
    "The getter for the shared module is not a function",
    "doesn't exist in shared scope default",
    ".css' because its MIME type ('text/html') is not a supported "
    "stylesheet MIME type",
)
#: Screenshots, and a contact sheet of each deck with a slide that does not fit.
SCREENSHOTS = files.BUILD / "rise"

#: An audit hook for the server and its kernels (sitecustomize on their
#: PYTHONPATH): every name resolved and every socket connected that is not
#: this machine goes to $MNIST_TALK_NET_LOG.
SITECUSTOMIZE = textwrap.dedent('''\
    import os, sys
    _LOG = os.environ.get("MNIST_TALK_NET_LOG")
    _LOCAL = {"127.0.0.1", "localhost", "::1", "0.0.0.0", "", "None"}
    def _hook(event, args):
        if event == "socket.getaddrinfo":
            host = args[0]
        elif event == "socket.connect" and isinstance(args[1], tuple):
            host = args[1][0]
        else:
            return
        host = host.decode() if isinstance(host, bytes) else str(host)
        if host in _LOCAL or host.startswith("127."):
            return
        with open(_LOG, "a") as f:
            f.write(f"{os.getpid()} {event} {host} {sys.argv[:3]}\\n")
    if _LOG:
        sys.addaudithook(_hook)
    ''')

#: Reaches RISE's reveal.js: RISE imports it as a module and does not make
#: it a global, so fetch the module from webpack's registry and make it
#: window.Reveal (in the RISE frame only).
FIND_REVEAL = """() => {
  if (window.Reveal) return true;
  let req = null;
  const chunks = self.webpackChunk_JUPYTERLAB_CORE_OUTPUT;
  if (!chunks) return false;
  chunks.push([['reveal-probe-' + Date.now()], {}, r => { req = r; }]);
  if (!req) return false;
  for (const id of Object.keys(req.m)) {
    const src = req.m[id].toString();
    if (!src.includes('getSlideNotes') || !src.includes('VERSION=')) continue;
    const mod = req(id);
    if (mod && mod.default && mod.default.isReady) {
      window.Reveal = mod.default;
      return true;
    }
  }
  return false;
}"""

#: RISE gives reveal.js width and height "100%" and forces the slides to the
#: window's width in CSS: measure against the size reveal.js computes.
RISE_REVEAL = """(() => {
  const R = window.Reveal, size = R.getComputedSlideSize();
  const width = R.getSlidesElement().getBoundingClientRect().width / R.getScale();
  return Object.assign(Object.create(R), {getConfig: () =>
    Object.assign({}, R.getConfig(), {width: width, height: size.height})});
})()"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tracked_state() -> tuple:
    """What a presentation must not change: git's view of the work tree and
    the bytes of the committed notebooks and results."""
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=files.ROOT, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        status = None
    digest = hashlib.sha256()
    for folder in (files.NOTEBOOKS, files.RESULTS):
        for path in sorted(folder.iterdir()):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
    return status, digest.hexdigest()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as `make present` starts it, on a prepared copy in a
    temporary folder; yields (base URL, folder, network log)."""
    tmp = tmp_path_factory.mktemp("present")
    folder = tmp / "present"
    report = present.prepare(folder, full=True,  # every slide measured
                             parameters=present.live_parameters(live=True))
    assert report["copied"], "no notebook was copied"
    hook = tmp / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    net_log = tmp / "network.log"
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [
               str(hook), os.environ.get("PYTHONPATH")])),
           "MNIST_TALK_NET_LOG": str(net_log),
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
           "IPYTHONDIR": str(tmp / "ipython"),
           "CUDA_VISIBLE_DEVICES": "-1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    port = _free_port()
    log = (tmp / "lab.log").open("w")
    proc = subprocess.Popen(
        present.lab_command(folder, "--no-browser", f"--ServerApp.port={port}",
                            "--ServerApp.ip=127.0.0.1",
                            "--IdentityProvider.token=",
                            "--ServerApp.open_browser=False"),
        cwd=files.ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer in 60 s")
        if proc.poll() is not None:
            pytest.fail("JupyterLab stopped: "
                        + (tmp / "lab.log").read_text()[-2000:])
        yield base, folder, net_log
    finally:
        proc.terminate()  # Lab stops and shuts its kernels down
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def test_present_prepares_copies_and_keeps_a_session(tmp_path):
    """Copies, unpaired; results beside them; a copy changed live and newer
    than its committed notebook is kept; --reset starts again. The
    committed files stay as they are, and no copy may land on them."""
    before = _tracked_state()
    folder = tmp_path / "present"
    ids = series.notebook_ids()
    names = [f"{sid}.ipynb" for sid in ids]
    names += [f"solutions/{sid}.ipynb" for sid in series.solution_ids()]
    assert present.prepare(folder) == {"copied": names, "same": [], "kept": []}
    for sid in ids:
        nb = nbformat.read(folder / f"{sid}.ipynb", as_version=4)
        committed = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb",
                                  as_version=4)
        assert "jupytext" not in nb.metadata, sid
        assert nb.metadata.get("rise") == committed.metadata.get("rise"), sid
        # the talk's cut, its notes as the speaker view shows them
        assert nb.cells == copies.speaker_notes(
            cut.talk(committed)).cells, sid
    assert list(folder.glob("**/*.py")) == []
    for sid in series.solution_ids():  # with the committed run's outputs
        nb = nbformat.read(folder / "solutions" / f"{sid}.ipynb",
                           as_version=4)
        committed = nbformat.read(series.SOLUTIONS / f"{sid}.ipynb",
                                  as_version=4)
        assert "jupytext" not in nb.metadata, sid
        assert nb.cells == copies.speaker_notes(committed).cells, sid
    assert (folder / "rise.css").read_text() == present.RISE_CSS
    # the notebooks read results/*; results/runs/ (other seeds and
    # backends) is for docs/backends.md and stays behind
    for path in (files.RESULTS).iterdir():
        if path.is_file():
            assert (tmp_path / "results" / path.name).read_bytes() \
                == path.read_bytes(), path.name
    assert not (tmp_path / "results" / "runs").exists()
    # the stages' networks come along (stage 13 loads stage 12's), and
    # the drawing page goes beside the copies, where JupyterLab serves it
    for path in (files.RESULTS / "models").iterdir():
        assert (tmp_path / "results" / "models" / path.name).read_bytes() \
            == path.read_bytes(), path.name
    assert (folder / "draw" / "draw.html").read_bytes() == (
        files.ROOT / "slides" / "draw.html").read_bytes()
    assert (folder / "draw" / "models" / "index.json").is_file()
    assert present.prepare(folder) == {"copied": [], "same": names, "kept": []}
    # FULL=1 (and make lab): every slide, the committed cells; then back
    report = present.prepare(folder, full=True)
    assert sorted(report["copied"]) == sorted(f"{sid}.ipynb" for sid in ids)
    for sid in ids:
        nb = nbformat.read(folder / f"{sid}.ipynb", as_version=4)
        committed = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb",
                                  as_version=4)
        assert nb.cells == copies.speaker_notes(committed).cells, sid
    assert sorted(present.prepare(folder)["copied"]) == sorted(
        f"{sid}.ipynb" for sid in ids)

    # A session in progress: a copy saved after the committed notebook.
    first = folder / names[0]
    nb = nbformat.read(first, as_version=4)
    nb.cells[0].source += "\n\nsaid live"
    nbformat.write(nb, first)
    later = time.time() + 5
    os.utime(first, (later, later))
    (tmp_path / "results" / "01_linear.json").write_text("{}")
    report = present.prepare(folder)
    assert report["kept"] == [names[0]] and report["copied"] == []
    assert "said live" in first.read_text()
    assert (tmp_path / "results" / "01_linear.json").read_text() == "{}"

    report = present.prepare(folder, reset=True)
    assert report["copied"] == names
    assert "said live" not in first.read_text()
    assert (tmp_path / "results" / "01_linear.json").read_bytes() == (
        files.RESULTS / "01_linear.json").read_bytes()

    for wrong in (files.NOTEBOOKS, files.ROOT, files.BUILD):
        with pytest.raises(present.PresentError, match="build/"):
            present.prepare(wrong)
    command = present.lab_command(folder)
    assert "--allow-root" in command
    assert f"--ServerApp.root_dir={folder.resolve()}" in command
    assert "--ServerApp.jpserver_extensions=jupyterlab_jupytext=False" in command
    assert _tracked_state() == before


def test_live_copies_carry_their_settings_and_the_full_run(tmp_path):
    """`make present LIVE=1`: papermill's cell with the live settings on the
    Setup slide, a sub-slide with the committed output after each training
    cell of a stage whose live settings differ; an untouched copy takes a
    change of settings, one saved since is kept."""
    before = _tracked_state()
    folder = tmp_path / "present"
    chosen = present.live_parameters(live=True)
    assert set(chosen) == set(settings.LIVE)
    present.prepare(folder, parameters=chosen)
    for sid in series.notebook_ids():
        nb = nbformat.read(folder / f"{sid}.ipynb", as_version=4)
        injected = [c for c in nb.cells
                    if "injected-parameters" in c.metadata.get("tags", [])]
        full = [c for c in nb.cells if "full-run" in c.metadata.get("tags", [])
                and c.cell_type == "markdown"]
        if sid not in chosen:
            assert not injected and not full, sid
            continue
        assert len(injected) == 1 and notebooks.shown(injected[0]), sid
        assert injected[0].metadata.slideshow.slide_type == "subslide"
        for name, value in chosen[sid].items():
            assert f"{name} = {value}" in injected[0].source, sid
        trainings = [i for i, c in enumerate(nb.cells)
                     if c.cell_type == "code" and ".fit(" in c.source]
        assert trainings and len(full) == len(trainings), sid
        committed = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb",
                                  as_version=4)
        fits = [c for c in committed.cells
                if c.cell_type == "code" and ".fit(" in c.source]
        for i, original in zip(trainings, fits):
            slide, kept = nb.cells[i + 1], nb.cells[i + 2]
            assert "full-run" in slide.metadata["tags"], sid
            assert slide.metadata["slideshow"]["slide_type"] == "subslide"
            record = results.load(files.RESULTS, sid)
            assert record.settings_text() in slide.source
            # the committed curves and status line, as a code cell shows them
            assert kept.cell_type == "code" and "full-run" in kept.metadata.tags
            assert kept.outputs == original.outputs and any(
                "image/png" in o.get("data", {}) for o in kept.outputs), sid
    # back to the full settings: the untouched copies take them at once
    twelve = folder / "12_averaging.ipynb"
    report = present.prepare(folder)
    assert sorted(report["copied"]) == sorted(f"{s}.ipynb" for s in chosen)
    assert "injected-parameters" not in twelve.read_text()
    # a copy saved since (RISE, a speaker) is kept
    twelve.write_text(twelve.read_text().replace("Model averaging", "x", 1))
    report = present.prepare(folder, parameters=chosen)
    assert report["kept"] == ["12_averaging.ipynb"]
    assert _tracked_state() == before


def test_speaker_notes_are_raw_cells_of_paragraphs():
    """The copies' notes, for the speaker view: raw cells, each paragraph
    on one line, list items, table rows and headings on their own."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("kept\nas is"),
        nbformat.v4.new_markdown_cell(
            "Say this\nand that.\n\n- one\n  item\n- two\n\n"
            "| a | b |\n|---|---|\n## Next\nslide",
            metadata={"slideshow": {"slide_type": "notes"}})])
    cells = copies.speaker_notes(nb).cells
    assert cells[0].cell_type == "markdown" and cells[0].source == "kept\nas is"
    assert cells[1].cell_type == "raw"
    assert cells[1].metadata == {"slideshow": {"slide_type": "notes"}}
    assert cells[1].source.splitlines() == [
        "Say this and that.", "", "- one item", "- two", "",
        "| a | b |", "|---|---|", "## Next", "slide"]


def test_present_refuses_a_parameter_no_notebook_has(capsys):
    assert present.main(["--prepare-only", "-p", "epoch=2"]) == 2
    err = capsys.readouterr().err
    assert "no notebook has a parameter 'epoch'" in err and "epochs" in err


def test_every_notebook_carries_the_rise_settings_that_fit():
    """Every notebook presents with `present.RISE`: a theme that fetches no
    font from the web, and no scrolling (what does not fit must show)."""
    wrong = {}
    for sid in series.notebook_ids():
        nb = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb", as_version=4)
        if nb.metadata.get("rise") != present.RISE:
            wrong[sid] = nb.metadata.get("rise")
    assert not wrong, (
        f"these notebooks' `rise` metadata is not {present.RISE} (the header "
        f"of their .py, then `make sync`): {wrong}")


def test_present_starts_jupyterlab_with_rise_as_root(lab):
    """`make present` runs `python -m mnist_series.present`, which starts this
    command; RISE must be among its extensions, jupytext's contents manager
    must not (it would write a .py beside every notebook saved)."""
    base, folder, _ = lab
    makefile = (files.ROOT / "Makefile").read_text()
    assert "-m mnist_series.present" in makefile
    with urllib.request.urlopen(f"{base}/lab/tree/01_linear.ipynb",
                                timeout=10) as r:
        page = r.read().decode()
    config = json.loads(page.split('id="jupyter-config-data"', 1)[1]
                        .split(">", 1)[1].split("</script>", 1)[0])
    names = [e["name"] for e in config.get("federated_extensions", [])]
    assert "jupyterlab-rise" in names
    with urllib.request.urlopen(f"{base}/api/contents", timeout=10) as r:
        listing = json.load(r)
    assert {c["name"] for c in listing["content"]} >= {"01_linear.ipynb",
                                                      "rise.css"}
    with urllib.request.urlopen(f"{base}/rise/01_linear.ipynb",
                                timeout=10) as r:
        assert r.status == 200


def _wait(frame, js: str, arg=None, timeout: float = 30.0):
    """Poll `js` (a function of `arg`) in `frame` until it returns truthy."""
    return frame.wait_for_function(js, arg=arg, timeout=timeout * 1000)


def _open_rise(page, base: str, sid: str):
    """Open `sid` in Lab, select its first cell and present it as a speaker
    does: Alt+R (RISE's preview beside the notebook), then the preview's
    full-screen button. Returns the RISE frame, with window.Reveal set."""
    page.goto(f"{base}/lab/workspaces/{sid}/tree/{sid}.ipynb?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_selector(
        ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
        timeout=60_000)
    page.locator(".jp-NotebookPanel .jp-Cell").first.locator(
        ".jp-InputPrompt").click()
    page.keyboard.press("Escape")              # command mode
    page.keyboard.press("Alt+r")               # RISE:preview
    frame = page.wait_for_selector(f"iframe[src*='/rise/{sid}.ipynb']",
                                   timeout=30_000).content_frame()
    assert frame is not None, "the RISE preview has no frame"
    _wait(frame, "() => document.querySelector('.reveal.ready')", timeout=60)
    # The preview's own toolbar button: RISE:fullscreen-plugin.
    page.locator(".jp-MainAreaWidget [data-jp-item-name='fullscreen'] button"
                 ).first.click()
    _wait(frame, "() => !!document.fullscreenElement", timeout=10)
    assert frame.evaluate(FIND_REVEAL), "reveal.js not found in RISE's page"
    return frame


def _indices(frame) -> tuple:
    i = frame.evaluate("Reveal.getIndices()")
    return i["h"], i["v"], i.get("f")


def _step_to_the_end(page, frame, on_step) -> list[tuple]:
    """Space, as a speaker presses it, until the last fragment of the last
    slide; `on_step` runs after each step. Returns the (h, v, f) visited."""
    seen = [_indices(frame)]
    on_step()
    for _ in range(400):
        if frame.evaluate("(r => !r.right && !r.down)(Reveal.availableRoutes())"
                          " && !Reveal.availableFragments().next"):
            break
        before = seen[-1]
        page.keyboard.press(" ")
        _wait(frame, "(b) => { const i = Reveal.getIndices();"
                     " return i.h !== b[0] || i.v !== b[1] ||"
                     " (i.f ?? null) !== (b[2] ?? null); }",
              list(before), timeout=10)
        seen.append(_indices(frame))
        on_step()
    return seen


#: Every cell of the notebook in RISE's page, in the notebook's order.
CELLS_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'))
  .map(c => {
    const slide = c.closest('section');
    return {
      prompt: (c.querySelector('.jp-InputPrompt') || {}).textContent || '',
      shown: !!slide && slide.classList.contains('present')
        && !c.closest('.reveal-skip, aside.notes, .fragment:not(.visible)'),
      output: Array.from(c.querySelectorAll('.jp-OutputArea-output'))
        .map(o => o.innerText).join('\\n'),
      bottom: c.getBoundingClientRect().bottom,
    };
  })"""


def _run_cell(page, frame, index: int, count: int) -> dict:
    """Select cell `index` (a click on its prompt) and run it with Ctrl+Enter,
    which stays on the slide; wait for the kernel's execution count."""
    frame.locator(".jp-Notebook .jp-Cell").nth(index).locator(
        ".jp-InputPrompt").click()
    at = _indices(frame)
    started = time.time()
    page.keyboard.press("Control+Enter")
    _wait(frame, "([i, n]) => document.querySelectorAll("
                 "'.jp-Notebook .jp-Cell')[i].querySelector('.jp-InputPrompt')"
                 ".textContent.includes('[' + n + ']')", [index, count],
          timeout=400)
    page.wait_for_timeout(300)
    cell = frame.evaluate(CELLS_JS)[index]
    cell["left the slide"] = _indices(frame)[:2] != at[:2]
    cell["seconds"] = time.time() - started
    return cell


class _Shown:
    """RISE's frame for `measure.contact_sheet`: measured in the frame,
    photographed in the page (the frame is full screen)."""

    def __init__(self, page, frame):
        self.page, self.frame = page, frame

    def evaluate(self, *args, **kwargs):
        return self.frame.evaluate(*args, **kwargs)

    def screenshot(self, **kwargs):
        return self.page.screenshot(**kwargs)


@pytest.fixture(scope="module")
def presented(lab, chromium):
    """Each of DECKS presented once in headless Chromium at 1280x720, the
    way a speaker does: what it saw."""
    base, folder, net_log = lab
    before = _tracked_state()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    decks, sources, started = {}, {}, time.time()
    with browser.open_page(executable=chromium) as session:
        page = session.page
        for sid, cheap in DECKS.items():
            nb = nbformat.read(folder / f"{sid}.ipynb", as_version=4)
            frame = _open_rise(page, base, sid)
            sources[sid] = [c.source for c in nb.cells]
            deck = {"cells": frame.evaluate(
                        "document.querySelectorAll('.jp-Notebook .jp-Cell')"
                        ".length"),
                    "expected cells": len(nb.cells),
                    "full screen": frame.evaluate(
                        "!!document.fullscreenElement"),
                    "ran": {}}
            # The cells to run live: every code cell from the top of the deck
            # to the cheap one, in the order the speaker meets them.
            todo = []
            if cheap:
                deck["targets"] = [next(
                    i for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and source in c.source)
                    for source in cheap]
                deck["target"] = deck["targets"][0]
                deck["expected"] = "".join(
                    o.get("text", "") + o.get("data", {}).get("text/plain", "")
                    for o in nb.cells[deck["target"]].outputs)
                todo = [i for i, c in enumerate(
                            nb.cells[:max(deck["targets"]) + 1])
                        if c.cell_type == "code"]

            def on_step():
                cells = frame.evaluate(CELLS_JS)
                for i in list(todo):
                    if cells[i]["shown"]:
                        todo.remove(i)
                        deck["ran"][i] = _run_cell(page, frame, i,
                                                   len(deck["ran"]) + 1)
                        if i == deck.get("target"):
                            page.screenshot(
                                path=str(SCREENSHOTS / f"{sid}.live.png"))

            visited = _step_to_the_end(page, frame, on_step)
            deck["never shown"] = todo
            deck["visited"] = {f"slide-{h}-{v}" for h, v, _ in visited}
            deck["slides"] = frame.evaluate(
                "Array.from(document.querySelectorAll("
                "'.reveal .slides section[id^=slide-]')).map(s => s.id)")
            page.screenshot(path=str(SCREENSHOTS / f"{sid}.last.png"))
            deck["fit"] = measure.slide_fit(frame, reveal=RISE_REVEAL, deck=sid)
            if not all(map(measure.fits, deck["fit"])):
                measure.contact_sheet(_Shown(page, frame),
                                      SCREENSHOTS / f"{sid}.contact.png",
                                      reveal=RISE_REVEAL, deck=sid)
            page.keyboard.press("Escape")      # leave full screen
            decks[sid] = deck
        outside, errors = list(session.outside), list(session.errors)
        console = list(session.console)
    return {"decks": decks, "outside": outside, "errors": errors,
            "console": console, "sources": sources,
            "network": net_log.read_text() if net_log.exists() else "",
            "py": sorted(p.name for p in folder.glob("*.py")),
            "tracked": (before, _tracked_state()),
            "seconds": time.time() - started}


def test_present_in_chromium_stays_on_this_machine(presented):
    """Full screen, every slide and sub-slide shown by Space to the last;
    nothing leaves the machine (browser, server, kernels); no .py beside the
    copies; no tracked file changed, though RISE saves the notebook it
    presents and cells ran."""
    for sid, deck in presented["decks"].items():
        assert deck["full screen"], f"{sid}: not full screen"
        assert deck["cells"] == deck["expected cells"], \
            f"{sid}: RISE shows {deck['cells']} cells of {deck['expected cells']}"
        assert deck["slides"] and deck["visited"] == set(deck["slides"]), \
            f"{sid}: never shown: {sorted(set(deck['slides']) - deck['visited'])}"
    assert presented["outside"] == [], \
        f"requests left the machine: {presented['outside'][:5]}"
    assert presented["network"] == "", \
        f"the server or a kernel went out: {presented['network'][:500]}"
    assert presented["py"] == [], "jupytext wrote a .py beside a copy"
    before, after = presented["tracked"]
    assert after == before, "presenting changed a tracked file"
    assert presented["errors"] == [], presented["errors"][:5]
    known = [m for m in presented["console"]
             if any(k in m for k in KNOWN_CONSOLE)]
    new = [m for m in presented["console"] if m not in known]
    print(f"presented {', '.join(presented['decks'])} in "
          f"{presented['seconds']:.0f} s; {len(known)} known console "
          f"errors ({', '.join(KNOWN_CONSOLE)})")
    assert not new, f"new console errors: {new[:5]}"


def test_setup_and_training_run_from_the_slides(presented):
    """In a fresh kernel, the code cells from the top of the deck run from
    the slides (Ctrl+Enter, which stays on the slide), the setup first, at
    the live settings: in 01 the cheap cell prints what the committed run
    printed, on screen; in 01, 07 and 12 the training cell ends with the
    status line's last word, beside the full run where the settings
    differ (12)."""
    for sid, deck in presented["decks"].items():
        if "target" not in deck:
            continue
        ran = deck["ran"]
        print(f"{sid}: ran cells {sorted(ran)}; trained in "
              + ", ".join(f"{ran[i]['seconds']:.0f} s"
                          for i in deck["targets"][1:] if i in ran)
              + f"; never on a slide: {deck['never shown']}")
        assert not deck["never shown"], \
            f"{sid}: code cells {deck['never shown']} are not on a slide"
        for i in deck["targets"]:
            assert i in ran, f"{sid}: cell {i} never showed"
        for i, cell in ran.items():
            assert not cell["left the slide"], f"{sid}: cell {i} left its slide"
        errors = {i: c["output"][-300:] for i, c in ran.items()
                  if "Error" in c["output"]}
        assert not errors, f"{sid}: cells failed live: {errors}"
        training = [i for i in deck["targets"] if "fit(" in
                    presented["sources"][sid][i]]
        assert training, f"{sid}: no training cell among {deck['targets']}"
        for i in training:
            out = ran[i]["output"]
            assert "trained " in out, f"{sid}: the status line ends {out[:300]}"
            if settings.live_parameters(sid):
                assert "full run " in out, out[:300]
        target = deck["target"]
        if target not in training:  # the cheap cell: as committed
            out = ran[target]["output"]
            assert " ".join(out.split()) == " ".join(deck["expected"].split())
            assert 0 < ran[target]["bottom"] <= browser.VIEWPORT["height"], \
                f"{sid}: the output is off the screen"


def test_every_rise_slide_fits_the_screen(presented):
    """At 1280x720 in RISE, every slide, every fragment shown, is no taller
    than reveal.js's slide (the window less its margins) and nothing on it
    is clipped, scrolls or runs past the right edge."""
    lines = []
    for sid, deck in presented["decks"].items():
        for r in deck["fit"]:
            print(f"  {sid} {r['number']:>2} ({r['h']}.{r['v']}) "
                  f"{r['content_height']:>4} / {r['height_limit']} px "
                  f"{r['title'][:40]!r}")
        lines += measure.overflowing(deck["fit"])
    assert not lines, ("slides that do not fit RISE at 1280x720 (contact "
                       f"sheets in {SCREENSHOTS}):\n" + "\n".join(lines))


#: The speaker view (reveal.js's notes plugin, `T` in RISE): the notes of
#: the current slide, as the speaker's window shows them.
SPEAKER_NOTES = """() => {
  const v = document.querySelector('.speaker-controls-notes .value');
  const box = document.querySelector('#speaker-controls');
  if (!v || !v.innerText.trim()) return null;
  return {text: v.innerText, html: v.innerHTML,
          width: v.scrollWidth, room: v.clientWidth,
          height: box.scrollHeight, scrolls: getComputedStyle(box).overflowY};
}"""


def test_speaker_view_shows_the_notes_of_the_current_slide(lab, chromium):
    """`T` on the first slide opens the speaker view (as the README says:
    RISE's speaker view starts its own copy of the deck at the first slide,
    and the deck follows it); the deck then moves to the slide with the
    series' longest note, and the speaker view shows that note once (the
    copies' notes are raw cells: `copies.speaker_notes`), to its last
    words, nothing past the right edge, the rest a scroll away; the deck
    stays on that slide."""
    base, folder, _ = lab
    notes = {}
    for sid in series.notebook_ids():
        nb = nbformat.read(folder / f"{sid}.ipynb", as_version=4)
        for cell in nb.cells:
            if notebooks.slide_type(cell) == "notes":
                notes[(sid, cell.source)] = len(cell.source)
    sid, source = max(notes, key=notes.get)
    first = " ".join(source.split("`")[0].split()[:6])
    with browser.open_page(executable=chromium) as session:
        page = session.page
        frame = _open_rise(page, base, sid)
        # RISE's T works in command mode, a cell of the slide selected
        frame.locator("section.present .jp-Cell:visible").first.click(
            position={"x": 10, "y": 10})
        page.keyboard.press("Escape")
        started = time.time()
        with page.context.expect_page(timeout=30_000) as opened:
            page.keyboard.press("t")
        speaker = opened.value
        speaker.wait_for_function(
            "() => { const f = document.querySelector('#current-slide iframe');"
            " return f && f.contentDocument"
            " && f.contentDocument.querySelector('.reveal.ready'); }",
            timeout=60_000)
        seconds = time.time() - started
        page.wait_for_timeout(2000)  # the deck follows the speaker view's copy
        where = frame.evaluate("""() => {
          let best = null;
          for (const a of document.querySelectorAll('aside.notes'))
            if (!best || a.textContent.length > best.textContent.length)
              best = a;
          return best.closest('section').id.split('-').slice(1).map(Number);
        }""")
        frame.evaluate("([h, v]) => Reveal.slide(h, v)", where)
        shown = speaker.wait_for_function(
            f"() => {{ const n = ({SPEAKER_NOTES})(); return n && "
            f"n.text.replace(/\\s+/g, ' ').includes({json.dumps(first)}) && n; }}",
            timeout=30_000).json_value()
        page.wait_for_timeout(3000)
        stayed = list(_indices(frame)[:2]) == where
        speaker.screenshot(path=str(SCREENSHOTS / f"{sid}.speaker.png"))
    print(f"{sid}: speaker view ready {seconds:.1f} s after T; the note of "
          f"slide {where}: {shown['width']} px wide in {shown['room']}, "
          f"{shown['height']} px tall")
    committed = nbformat.read(files.NOTEBOOKS / f"{sid}.ipynb", as_version=4)
    assert source.split() in [c.source.split() for c in committed.cells
                              if notebooks.slide_type(c) == "notes"]
    text = " ".join(shown["text"].split())
    assert text.count(first) == 1, \
        f"the speaker view shows the note {text.count(first)} times: {text[:300]}"
    last = " ".join(source.split()[-6:])
    assert last in text, f"the note is cut before {last!r}: {text[-300:]}"
    assert shown["width"] <= shown["room"], "the notes run past the right edge"
    assert shown["scrolls"] in ("auto", "scroll"), "long notes would be cut"
    assert stayed, f"the deck left slide {where} after the speaker view opened"
