"""Right-to-left text: the Unicode Bidirectional Algorithm's levels and line reordering.

A paragraph's embedding levels (UAX #9, rules P2 to I2: even is left to right, odd is
right to left) come from python-bidi's Rust implementation (unicode-bidi). Lines are
reordered here (rule L2) *after* the layout has wrapped the paragraph, so a wrapped
right-to-left paragraph reads down its lines in order. Nothing here knows about fonts or
PDF; the writers cut text into runs of one level and one font and ask for their order.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Explicit directional formatting characters (UAX #9 X1-X10): honoured by the
#: algorithm, then not drawn.
CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Strong right-to-left characters: Hebrew, Arabic and the other RTL blocks, their
# presentation forms, and RLM/ALM, RLE/RLO/RLI, which make even Latin text bidirectional.
_BIDI = re.compile("[\u0590-\u08ff\ufb1d-\ufdcf\ufdf0-\ufdff\ufe70-\ufefe\u200f\u061c\u202b\u202e\u2067"
                   "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")
_RTL_LANGUAGES = frozenset("ar arc ckb dv fa he iw ku ps sd syr ug ur yi".split())
# ISO 15924 codes of the scripts written right to left.
_RTL_SCRIPTS = frozenset("adlm arab aran armi avst chrs cprt elym hatr hebr hung khar lydi mand mani mend merc mero "
                         "narb nbat nkoo orkh ougr palm phli phlp phnx prti rohg samr sarb sogd sogo syrc thaa yezi"
                         .split())


def bidirectional(text: str) -> bool:
    """Whether `text` needs the algorithm: it holds right-to-left characters or controls
    that can reverse text. Left-to-right text is drawn as it is."""
    return not text.isascii() and _BIDI.search(text) is not None


def default_level(language: str) -> int:
    """The paragraph level for text with no strong character (UAX #9 HL1): 1 for a
    document in a right-to-left language (``ar``, ``fa``, ``he``, ``ur``, ...) or script
    (``az-Arab``), else 0 (``en``, ``ar-Latn``)."""
    tags = (language or "").lower().split("-")
    script = next((s for s in tags[1:4] if len(s) == 4 and s.isalpha()), None)   # BCP 47: after any extlangs
    if script is not None:
        return 1 if script in _RTL_SCRIPTS else 0
    return 1 if tags[0] in _RTL_LANGUAGES else 0


def paragraph_level(text: str, default: int = 0) -> int:
    """The paragraph level of `text` from its first strong character, skipping isolates
    (UAX #9 P2, P3); `default` when it has none.

    A paragraph that is nothing but isolates, spaces and note references (a table cell
    holding only values, each isolated by the render stage, and their notes' numbers or
    object marks U+FFFC) takes the direction of its first isolate instead (a
    higher-level protocol, HL1): isolating a value must not turn an Arabic cell left to
    right. Where anything else is outside them (a note's quotation marks and commas
    around an Arabic title), the text is the template's, and `default` holds: quoting a
    title must not turn an English note right to left."""
    from bidi.bidi import get_base_level_inner

    if not bidirectional(text):
        return 0 if _has_strong_ltr(text) or not default else default
    depth = 0
    inner: int | None = None   # the direction of the first isolate, as far as known
    only_values = True         # nothing but isolates and spaces so far
    for ch in text:
        if ch in "\u2066\u2067\u2068":
            if depth == 0 and inner is None and ch != "\u2068":
                inner = 1 if ch == "\u2067" else 0
            depth += 1
        elif ch == "\u2069":
            depth = max(0, depth - 1)
        else:
            cls = _strong(ch)
            if depth == 0 and cls is None and not _beside_values(ch):
                only_values = False
            if cls is None:
                continue
            if depth == 0:
                return cls
            if inner is None:
                inner = cls
    if inner is not None and only_values:
        return inner
    return default if default else get_base_level_inner(text)


def _beside_values(ch: str) -> bool:
    """Whether `ch`, outside isolates, leaves a paragraph one of values: a space, a digit
    (a note's number) or an object mark (a note's reference)."""
    import unicodedata

    return ch.isspace() or ch == "\ufffc" or unicodedata.category(ch) == "Nd"


def _strong(ch: str) -> int | None:
    import unicodedata

    cls = unicodedata.bidirectional(ch)
    if cls == "L":
        return 0
    if cls in ("R", "AL"):
        return 1
    return None


def _has_strong_ltr(text: str) -> bool:
    return any(_strong(ch) == 0 for ch in text)


def levels(text: str, level: int) -> list[int]:
    """The resolved embedding level of each character of paragraph `text`, whose paragraph
    level is `level` (0 or 1), before line reordering."""
    return list(_levels(text, level))


@lru_cache(maxsize=1024)
def _levels(text: str, level: int) -> tuple[int, ...]:
    from bidi.bidi import get_display_inner

    # python-bidi returns unicode-bidi's BidiInfo (its Debug form) when asked to debug:
    # one level per UTF-8 byte of the text. tests/test_scripts.py pins this form.
    info = get_display_inner(text, "R" if level % 2 else "L", True)
    start = info.index("levels:")
    end = info.index("paragraphs:", start)
    per_byte = [int(m) for m in _LEVEL.findall(info, start, end)]
    out, at = [], 0
    for ch in text:
        out.append(per_byte[at])
        at += len(ch.encode("utf-8"))
    if at != len(per_byte):   # pragma: no cover - python-bidi changed its debug form
        raise RuntimeError("python-bidi gave levels for a different text")
    return tuple(out)


def visual_order(levels: list[int]) -> list[int]:
    """The indices of a line's runs, whose levels are `levels` in logical order, in the
    order they are drawn from left to right (UAX #9 L2): from the highest level down to
    the lowest odd one, every stretch at that level or above is reversed."""
    order = list(range(len(levels)))
    if not levels:
        return order
    top = max(levels)
    low = min(levels)
    low_odd = low if low % 2 else low + 1
    for k in range(top, low_odd - 1, -1):
        i = 0
        n = len(order)
        while i < n:
            if levels[order[i]] >= k:
                j = i
                while j < n and levels[order[j]] >= k:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
