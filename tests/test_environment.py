import re
from importlib import metadata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and re.fullmatch(r"[\w.]+", version), line
            pins[name.lower()] = version
    return pins


def test_environment_yml_points_at_the_one_pinned_list():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip == ["-r requirements.txt"]


def test_installed_versions_are_the_pinned_ones():
    pins = _pins()
    assert {"tensorflow", "keras", "jupytext", "nbval", "papermill",
            "matplotlib", "numpy", "jupyter"} <= set(pins)
    for name, version in pins.items():
        assert metadata.version(name) == version, name


def test_readme_ci_and_makefile_agree_on_the_commands():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:sh|bash)?\n(.*?)```", readme, re.S)[0]
    assert commands.split() == ["make", "talk", "make", "test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^talk:", (ROOT / "Makefile").read_text(), re.M)
