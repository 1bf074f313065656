"""The bounds a build is held to (:class:`Limits`): apart from rendering, whose module
imports Jinja2, so that a command can name them before it loads anything."""

from __future__ import annotations

import math
from dataclasses import dataclass

from briefgen.errors import BriefgenError


@dataclass(frozen=True)
class Limits:
    """Bounds on a build. `sandbox` is for templates from people you do not trust:
    Jinja2's sandbox with briefgen's policy (:mod:`briefgen.sandbox`), and the whole build
    in a child process held to `seconds` and `memory_mb` (:mod:`briefgen.confine`).
    Without it, `seconds` and `max_chars` bound rendering only."""

    seconds: float = 60.0
    max_chars: int = 50_000_000
    sandbox: bool = False
    memory_mb: int = 2048

    def __post_init__(self) -> None:
        if not (math.isfinite(self.seconds) and 0.1 <= self.seconds <= 86_400):
            raise BriefgenError.one(f"{self.seconds:g} is not a number of seconds from 0.1 to 86,400",
                                    field="--time-limit", hint="give e.g. --time-limit 120", kind="usage")
        if not 256 <= self.memory_mb <= 1_048_576:
            raise BriefgenError.one(f"{self.memory_mb:,} is not a number of megabytes from 256 to 1,048,576",
                                    field="--memory-limit", hint="give e.g. --memory-limit 4096", kind="usage")
