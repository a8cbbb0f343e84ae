"""Students for the classroom tests: throwaway accounts that are not root.

The test machines run as root, and root may write anywhere. A student is
not root: these helpers make students with `useradd` and run their
commands as them with `setpriv`, so that the shared checkout, venv and
MNIST cache are read-only to them, as in a class (docs/classroom.md).
Each account is removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from mnist_talk.files import ROOT


def why_no_accounts() -> str | None:
    """Why this machine cannot make student accounts, or None."""
    if os.geteuid() != 0:
        return "only root can make throwaway student accounts"
    missing = [tool for tool in ("useradd", "userdel", "setpriv")
               if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} missing: no throwaway student accounts"
    return None


class Student:
    """One student: a home of their own and, when `uid` is set, an
    account of their own that is not root."""

    def __init__(self, name: str, home: Path, uid: int | None = None,
                 gid: int | None = None):
        self.name, self.home, self.uid, self.gid = name, home, uid, gid

    def __repr__(self):
        return f"{self.name} (uid {self.uid}, home {self.home})"

    def env(self, python: Path | None = None, **extra) -> dict:
        """A login's environment: their home, the venv's `python` first on
        PATH, and this checkout's package (`PYTHONPATH`)."""
        path = "/usr/local/bin:/usr/bin:/bin"
        return {"HOME": str(self.home), "USER": self.name,
                "LOGNAME": self.name, "LANG": "C.UTF-8",
                "PATH": f"{python.parent}:{path}" if python else path,
                "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3",
                "KERAS_BACKEND": os.environ.get("KERAS_BACKEND",
                                                "tensorflow"),
                **extra}

    def command(self, argv: list[str]) -> list[str]:
        """`argv` as this student. A shell execs it: setpriv's own exec
        still reaches paths that only root can (a Python under /root),
        a student's does not."""
        if self.uid is None:
            return list(argv)
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}",
                "--clear-groups", "--", "/bin/sh", "-c", 'exec "$@"',
                self.name, *argv]

    def run(self, argv: list[str], env: dict, **kwargs):
        return subprocess.run(self.command(argv), env=env, cwd=self.home,
                              capture_output=True, text=True, **kwargs)

    def popen(self, argv: list[str], env: dict, log: Path):
        with open(log, "w") as out:
            return subprocess.Popen(self.command(argv), env=env,
                                    cwd=self.home, stdout=out,
                                    stderr=subprocess.STDOUT)


@contextlib.contextmanager
def class_folder():
    """A folder every account can enter (pytest's own tmp_path is root's
    alone), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="mnist-class-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def students(count: int, folder: Path, or_homes: bool = False):
    """`count` students with homes in `folder`: accounts that are not
    root where this machine can make them, else a skip (with `or_homes`:
    homes alone, all run as this account)."""
    why = why_no_accounts()
    if why and not or_homes:
        pytest.skip(why)
    made, found = [], []
    try:
        for n in range(1, count + 1):
            name = f"mnist-student{n}-{os.getpid()}"
            home = folder / f"student{n}"
            home.mkdir()
            if why:
                found.append(Student(name, home))
                continue
            done = subprocess.run(
                ["useradd", "--no-create-home", "--home-dir", str(home),
                 "--shell", "/usr/sbin/nologin", "--user-group", name],
                capture_output=True, text=True)
            if done.returncode != 0:
                pytest.skip(f"useradd could not make a student account: "
                            f"{done.stderr.strip()}")
            made.append(name)
            entry = pwd.getpwnam(name)
            os.chown(home, entry.pw_uid, entry.pw_gid)
            home.chmod(0o700)
            found.append(Student(name, home, entry.pw_uid, entry.pw_gid))
        yield found
    finally:
        for name in made:
            subprocess.run(["userdel", name], capture_output=True)


def python_for(student: Student, shared: Path) -> Path:
    """A Python with this venv's packages that `student` can run.

    The venv's own, when they can run it. Where its interpreter lies
    where students cannot reach it (a pyenv Python under /root, mode
    0700, as on the test machines), a venv made in `shared` with the
    system's Python of the same version, whose site-packages is this
    venv's own: the same packages, shared and read-only.
    """
    own = Path(sys.prefix) / "bin" / "python"
    check = ["-c", "import numpy, mnist_talk"]
    if student.run([str(own), *check], student.env()).returncode == 0:
        return own
    version = "%d.%d" % sys.version_info[:2]
    base = shutil.which(f"python{version}", path="/usr/local/bin:/usr/bin")
    if base is None:
        pytest.skip(f"a student cannot run the venv's Python "
                    f"({own.resolve()}) and this machine has no "
                    f"python{version} to read its packages with")
    view = shared / "venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(view)],
                   check=True)
    site = view / "lib" / f"python{version}" / "site-packages"
    shutil.rmtree(site)
    site.symlink_to(sysconfig.get_paths()["purelib"])
    python = view / "bin" / "python"
    done = student.run([str(python), *check], student.env())
    if done.returncode != 0:
        pytest.skip(f"a student can run neither the venv's Python nor "
                    f"{base} with its packages: {done.stderr.strip()[-300:]}")
    return python
