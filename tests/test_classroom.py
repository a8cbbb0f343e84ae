"""A class on one GPU machine (docs/classroom.md): each kernel takes only
the GPU memory it uses, the MNIST cache and the checkout are shared
read-only, each student's copies live in their own home, and the page
says how far a student's accuracies land from the committed runs.

The class itself, three students running stage 01 at once, is in
tests/test_class.py (`make test-live`).
"""

import json
import os
import re
import subprocess
import sys
import types

import numpy as np
import pytest

from mnist_talk import data, devices, files, results, stages
from students import class_folder, python_for, students

#: Run in a fresh Python: start stage 01 as its notebook does, and print,
#: at the first import of Keras or of a backend, which one it was and the
#: environment then; that import is stopped there (nothing is trained).
AT_BACKEND_START = r"""
import json, os, sys
from importlib.abc import MetaPathFinder

WATCHED = ("keras", "tensorflow", "jax", "torch")
NAMES = ("TF_FORCE_GPU_ALLOW_GROWTH", "XLA_PYTHON_CLIENT_PREALLOCATE",
         "XLA_PYTHON_CLIENT_MEM_FRACTION", "XLA_CLIENT_MEM_FRACTION")

class Started(Exception):
    pass

class Watch(MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name in WATCHED:
            print(json.dumps({"module": name,
                              "keras": "keras" in sys.modules,
                              "env": {n: os.environ.get(n) for n in NAMES}}))
            raise Started(name)

sys.meta_path.insert(0, Watch())
from mnist_series import settings
from mnist_talk import session
parameters = {**settings.smoke_parameters("01_linear"), "batch_size": 32,
              "seed": 1, "device": "auto", "results_dir": "unused"}
try:
    session.start("01_linear", **parameters)
except Started:
    pass
"""

MEMORY_NAMES = ("TF_FORCE_GPU_ALLOW_GROWTH", "XLA_PYTHON_CLIENT_PREALLOCATE",
                "XLA_PYTHON_CLIENT_MEM_FRACTION", "XLA_CLIENT_MEM_FRACTION",
                devices.CAP_VARIABLE)


def _at_backend_start(backend, **given):
    env = {k: v for k, v in os.environ.items() if k not in MEMORY_NAMES}
    env.update(KERAS_BACKEND=backend, PYTHONPATH=str(files.ROOT), **given)
    done = subprocess.run([sys.executable, "-c", AT_BACKEND_START],
                          env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[0])


@pytest.mark.parametrize("backend, given, expected", [
    ("tensorflow", {}, {"TF_FORCE_GPU_ALLOW_GROWTH": "true"}),
    ("jax", {}, {"XLA_PYTHON_CLIENT_PREALLOCATE": "false",
                 "XLA_PYTHON_CLIENT_MEM_FRACTION": None}),
    ("jax", {devices.CAP_VARIABLE: "0.25"},
     {"XLA_PYTHON_CLIENT_PREALLOCATE": "false",
      "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.25"}),
    ("torch", {devices.CAP_VARIABLE: "0.25"},
     {"TF_FORCE_GPU_ALLOW_GROWTH": None,
      "XLA_PYTHON_CLIENT_PREALLOCATE": None}),
])
def test_the_backend_starts_after_its_gpu_memory_settings(backend, given,
                                                          expected):
    """Started as a notebook starts it, the backend is imported first,
    before Keras, with memory growth (TensorFlow) or no preallocation
    (JAX) and the admin's cap already in the environment."""
    seen = _at_backend_start(backend, **given)
    assert seen["module"] == backend and not seen["keras"]
    assert {k: seen["env"][k] for k in expected} == expected


def test_an_admins_own_settings_stay_as_they_are():
    """A value the lab admin set is never overwritten, and JAX's cap is
    never set beside the admin's other spelling of it."""
    seen = _at_backend_start("tensorflow", TF_FORCE_GPU_ALLOW_GROWTH="false")
    assert seen["env"]["TF_FORCE_GPU_ALLOW_GROWTH"] == "false"
    seen = _at_backend_start("jax", XLA_PYTHON_CLIENT_PREALLOCATE="true",
                             XLA_CLIENT_MEM_FRACTION="0.5",
                             **{devices.CAP_VARIABLE: "0.25"})
    assert seen["env"] == {"TF_FORCE_GPU_ALLOW_GROWTH": None,
                           "XLA_PYTHON_CLIENT_PREALLOCATE": "true",
                           "XLA_PYTHON_CLIENT_MEM_FRACTION": None,
                           "XLA_CLIENT_MEM_FRACTION": "0.5"}


