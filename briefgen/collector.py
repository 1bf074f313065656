"""How briefgen runs CPython's cyclic garbage collector: every setting in one place.

A command allocates millions of small objects that live until it ends (the models, a
build's tree) and makes few reference cycles, so the collector's passes over them
mostly find nothing:

- :func:`tune`, once per process: thresholds raised, as mypy does. With CPython's
  defaults the collector rescanned those objects thousands of times, which doubled
  load and parse time at N = 10,000 (``bench/run.py``).
- :func:`paused` while a build loads, renders and parses: no automatic collection at
  all. At N = 10,000 those passes took 0.35 s of a 6.5 s .docx build. The one
  collection that frees something (a long briefing's models, after rendering) is :func:`collect`.
- :func:`freeze` once the tree is made: it lives until the end, so the writers'
  collections skip it. The writers run with the collector on: the PDF layout makes
  cycles (without collection the peak memory at N = 10,000 grew from 344 to 423 MB).
- :func:`between_builds` in a process that goes on (``briefgen watch``), once a build's
  files are in place: what the build froze is examined again and what it left in cycles
  freed, then what lives on (caches, modules) is frozen, so the next build's collection
  examines only what that build makes (50 ms less for a seed rebuild).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


def tune() -> None:
    """Collect rarely: a command is short and its objects live until it ends."""
    gc.set_threshold(200_000, 50, 100)


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block (as it was after it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collect() -> None:
    """Free what only reference cycles keep alive now (a template context holds the models)."""
    gc.collect()


def freeze() -> None:
    """Every object alive now is kept to the end: leave it out of later collections."""
    gc.freeze()


def between_builds() -> None:
    """Free what the last build left in cycles, then keep what lives on out of later collections."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
