"""Start-up: how long a command takes before and beside its work, against the libraries
it must load.

The import floor is a fresh interpreter importing, and doing nothing else with, every
third-party module the seed build really loaded (in either of its processes), as
``python -X importtime`` lists them. A build's ratio to it is briefgen's own cost above
its libraries; the absolute targets are for a quiet machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# what the interpreter or an editable install loads before any command
NOT_LIBRARIES = {"site", "encodings", "sitecustomize", "usercustomize", "briefgen"}


def third_party_modules(cmd: list[str]) -> list[str]:
    """The third-party modules `cmd` (a Python command) imports, from its import-time log."""
    log = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}).stderr   # -X importtime
    names = {m.group(1) for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", log, re.M)}
    return sorted(n for n in names if not _ours_or_standard(n.split(".")[0]))


def _ours_or_standard(top: str) -> bool:
    return (top in sys.stdlib_module_names or top in NOT_LIBRARIES or top.startswith("_")
            or top.startswith("__editable__"))


def floor_command(modules: list[str], script: Path) -> list[str]:
    """`python script`, which imports `modules` in order (one that will not import alone is
    skipped: the build imported it as part of another)."""
    script.write_text("import importlib\n"
                      f"for name in {modules!r}:\n"
                      "    try:\n        importlib.import_module(name)\n"
                      "    except Exception:\n        pass\n", encoding="utf-8")
    return [sys.executable, str(script)]


SKIP = (".git", ".venv", "out", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis")


def installed_python(root: Path, work: Path) -> Path:
    """The interpreter of a venv in `work` with briefgen installed from a wheel of `root`,
    as a user installs it (bytecode compiled, no editable-install import hook). The venv
    is kept between runs; the wheel is rebuilt and reinstalled each run (briefgen only)."""
    import shutil

    src, dist, env = work / "wheel-src", work / "wheel-dist", work / "startup-venv"
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(dist, ignore_errors=True)
    shutil.copytree(root, src, ignore=shutil.ignore_patterns(*SKIP))   # the checkout gets no build/
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("*.whl"))
    python = env / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    else:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(wheel)],
                       check=True)
    return python
