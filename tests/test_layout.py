"""The two packages' layout: `mnist_talk` holds what the notebooks use,
`mnist_series` the machinery around them, no module over 300 lines, and
what one notebook loads of ours stays under 3,600 lines."""

import ast
import json
import re
import subprocess
import sys

import nbformat
import papermill
import pytest

from mnist_series import notebooks, settings
from mnist_talk.files import NOTEBOOKS, ROOT

PACKAGES = ("mnist_talk", "mnist_series")
MAX_MODULE = 300
#: Stage 13, which closes the series (pseudo-labels, the analysis of the
#: predictions, the talk's audit, the drawings), loads the most.
MAX_LOADED = 3600
#: Modules a notebook-side function imports only when it is called, by the
#: calls that reach them; `data` imports `sources` only when no cache
#: holds MNIST, which `make data` fills before any notebook runs.
LAZY = {("models", "summary"): "summary",
        ("models", "augmentation"): "augment",
        ("models", "annealed_vgg"): "augment",
        ("drawing", "scores_table"): "tables",
        ("drawing", "read"): "tables"}
CACHE_ONLY = {("data", "sources")}


def _modules(package):
    return sorted((ROOT / package).glob("*.py"))


def _lines(path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("path", [p for pkg in PACKAGES for p in _modules(pkg)],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_module_is_over_300_lines(path):
    assert _lines(path) <= MAX_MODULE, (
        f"{path.name} has {_lines(path)} lines: move a job of its own out")


@pytest.mark.parametrize("path", _modules("mnist_talk"), ids=lambda p: p.name)
def test_each_notebook_module_names_the_stage_that_introduces_it(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and re.search(r"[Ss]tage \d\d", doc), path.name


def test_the_machinerys_package_imports_nothing_and_its_lock_runs_bare():
    """`make` runs `python -m mnist_series.lock` before any venv exists:
    with no site-packages at all (-S), it still answers."""
    tree = ast.parse((ROOT / "mnist_series" / "__init__.py").read_text())
    assert not [n for n in tree.body if isinstance(n, (ast.Import,
                                                       ast.ImportFrom))]
    done = subprocess.run(
        [sys.executable, "-S", "-m", "mnist_series.lock", "file",
         "--backend", "tensorflow", "--gpu", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(".txt")


def _lazy_imports():
    """`(module, function) -> module` for every import of ours made inside
    a function of `mnist_talk`."""
    found = {}
    for path in _modules("mnist_talk"):
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.level == 1 \
                        and node.module not in (None, "files"):
                    found[(path.stem, fn.name)] = node.module
    return found


def test_every_lazy_import_is_counted():
    """Every import a notebook-side function makes when called is in
    `LAZY`, which the closure check adds for a notebook's calls."""
    for (module, function), target in _lazy_imports().items():
        if (module, target) not in CACHE_ONLY:
            assert LAZY.get((module, function)) == target, (module, function)


def _notebook_sources():
    for py in sorted(NOTEBOOKS.glob("[0-9]*.py")) + sorted(
            (NOTEBOOKS / "solutions").glob("[0-9]*.py")):
        yield py


def _imports_of(source: str) -> list[str]:
    """The modules of ours a notebook imports, and those its calls load."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module \
                and node.module.split(".")[0] in PACKAGES:
            found.update(f"{node.module}.{a.name}"
                         if node.module in PACKAGES else node.module
                         for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names
                         if a.name.split(".")[0] in PACKAGES)
    for (module, function), target in LAZY.items():
        if f"{module}.{function}(" in source:
            found.add(f"mnist_talk.{target}")
    return sorted(found)


#: Run in a fresh Python: import what a notebook does, then the lines of
#: every module of ours now loaded.
MEASURE = """
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
print(json.dumps({n: len(open(m.__file__, encoding="utf-8").read()
                             .splitlines())
                  for n, m in sys.modules.items()
                  if n.split(".")[0] in ("mnist_talk", "mnist_series")
                  and getattr(m, "__file__", None)}))
"""


def _measure(modules: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(modules)],
                          cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_what_each_notebook_loads_of_ours_is_small_and_no_machinery():
    """Each notebook's imports (and what its calls load lazily), measured
    in a fresh Python: at most 3,600 lines of ours, none of mnist_series."""
    report, problems = [], []
    for py in _notebook_sources():
        loaded = _measure(_imports_of(py.read_text(encoding="utf-8")))
        name = py.relative_to(NOTEBOOKS).with_suffix("")
        total = sum(loaded.values())
        report.append(f"{name}: {total} lines in {len(loaded)} modules")
        machinery = sorted(n for n in loaded if n.startswith("mnist_series"))
        if machinery or total > MAX_LOADED:
            problems.append(f"{name}: {total} lines, machinery {machinery}")
    print("\n".join(report))
    assert not problems, problems


#: A last cell for a notebook run in a kernel: what of ours is loaded.
LOADED_CELL = """
import json as _json, sys as _sys
print("LOADED " + _json.dumps(
    {_n: len(open(_m.__file__, encoding="utf-8").read().splitlines())
     for _n, _m in list(_sys.modules.items())
     if _n.split(".")[0] in ("mnist_talk", "mnist_series")
     and getattr(_m, "__file__", None)}))
"""


def test_a_notebook_run_end_to_end_loads_no_machinery(tmp_path):
    """Stage 01 at its smoke settings in a kernel, then in that kernel
    `sys.modules`: no module of mnist_series, at most 3,600 lines of ours."""
    sid = "01_linear"
    nb = nbformat.read(NOTEBOOKS / f"{sid}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(LOADED_CELL))
    source = tmp_path / f"{sid}.ipynb"
    nbformat.write(nb, source)
    parameters = {**settings.smoke_parameters(sid),
                  "results_dir": str(tmp_path / "results")}
    notebooks.check_known(sid, parameters)
    out = tmp_path / f"{sid}.out.ipynb"
    papermill.execute_notebook(str(source), str(out), parameters=parameters,
                               cwd=str(NOTEBOOKS), kernel_name="python3",
                               progress_bar=False)
    ran = nbformat.read(out, as_version=4)
    text = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
    loaded = json.loads(text.split("LOADED ", 1)[1])
    print(f"{sid} in its kernel: {sum(loaded.values())} lines in "
          f"{len(loaded)} modules: {', '.join(sorted(loaded))}")
    assert not [n for n in loaded if n.startswith("mnist_series")], loaded
    assert sum(loaded.values()) <= MAX_LOADED, loaded
