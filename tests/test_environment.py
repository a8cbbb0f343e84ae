import os
import re
from importlib import metadata
from pathlib import Path

import yaml

from mnist_series import lock

ROOT = Path(__file__).resolve().parents[1]


BACKENDS = lock.BACKENDS


def _pins(name: str = "requirements.txt") -> dict:
    """`{package: version}` of a requirements file, following `-r`."""
    pins = lock.requirement_pins(ROOT / name)
    for package, version in pins.items():
        assert re.fullmatch(r"[\w.]+", version), (name, package, version)
    return pins


def test_environment_yml_points_at_the_pinned_lists():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip == ["--require-hashes", "-r locks/tensorflow-py3.11.txt"]


#: TensorFlow's venv also exports the kept networks to ONNX (make models).
EXPORT = {"tensorflow": {"tf2onnx", "onnx", "onnxruntime"}}


def test_each_backend_adds_its_own_pins_to_the_shared_ones():
    shared = _pins()
    assert {"keras", "jupytext", "nbval", "papermill", "matplotlib",
            "numpy", "jupyter"} <= set(shared)
    assert not set(shared) & set(BACKENDS)
    for backend in BACKENDS:
        own = _pins(f"requirements-{backend}.txt")
        assert own.items() >= shared.items(), backend
        assert backend in own and not set(own) - set(shared) - {
            backend, "jaxlib"} - EXPORT.get(backend, set()), backend


def test_installed_versions_are_the_pinned_ones():
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    for name, version in _pins(f"requirements-{backend}.txt").items():
        assert metadata.version(name) == version, name


def test_readme_ci_and_makefile_agree_on_the_commands():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:sh|bash)?\n(.*?)```", readme, re.S)[0]
    assert commands.split() == ["make", "talk", "make", "test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^talk:", (ROOT / "Makefile").read_text(), re.M)
