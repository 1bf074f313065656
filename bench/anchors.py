"""The tools an analyst would use instead of briefgen, each run on the same content.

Every anchor reads what bench/feed.py wrote into its folder (`peer.md`, the figures,
`header.typ`) and runs there. One that is not installed says why and is skipped. The
optional ones come with `pip install -e '.[bench]'` (Typst, a pandoc 3, WeasyPrint);
xelatex comes from Debian (`apt-get install texlive-xetex texlive-fonts-recommended`).
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from feed import READ  # noqa: E402  (bench/ is on sys.path)

FONTS = Path(__file__).resolve().parent.parent / "briefgen" / "data" / "fonts"
NOTE_CSS = """@page { size: A4; margin: 25mm 22mm 20mm 22mm; @bottom-center { content: counter(page) } }
body { font-family: "DejaVu Sans"; font-size: 9.5pt; line-height: 1.45 }
table { border-collapse: collapse; width: 100% } td, th { vertical-align: top; padding: 2pt 4pt }
img { max-width: 100% }
.fn { float: footnote; font-size: 7.6pt; line-height: 1.3 }
::footnote-call { content: counter(footnote); vertical-align: super; font-size: 70% }
::footnote-marker { content: counter(footnote) " " }
"""
# pandoc writes HTML notes as endnotes; this makes each one a span at its reference, which
# the CSS above floats to the page's foot (WeasyPrint's CSS Paged Media footnotes).
NOTE_FILTER = """function Note(el)
  return pandoc.Span(pandoc.utils.blocks_to_inlines(el.content), {class = "fn"})
end
"""


@dataclass(frozen=True)
class Anchor:
    key: str
    fmt: str  # the briefgen format it is measured against: docx or pdf
    label: str
    missing: str  # why it cannot run here; empty when it can
    build: object  # (feed folder, output path) -> command

    def command(self, feed: Path, out: Path) -> list[str]:
        return self.build(feed, out)


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    found = re.search(r"\d+(\.\d+)+", out)
    return found.group() if found else ""


@cache
def pandoc3() -> str | None:
    """A pandoc 3: the one pypandoc-binary ships, else `pandoc` on PATH if it is 3 or later."""
    spec = importlib.util.find_spec("pypandoc")
    if spec and spec.origin:
        bundled = Path(spec.origin).parent / "files" / "pandoc"
        if bundled.exists() and _major(str(bundled)) >= 3:
            return str(bundled)
    system = shutil.which("pandoc")
    if system and _major(system) >= 3:
        return system
    return None


def _major(exe: str) -> int:
    return int(_version([exe, "--version"]).split(".")[0] or 0)


def _pandoc(exe: str, *args: str) -> list[str]:
    return [exe, "-f", READ, "--toc", "peer.md", *args]


def _python_has(module: str) -> str:
    """Empty if `module` imports in this interpreter, else why not."""
    try:
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return f"importing {module} timed out"
    if done.returncode == 0:
        return ""
    last = (done.stderr.strip().splitlines() or ["?"])[-1]
    return f"{module} does not import ({last[:120]})"


def anchors() -> list[Anchor]:
    found: list[Anchor] = []
    p2 = shutil.which("pandoc")
    p3 = pandoc3()
    v2 = _version([p2, "--version"]) if p2 else ""
    v3 = _version([p3, "--version"]) if p3 else ""
    no_p3 = "" if p3 else "no pandoc 3 (pip install -e '.[bench]' brings pypandoc-binary)"
    if not p2 or p2 != p3:
        found.append(Anchor("pandoc", "docx", f"pandoc {v2 or '(PATH)'} .docx",
                            "" if p2 else "pandoc is not installed (apt-get install pandoc)",
                            lambda feed, out: _pandoc(p2, "-t", "docx", "-o", str(out))))
    found.append(Anchor("pandoc3-docx", "docx", f"pandoc {v3 or '3'} .docx", no_p3,
                        lambda feed, out: _pandoc(p3, "-t", "docx", "-o", str(out))))

    typst_missing = no_p3 or _python_has("typst")
    typst_v = "" if typst_missing else _version([sys.executable, "-c", "import importlib.metadata as m; print(m.version('typst'))"])

    def typst(header: bool):
        def command(feed: Path, out: Path) -> list[str]:
            compile_ = (f"import typst; typst.compile('peer.typ', output={str(out)!r}, root='.', "
                        f"font_paths=[{str(FONTS)!r}], ignore_system_fonts=True)")
            to_typ = _pandoc(p3, "-t", "typst", "-s", *(["-H", "header.typ"] if header else []),
                             "-V", "fontsize=9.5pt", "-o", "peer.typ")
            return ["sh", "-c", f"{shlex.join(to_typ)} && {shlex.join([sys.executable, '-c', compile_])}"]
        return command

    name = f"pandoc {v3 or '3'} → Typst {typst_v}".rstrip()
    found.append(Anchor("typst", "pdf", name, typst_missing, typst(header=True)))
    # as pandoc writes it, each table sits in an unbreakable figure: fast, but a long
    # table runs off its page; shown for what an unconfigured pipeline gives
    found.append(Anchor("typst-plain", "pdf", f"{name}, tables unbreakable", typst_missing, typst(header=False)))

    xelatex = shutil.which("xelatex")
    found.append(Anchor("xelatex", "pdf", f"pandoc {v3 or '3'} → xelatex",
                        no_p3 or ("" if xelatex else "xelatex is not installed (apt-get install texlive-xetex "
                                                     "texlive-fonts-recommended)"),
                        lambda feed, out: _pandoc(p3, "-s", "--pdf-engine=xelatex", "-V", "documentclass=scrartcl",
                                                  "-V", "classoption=fontsize=9.5pt", "-o", str(out))))

    weasy_missing = no_p3 or _python_has("weasyprint")
    weasy_v = "" if weasy_missing else _version([sys.executable, "-m", "weasyprint", "--version"])

    def weasyprint(feed: Path, out: Path) -> list[str]:
        (feed / "notes.lua").write_text(NOTE_FILTER, encoding="utf-8")
        (feed / "notes.css").write_text(NOTE_CSS, encoding="utf-8")
        to_html = _pandoc(p3, "-t", "html5", "-s", "--lua-filter", "notes.lua", "--css", "notes.css", "-o", "peer.html")
        return ["sh", "-c", f"{shlex.join(to_html)} && "
                            f"{shlex.join([sys.executable, '-m', 'weasyprint', 'peer.html', str(out)])}"]

    found.append(Anchor("weasyprint", "pdf", f"pandoc {v3 or '3'} → WeasyPrint {weasy_v}".rstrip(), weasy_missing,
                        weasyprint))
    return found
