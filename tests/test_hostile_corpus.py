"""The hostile corpus: inputs written as an attacker would, through the real command line.

Each folder tests/cases/hostile/CLASS/CASE is one input (the format is in the README
beside them). For every case: no exit 70, no traceback, no hang, the exact expected
message, no output file when it fails, and nothing changed outside the output folder:
the whole scratch folder (project, canary files outside it, temporary folder) is the
same before and after, byte for byte. The counts per class are printed at the end of
the run (conftest.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from conftest import MINI, TESTS, expected_text

CORPUS = TESTS / "cases" / "hostile"
CASES = sorted(p for p in CORPUS.glob("*/*") if p.is_dir())
SECRET = "CANARY-SECRET-4f1d9c"
CONTROL = ("args", "setup", "expected.txt", "stdout-has", "output-lacks")


@dataclass
class Case:
    root: Path
    canary: Path
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 60.0

    def subs(self, text: str) -> str:
        text = LONG.sub(lambda m: long_text(int(m[2])) if m[1] == "long" else "abcdefghij" * (int(m[2]) // 10), text)
        return text.replace("{canary}", str(self.canary)).replace("{root}", str(self.root))

    def unsubs(self, text: str) -> str:
        return text.replace(str(self.canary.resolve()), "{canary}").replace(str(self.canary), "{canary}") \
            .replace(str(self.root.resolve()), "{root}").replace(str(self.root), "{root}")


LONG = re.compile(r"\{(long|word):([0-9]+)\}")  # {long:N}: words; {word:N}: one word of N letters
VOCAB = ("capacity", "grid", "operator", "said", "additions", "would", "continue", "through")


def long_text(chars: int) -> str:
    """`{long:N}`: about N characters of ordinary words, every other one a numbered token."""
    out, n, size = [], 0, 0
    while size < chars:
        n += 1
        out.append(f"t{n:05d} {VOCAB[n % len(VOCAB)]}")
        size += len(out[-1]) + 1
    return " ".join(out)


def make_canary(folder: Path) -> None:
    """Files outside the project a hostile input might read, overwrite or delete."""
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (folder / "secret.yaml").write_text(f"token: {SECRET}\n", encoding="utf-8")
    (folder / "secret.json").write_text(f'{{"title": "{SECRET}", "subject": "x"}}\n', encoding="utf-8")
    (folder / "victim.txt").write_text("keep me\n", encoding="utf-8")
    Image.new("RGB", (60, 20), (200, 30, 30)).save(folder / "logo.png")


def overlay(case: Path, project: Path, run: Case) -> None:
    """Case files into the project: replacements, `+NAME` appended, DELETE listing removals."""
    for f in sorted(case.rglob("*")):
        rel = f.relative_to(case)
        if f.is_dir() or rel.as_posix() in CONTROL:
            continue
        if rel.name == "DELETE":
            for name in f.read_text().split():
                (project / name).unlink()
            continue
        text = run.subs(f.read_text(encoding="utf-8", errors="surrogateescape"))
        target = project / rel.parent / rel.name.removeprefix("+")
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.name.startswith("+"):
            text = target.read_text(encoding="utf-8") + text
        target.write_bytes(text.encode("utf-8", errors="surrogateescape"))


def set_up(lines: list[str], project: Path, run: Case) -> None:
    """The `setup` file: what files alone cannot say (links, pipes, environment, git)."""
    for line in lines:
        word, _, rest = run.subs(line).partition(" ")
        if word == "link":
            path, target = rest.split(" ", 1)
            (project / path).parent.mkdir(parents=True, exist_ok=True)
            (project / path).unlink(missing_ok=True)
            (project / path).symlink_to(target)
        elif word == "fifo":
            (project / rest).parent.mkdir(parents=True, exist_ok=True)
            (project / rest).unlink(missing_ok=True)
            os.mkfifo(project / rest)
        elif word == "sparse":
            path, size = rest.split()
            with open(project / path, "wb") as fh:
                fh.truncate(int(size))
        elif word == "mkdir":
            (project / rest).mkdir(parents=True, exist_ok=True)
        elif word == "env":
            name, _, value = rest.partition("=")
            run.env[name] = value
        elif word == "timeout":
            run.timeout = float(rest)
        elif word == "git":
            git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "-C", str(run.root)]
            subprocess.run([*git[:5], "init", "-q", str(run.root)], check=True)
            subprocess.run([*git, "add", "mini"], check=True)
            subprocess.run([*git, "commit", "-q", "-m", "data"], check=True)
        elif word:
            raise ValueError(f"unknown setup line: {line}")


def snapshot(root: Path, skip: Path) -> dict[str, tuple]:
    """Everything under `root` but `skip`, without following links or opening pipes."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) != skip]
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = path.lstat()
            key = path.relative_to(root).as_posix()
            if stat.S_ISLNK(st.st_mode):
                out[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest() if st.st_size < 10**7 else st.st_size
                out[key] = ("file", st.st_mode, digest, st.st_mtime_ns)
            else:
                out[key] = (stat.S_IFMT(st.st_mode), st.st_mode)
    return out


def run_cli(args: list[str], run: Case) -> tuple[int, str, str, float]:
    """briefgen ARGS in its own session, killed with everything it started if it hangs."""
    env = {**os.environ, "COLUMNS": "200", "TMPDIR": str(run.root / "tmp"), **run.env}
    env.pop("BRIEFGEN_DEBUG", None)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", *args], cwd=run.root, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=run.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"hung: still running after {run.timeout:g} s")
    return proc.returncode, out, err, time.monotonic() - start


def output_text(out_dir: Path) -> str:
    """What the files written say: Word's body and notes as XML, the PDF's text layer."""
    texts = []
    for path in sorted(out_dir.rglob("*")) if out_dir.exists() else ():
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                texts += [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
        elif path.suffix == ".pdf":
            texts.append(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)
        elif path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_hostile_input(case: Path, tmp_path: Path, record_property) -> None:
    run = Case(tmp_path, tmp_path / "canary")
    make_canary(run.canary)
    (tmp_path / "tmp").mkdir()
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    overlay(case, project, run)
    setup = case / "setup"
    set_up(setup.read_text(encoding="utf-8").splitlines() if setup.exists() else [], project, run)
    args_file = case / "args"
    args = run.subs(args_file.read_text(encoding="utf-8")).split() if args_file.exists() else ["build", "mini"]
    if args[0] == "build" and "--out" not in args:
        args += ["--out", "out"]
    before = snapshot(tmp_path, tmp_path / "out")

    code, out, err, seconds = run_cli(args, run)
    record_property("exit", code)
    record_property("seconds", round(seconds, 2))

    assert snapshot(tmp_path, tmp_path / "out") == before, "something outside the output folder changed"
    assert code != 70 and "Traceback" not in err and "internal error" not in err, err
    written = output_text(tmp_path / "out")
    assert SECRET not in out + err + written, "a file outside the project reached the output"
    if code != 0:
        assert written == "", "a failed command left output behind"
        assert err.startswith("error: ") and all(line.startswith(("error: ", "  ")) for line in err.splitlines()), err
    actual = run.unsubs(f"exit {code}\n{err}")
    assert actual == expected_text(case / "expected.txt", actual)
    has = case / "stdout-has"
    for line in has.read_text(encoding="utf-8").splitlines() if has.exists() else ():
        assert run.subs(line) in out, line
    lacks = case / "output-lacks"
    for line in lacks.read_text(encoding="utf-8").splitlines() if lacks.exists() else ():
        assert written and run.subs(line) not in written, line


def test_every_class_has_many_cases() -> None:
    classes = {c.parent.name for c in CASES}
    assert classes >= {"sandbox", "links", "limits", "options", "files", "dates", "yaml", "template-errors", "other",
                       "long-text"}
    for name in classes:
        assert sum(c.parent.name == name for c in CASES) >= 8, name
