"""The CLI's output streams: rich's console only when a command draws with it.

Most commands print plain lines (a summary, errors, warnings); loading rich for those
costs about a tenth of a short command and changes nothing they print. A :class:`Lazy`
console therefore writes a plain line itself, exactly as rich would (the test suite
compares the two on hostile text), and makes the real :class:`rich.console.Console`
the first time it is asked for anything else: a table, a progress bar, a line rich
would wrap. From then on rich prints everything, so its buffering and live displays
see every line.
"""

from __future__ import annotations

import sys
from typing import IO, Any

# What rich's Text removes from printed text (bell, backspace, vertical tab, form feed,
# carriage return): rich.control._CONTROL_STRIP_TRANSLATE, pinned by tests/test_console.py.
STRIPPED = dict.fromkeys((7, 8, 11, 12, 13))

# rich's Console defaults for the settings that decide whether a line is plain.
RICH_DEFAULTS = {"markup": True, "highlight": True, "soft_wrap": False}


class Lazy:
    """A rich Console, made on first use, that writes plain lines without it.

    ``Lazy(stderr=True, highlight=False)`` takes the arguments of rich's Console;
    emoji codes are never replaced (``:x:`` in a source title is text, not a picture).
    """

    def __init__(self, *, stderr: bool = False, **settings: Any) -> None:
        self._stderr = stderr
        self._settings = {"emoji": False, **settings}
        self._rich = None

    @property
    def rich(self):
        """The real console (imports rich)."""
        if self._rich is None:
            from rich.console import Console

            self._rich = Console(stderr=self._stderr, **self._settings)
        return self._rich

    @property
    def file(self) -> IO[str]:
        if self._rich is not None:
            return self._rich.file
        return self._settings.get("file") or (sys.stderr if self._stderr else sys.stdout)

    def print(self, *objects: Any, markup: bool | None = None, highlight: bool | None = None,
              soft_wrap: bool | None = None, **options: Any) -> None:
        """rich's ``Console.print``; until rich is loaded, a lone string without markup,
        highlighting or wrapping is written here, the same as rich writes it."""
        if self._rich is None and self._plain(objects, markup, highlight, soft_wrap, options):
            self.file.write(plain(objects[0]))
            self.file.flush()
            return
        self.rich.print(*objects, markup=markup, highlight=highlight, soft_wrap=soft_wrap, **options)

    def _plain(self, objects: tuple, markup: bool | None, highlight: bool | None, soft_wrap: bool | None,
               options: dict) -> bool:
        def setting(given: bool | None, name: str) -> bool:
            return self._settings.get(name, RICH_DEFAULTS[name]) if given is None else given

        return (len(objects) == 1 and type(objects[0]) is str and "\t" not in objects[0] and not options
                and not setting(markup, "markup") and not setting(highlight, "highlight")
                and setting(soft_wrap, "soft_wrap"))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rich, name)


def plain(text: str) -> str:
    """`text` as rich prints it unstyled and unwrapped: control codes removed, one newline
    after. (Tabs, which rich expands by cell width, are left to rich.)"""
    return text.translate(STRIPPED) + "\n"


def Table(*args: Any, **kwargs: Any):  # noqa: N802 - stands in for rich's class
    """A :class:`rich.table.Table` (imports rich)."""
    from rich.table import Table

    return Table(*args, **kwargs)
