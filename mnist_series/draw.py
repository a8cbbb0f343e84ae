"""The drawing page, put together and served on this machine (`make draw`).

    python -m mnist_series.draw [--port 8765] [--out build/draw] [--results results]

`assemble` copies into one folder what `slides/draw.html` loads: its
script, onnxruntime-web (from slides/vendor, installed by npm from
slides/package-lock.json) and every stage's ONNX network with
`models/index.json` (the stage, its title and test accuracy). A browser
does not let a page opened as a file read the files beside it, so the
folder is served over HTTP on 127.0.0.1 only; `make present` puts the same
folder beside the presented notebooks, where JupyterLab serves it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import sys
from pathlib import Path

from mnist_talk import results, saved
from mnist_talk.files import BUILD, RESULTS, ROOT, read_json

from .export import SUMMARY

SLIDES = ROOT / "slides"
RUNTIME = SLIDES / "vendor" / "ort"
PAGE_FILES = ("draw.html", "draw.js")


class DrawError(RuntimeError):
    """Something the page needs is missing; the message says what to run."""


def index(results_dir) -> dict:
    """The stages whose networks the page loads, in ladder order."""
    folder = Path(results_dir) / saved.FOLDER
    exported = read_json(folder / SUMMARY, {})
    stages = []
    for onnx in sorted(folder.glob("*.onnx")):
        record = results.load(results_dir, onnx.stem)
        if record is None or onnx.stem not in exported:
            continue
        stages.append({"id": onnx.stem, "title": record.title,
                       "test_accuracy": record.test_accuracy,
                       "file": onnx.name,
                       "input_shape": exported[onnx.stem]["input_shape"]})
    return {"stages": stages}


def assemble(target, results_dir=RESULTS) -> Path:
    """Fill `target` with the page, its runtime and the networks."""
    target = Path(target)
    missing = [p for p in ("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs",
                           "ort-wasm-simd-threaded.wasm")
               if not (RUNTIME / p).is_file()]
    if missing:
        raise DrawError(f"onnxruntime-web is not in {RUNTIME}: run "
                        "`make draw` (it installs slides/vendor with npm)")
    listed = index(results_dir)
    if not listed["stages"]:
        raise DrawError(
            f"no ONNX networks in {Path(results_dir) / saved.FOLDER}: a full "
            "run keeps them (make talk), `make models` exports them")
    (target / "models").mkdir(parents=True, exist_ok=True)
    (target / "ort").mkdir(exist_ok=True)
    for name in PAGE_FILES:
        shutil.copy2(SLIDES / name, target / name)
    for src in RUNTIME.iterdir():
        shutil.copy2(src, target / "ort" / src.name)
    for stage in listed["stages"]:
        shutil.copy2(Path(results_dir) / saved.FOLDER / stage["file"],
                     target / "models" / stage["file"])
    (target / "models" / "index.json").write_text(
        json.dumps(listed, indent=1) + "\n")
    return target


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".wasm": "application/wasm",
                      ".js": "text/javascript"}

    def log_message(self, *args):
        pass


def server(folder, port: int = 0) -> http.server.ThreadingHTTPServer:
    """An HTTP server for `folder` on 127.0.0.1 (port 0: any free one)."""
    handler = functools.partial(_Quiet, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mnist_series.draw",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", default=str(BUILD / "draw"))
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args(argv)
    try:
        folder = assemble(args.out, args.results)
    except DrawError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        httpd = server(folder, args.port)
    except OSError as err:
        print(f"error: port {args.port} is taken ({err.strerror}): choose "
              "another, e.g. make draw PORT=8766", file=sys.stderr)
        return 2
    print(f"the drawing page: http://127.0.0.1:{httpd.server_port}/draw.html"
          " (Ctrl-C stops it)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
