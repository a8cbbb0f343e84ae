"""The locks (`locks/`), the Pythons we accept, and the venvs' names."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mnist_series import lock
from mnist_talk import files, installed

ROOT = files.ROOT
FIND_PYTHON = ROOT / ".ci" / "find-python"


def test_every_lock_agrees_with_the_requirements():
    locks = list(lock.all_locks())
    assert len(locks) == 3 * 3 + 2 * 3  # CPU for all, CUDA for TF and JAX
    for backend, python, gpu, path in locks:
        assert path.exists(), f"{path.name}: run make lock"
        assert lock.disagreements(backend, python, gpu) == [], path.name


def test_a_pin_moved_without_make_lock_is_caught(tmp_path):
    for name in ["requirements.txt", *(f"requirements-{b}.txt"
                                       for b in lock.BACKENDS)]:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "locks", tmp_path / "locks")
    assert lock.disagreements("jax", "3.12", root=tmp_path) == []

    shared = tmp_path / "requirements.txt"
    shared.write_text(shared.read_text().replace("keras==3.15.1",
                                                 "keras==3.15.2"))
    problems = lock.disagreements("jax", "3.12", root=tmp_path)
    assert problems == ["keras==3.15.2 but locks/jax-py3.12.txt has 3.15.1"]

    shared.write_text(shared.read_text() + "rich-click==1.9.0\n")
    problems = lock.disagreements("tensorflow", "3.13", True, root=tmp_path)
    assert ("rich-click==1.9.0 is not in locks/tensorflow-gpu-py3.13.txt"
            in problems)


def test_check_command_fails_and_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(lock, "ROOT", tmp_path)
    monkeypatch.setattr(installed, "LOCKS", tmp_path / "locks")
    for name in ["requirements.txt", *(f"requirements-{b}.txt"
                                       for b in lock.BACKENDS)]:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "locks", tmp_path / "locks")
    assert lock.main(["check"]) == 0
    torch = tmp_path / "requirements-torch.txt"
    torch.write_text(torch.read_text().replace("torch==2.13.0",
                                               "torch==2.13.1"))
    assert lock.main(["check"]) == 1


def test_each_lock_pins_everything_with_hashes():
    for backend, python, gpu, path in lock.all_locks():
        text = path.read_text()
        blocks = [b for b in re.split(r"\n(?=[A-Za-z0-9])", text)
                  if lock._PIN.match(b)]
        assert blocks, path.name
        for block in blocks:
            assert "--hash=sha256:" in block, (path.name, block[:60])
        summary = lock.summary(path)
        assert summary["packages"] == len(blocks) == len(lock.lock_pins(path))
        assert summary["download_mb"] > 100, path.name
        assert f"CPython {python} on Linux" in text.split("\n", 2)[0] + text


def test_cuda_locks_hold_the_cuda_libraries_and_the_same_pins():
    for backend, python, gpu, path in lock.all_locks():
        pins = lock.lock_pins(path)
        if gpu:
            assert installed.GPU_PROBE[backend] in pins, path.name
            cpu = lock.lock_pins(lock.lock_path(backend, python))
            wanted = lock.requirement_pins(ROOT / f"requirements-{backend}.txt")
            assert {k: pins[k] for k in wanted} == {k: cpu[k] for k in wanted}
        else:
            assert not any(n.startswith("nvidia-") for n in pins) or (
                backend == "torch"), path.name  # PyPI's torch carries CUDA


def test_this_environment_is_its_lock():
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    path = installed.current(backend)
    if path is None:
        pytest.skip("no lock for this platform")
    assert installed.installed_differences(path) == []
    assert installed.describe(backend) == path.name


def test_supported_pythons_agree_everywhere():
    script = FIND_PYTHON.read_text()
    listed = re.search(r'^SUPPORTED="([^"]+)"', script, re.M)[1].split()
    assert sorted(listed) == sorted(lock.SUPPORTED)
    pyproject = (ROOT / "pyproject.toml").read_text()
    low, high = re.search(r'requires-python = ">=(3\.\d+),<(3\.\d+)"',
                          pyproject).groups()
    minors = range(int(low.split(".")[1]), int(high.split(".")[1]))
    assert [f"3.{m}" for m in minors] == list(lock.SUPPORTED)
    assert "%d.%d" % sys.version_info[:2] in lock.SUPPORTED


def _fake_python(folder: Path, version: str) -> Path:
    """A stand-in `pythonX.Y` that answers the questions find-python asks."""
    path = folder / f"python{version}"
    path.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *executable*) echo "$0";; '
        f'*version_info*) echo {version};; '
        f'*--version*) echo "Python {version}.1";; esac\n')
    path.chmod(0o755)
    return path


def _find(*args, path=None):
    env = {**os.environ, "PATH": path or os.environ["PATH"]}
    return subprocess.run([str(FIND_PYTHON), *args], capture_output=True,
                          text=True, env=env)


def test_find_python_takes_a_supported_one_and_refuses_others(tmp_path):
    good = _fake_python(tmp_path, "3.12")
    found = _find(str(good))
    assert found.returncode == 0 and found.stdout.strip() == str(good)

    old = _fake_python(tmp_path, "3.10")
    refused = _find(str(old))
    assert refused.returncode == 1 and not refused.stdout
    assert "Python 3.10.1" in refused.stderr
    for needed in ("3.11", "3.12", "3.13", "PYTHON="):
        assert needed in refused.stderr

    missing = _find(str(tmp_path / "python9"))
    assert missing.returncode == 1 and "no such command" in missing.stderr


def test_find_python_without_one_picks_the_newest_on_path(tmp_path):
    for version in ("3.10", "3.11", "3.12"):
        _fake_python(tmp_path, version)
    shutil.copy(shutil.which("sh"), tmp_path / "sh")
    bare = f"{tmp_path}:/usr/bin:/bin"
    found = _find(path=bare)
    assert found.stdout.strip() == str(tmp_path / "python3.12")

    (tmp_path / "python3.11").unlink()
    (tmp_path / "python3.12").unlink()
    empty = tmp_path / "empty"
    empty.mkdir()
    _fake_python(empty, "3.10").rename(empty / "python3")
    none = _find(path=f"{empty}:/bin")
    if none.returncode == 0:  # /bin has a supported python3 of its own
        assert re.search(r"python3(\.1[123])?$", none.stdout.strip())
    else:
        assert "No supported Python found" in none.stderr


def test_makefile_names_venvs_and_locks_as_the_module_does():
    python = "%d.%d" % sys.version_info[:2]
    base = getattr(sys, "_base_executable", sys.executable)
    for backend in lock.BACKENDS:
        out = subprocess.run(
            ["make", "-s", "--no-print-directory", "which-venv",
             f"PYTHON={base}", f"BACKEND={backend}", "GPU=0"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout
        venv, lock_file = out.split()[:2]
        assert venv == lock.venv_name(backend, python)
        assert ROOT / lock_file == lock.lock_path(backend, python)
    assert lock.venv_name("jax", "3.13") == ".venv-jax-py3.13"
    assert lock.venv_name("tensorflow", lock.SUPPORTED[0]) == ".venv"


def test_a_venv_of_another_python_is_refused_not_replaced(tmp_path, capsys):
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.9.18\n")
    code = lock.main(["plan", "--venv", str(venv), "--lock",
                      "locks/tensorflow-py3.11.txt"])
    assert code == 1
    err = capsys.readouterr().err
    assert "made with Python 3.9" in err and "rm -rf" in err
    assert (venv / "pyvenv.cfg").exists()


def test_plan_says_what_it_installs_and_how_big(capsys, tmp_path):
    python = "%d.%d" % sys.version_info[:2]
    path = lock.lock_path("jax", python)
    code = lock.main(["plan", "--venv", str(tmp_path / "new"), "--lock",
                      str(path.relative_to(ROOT)), "--backend", "jax"])
    assert code == 0
    said = capsys.readouterr().out
    size = lock.summary(path)
    assert said.startswith("creating ")
    assert f"{size['packages']} packages from {path.relative_to(ROOT)}" in said
    assert f"{size['download_mb']} MB to download" in said


def test_the_pythons_resolve_differently_as_the_docs_say():
    pins = {p: lock.lock_pins(lock.lock_path("tensorflow", p))
            for p in lock.SUPPORTED}
    assert "aiohttp" in pins["3.12"]
    assert "aiohttp" not in pins["3.11"] and "aiohttp" not in pins["3.13"]
    assert [p for p in lock.SUPPORTED if "overrides" in pins[p]] == ["3.11"]
    page = ROOT / "docs" / "python-and-locks.md"
    text = " ".join(page.read_text().split())
    assert "Python 3.12 pulls in `aiohttp`, 3.11 keeps `overrides`" in text


def test_an_update_says_which_packages_change(tmp_path, capsys):
    python = "%d.%d" % sys.version_info[:2]
    path = lock.lock_path("jax", python)
    pins = lock.lock_pins(path)
    venv = tmp_path / "venv"
    site = venv / "lib" / f"python{python}" / "site-packages"
    site.mkdir(parents=True)
    for name, version in pins.items():
        if name != "scipy":
            version = "0.0.1" if name == "numpy" else version
            (site / f"{name.replace('-', '_')}-{version}.dist-info").mkdir()
    (site / "mnist_talk-0.1.0.dist-info").mkdir()  # ours: not in the lock
    (venv / ".installed-gpu0").touch()
    assert lock.venv_changes(venv, path) == [
        f"numpy 0.0.1 -> {pins['numpy']}", f"scipy (new) -> {pins['scipy']}"]
    assert lock.main(["plan", "--venv", str(venv), "--lock",
                      str(path.relative_to(ROOT)), "--backend", "jax"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("updating ") and "2 package(s) change" in said