@pytest.mark.parametrize("value", ["50%", "0", "1.5", "nan", "a quarter"])
def test_a_cap_that_is_no_share_is_one_clear_error(monkeypatch, value):
    monkeypatch.setenv(devices.CAP_VARIABLE, value)
    with pytest.raises(devices.DeviceError,
                       match=r"above 0 and at most 1 .* or unset it"):
        devices.use_device("cpu")


def _fake_tensorflow(configured=(), started=False):
    """A stand-in for `tf.config` that records each logical device set."""
    calls = []

    def configure(device, config):
        if started:
            raise RuntimeError("Virtual devices cannot be modified after "
                               "being initialized")
        calls.append((device, config))

    return calls, types.SimpleNamespace(config=types.SimpleNamespace(
        get_logical_device_configuration=lambda d: (
            ["set"] if d in configured else None),
        set_logical_device_configuration=configure,
        LogicalDeviceConfiguration=lambda memory_limit: memory_limit))


def test_tensorflow_and_torch_take_the_cap_once_started():
    """TensorFlow: a logical device per GPU with `cap` of the smallest
    GPU's memory, once per kernel (a Setup cell run again leaves it), or
    a clear error when its runtime started first; PyTorch: the fraction
    on every visible GPU."""
    calls, tf = _fake_tensorflow()
    limit = devices._cap_tensorflow(tf, ["GPU:0", "GPU:1"], 0.25,
                                    sizes=[81920, 40960])
    assert limit == 10240 and calls == [("GPU:0", [10240]),
                                        ("GPU:1", [10240])]
    calls, tf = _fake_tensorflow(configured=("GPU:0",))
    assert devices._cap_tensorflow(tf, ["GPU:0"], 0.25, [8192]) is None
    assert calls == []
    calls, tf = _fake_tensorflow(started=True)
    with pytest.raises(devices.DeviceError, match="Restart the kernel"):
        devices._cap_tensorflow(tf, ["GPU:0"], 0.25, [8192])
    calls = []
    torch = types.SimpleNamespace(cuda=types.SimpleNamespace(
        device_count=lambda: 2,
        set_per_process_memory_fraction=lambda f, i: calls.append((f, i))))
    devices._cap_torch(torch, 0.5)
    assert calls == [(0.5, 0), (0.5, 1)]


def test_written_files_get_the_permissions_open_gives(tmp_path):
    """The admin's cache (and every file written atomically) is readable
    by the students under umask 022, not 0600 as a temporary file is."""
    old = os.umask(0o022)
    try:
        with files.atomic_write(tmp_path / "a.bin") as f:
            f.write(b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.bin").stat().st_mode & 0o777 == 0o644


@pytest.fixture(scope="module")
def shared_class(mnist):
    """A folder with a shared MNIST cache as `make data` fills it (as
    root, umask 022), one student who is not root, and a Python with the
    venv's packages they can run."""
    (x_train, y_train), (x_test, y_test) = mnist
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test,
                  y_test=y_test)
    with class_folder() as folder, students(1, folder) as (student,):
        cache = folder / "mnist-data"
        old = os.umask(0o022)
        try:
            data._write_cache(cache / data.CACHE_NAME, arrays)
        finally:
            os.umask(old)
        yield folder, cache, student, python_for(student, folder)


def _listing(folder):
    return sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                  for p in folder.iterdir())


#: As a student: load MNIST, with every download source replaced by one
#: that says it was asked.
LOAD = """
from mnist_series import data
from mnist_talk import sources
def asked():
    print("FETCHED")
    raise OSError("no network")
sources.SOURCES[:] = [("asked", asked)]
import sys; sys.exit(data.main())
"""


def test_a_student_loads_the_shared_cache_without_writing(shared_class):
    folder, cache, student, python = shared_class
    before = _listing(cache)
    done = student.run([str(python), "-c", LOAD],
                       student.env(python, MNIST_TALK_DATA=str(cache)),
                       timeout=120)
    assert done.returncode == 0, done.stderr[-1000:]
    assert "MNIST ready: 60000 train + 10000 test images" in done.stdout
    assert "FETCHED" not in done.stdout and done.stderr == ""
    assert _listing(cache) == before


