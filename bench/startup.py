"""Start-up: how long a command takes before and beside its work, against the libraries
it must load.

The import floor is a fresh interpreter importing, and doing nothing else with, every
third-party module the seed build really loaded (in either of its processes), as
``python -X importtime`` lists them. A build's ratio to it is briefgen's own cost above
its libraries; the absolute targets are for a quiet machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# what the interpreter or an editable install loads before any command
NOT_LIBRARIES = {"site", "encodings", "sitecustomize", "usercustomize", "briefgen"}


def third_party_modules(cmd: list[str]) -> list[str]:
    """The third-party modules `cmd` (a Python command) imports, from its import-time log."""
    log = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True, text=True, check=True).stderr
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