@pytest.mark.parametrize("damage, problem", [
    ("missing", "is missing"),
    ("truncated", "is unreadable (BadZipFile)"),
    ("flipped", "fails its checksum (y_test)"),
    ("root's alone", "cannot be read by this account"),
])
def test_a_missing_or_damaged_shared_cache_is_one_message_naming_make_data(
        shared_class, damage, problem):
    """The student sees one line that names the admin's command; nothing
    is downloaded, nothing written, no traceback."""
    folder, cache, student, python = shared_class
    broken = folder / "broken"
    broken.mkdir(exist_ok=True)
    target = broken / data.CACHE_NAME
    target.unlink(missing_ok=True)
    if damage != "missing":
        good = (cache / data.CACHE_NAME).read_bytes()
        if damage == "flipped":
            with np.load(cache / data.CACHE_NAME) as f:
                arrays = {k: f[k] for k in f}
            arrays["y_test"][0] += 1
            data._write_cache(target, arrays)
        else:
            target.write_bytes(good[:1000] if damage == "truncated" else good)
        target.chmod(0o600 if damage == "root's alone" else 0o644)
    before = _listing(broken)
    done = student.run([str(python), "-c", LOAD],
                       student.env(python, MNIST_TALK_DATA=str(broken)),
                       timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr[-2000:]
    assert lines[0].startswith(f"error: the MNIST cache {target} {problem}")
    assert f"MNIST_TALK_DATA={broken} make data" in lines[0]
    assert f"cd {files.ROOT}" in lines[0]
    assert "FETCHED" not in done.stdout and _listing(broken) == before


def test_a_notebook_shows_a_data_error_as_its_message_alone():
    """IPython, as in a kernel, shows a `DataError` as its message: no
    traceback above the line that says what to do."""
    cell = ("from mnist_talk import data\n"
            "raise data.DataError('run make data')")
    done = subprocess.run(
        [sys.executable, "-c",
         "from IPython.core.interactiveshell import InteractiveShell\n"
         f"InteractiveShell.instance().run_cell({cell!r})"],
        env={**os.environ, "PYTHONPATH": str(files.ROOT)},
        capture_output=True, text=True, timeout=120)
    assert (done.stdout + done.stderr).strip() == "DataError: run make data"


def test_make_lab_puts_a_students_copies_in_their_own_home(tmp_path):
    """`make lab` copies into ~/mnist-lab (its results beside them), the
    speaker's `make present` into build/present of the checkout."""
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("LAB", None)

    done = subprocess.run(["make", "-n", "lab", "present"], cwd=files.ROOT,
                          env=env, capture_output=True, text=True,
                          timeout=120)
    lab, present = [line.split() for line in done.stdout.splitlines()
                    if "-m mnist_series.present" in line]
    assert lab[lab.index("--folder") + 1] == f"{tmp_path}/mnist-lab/notebooks"
    assert "--folder" not in present
    # a student gets every slide; the speaker, the talk's cut
    assert "--full" in lab and "--full" not in present


#: The page's table of seed spreads: stage, committed, seeds' range.
SPREAD_ROW = re.compile(r"^\| (\d\d) \| ([\d.]+)% \| ([\d.]+)% to "
                        r"([\d.]+)% \| (\d+) \|$", re.M)


def test_the_page_gives_each_stages_seed_spread_as_results_has_it():
    """docs/classroom.md's table of how far a student's run may land
    from the committed one: every stage, its figures as `results.spread`
    computes them from the committed seeds."""
    page = (files.ROOT / "docs" / "classroom.md").read_text()
    rows = {m[0]: m[1:] for m in SPREAD_ROW.findall(page)}
    expected = {}
    for stage in stages.STAGES:
        s = results.spread(stage.id)
        full = results.load(files.RESULTS, stage.id)
        expected[stage.number] = (f"{100 * full.test_accuracy:.2f}",
                                  f"{100 * s.low:.2f}", f"{100 * s.high:.2f}",
                                  str(s.errors))
    assert rows == expected, (
        "docs/classroom.md's spread table differs from results/; its rows "
        "should be:\n" + "\n".join(
            f"| {n} | {a}% | {lo}% to {hi}% | {e} |"
            for n, (a, lo, hi, e) in expected.items()))


def test_the_page_names_what_the_code_sets():
    page = (files.ROOT / "docs" / "classroom.md").read_text()
    names = [devices.CAP_VARIABLE, "MNIST_TALK_DATA", *devices.JAX_CAP[:1],
             *(n for grow in devices.GROW.values() for n in grow)]
    assert [n for n in names if n not in page] == []


def test_the_hubs_prepare_command_gives_every_slide_as_make_lab_does():
    """docs/classroom.md's `Spawner.cmd` prepares a student's copies as
    `make lab` does: every slide (`--full`), in ~/mnist-lab."""
    page = (files.ROOT / "docs" / "classroom.md").read_text()
    start = page.index("c.Spawner.cmd")
    command = page[start:page.index("]", start)]
    assert "-m mnist_series.present --prepare-only --full" in command
    assert '--folder "$HOME/mnist-lab/notebooks"' in command
