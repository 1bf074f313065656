"""Numbers as people write them: the one place values and locators are formatted.

Every format gets the same text, because values are formatted while rendering (the
writers only see the result). The rules:

* the number keeps the precision it was written with (``45.0`` stays ``45.0``, ``1.50``
  stays ``1.50``), with thousands separated by commas (``1,800``);
* the scale is spelt out after it: ``bn``, ``bln`` and ``billion`` all read ``billion``;
* a currency written as a symbol, and US dollars in any spelling, go right before the
  number (``$5.5 billion``, ``€2 million``); a currency code goes before it with a space
  (``EUR 1.2 billion``, ``RMB 380 billion``); a currency word goes after
  (``5 billion yuan``);
* percent is ``%`` however it was written (``6 per cent`` reads ``6%``); other units
  follow the number as written (``40 GWh``, ``24 million cells``, ``10x``);
* the bound comes first (``over 9%``, ``about $15 billion``, ``almost 5%``, ``up to 1,200
  jobs``) and a range is joined by an en dash (``20–25 million cells``);
* a date value reads at its precision (``by December 2026``); text is shown as written.

Locators: paragraph numbers are sorted and runs joined (``paras. 6–7, 10, 13``); any
other locator follows, as written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Iterable

from briefgen.dates import DateError, parse_date
from briefgen.units import BUILTIN, Vocabulary

if TYPE_CHECKING:
    from briefgen.model import Claim

BOUND_WORDS = {"exact": "", "over": "over ", "at-least": "at least ", "about": "about ",
               "almost": "almost ", "nearly": "nearly ", "under": "under ", "up-to": "up to "}
_NUMERIC = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_GLUED = {"x", "×", "%"}


class Written(float):
    """A decimal that remembers how the data file wrote it: Written(4.5, "4.50").

    It equals, hashes and serialises as the plain float; only the formatter and the
    comparison of precisions read `text` (the loader makes these, load.py)."""

    __slots__ = ("text",)

    def __new__(cls, value: float, text: str) -> "Written":
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __reduce__(self):
        return (Written, (float(self), self.text))


def _written(number: float | int) -> str:
    if isinstance(number, Written):
        return number.text
    return str(number) if isinstance(number, int) else repr(number)


def written_numbers(claim: "Claim") -> tuple[str, ...] | None:
    """The claim's number(s) as written, or None if its value is not a number.

    A number is a YAML number, a range of two, or text such as "1,200" beside a unit."""
    value = claim.value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return (value,) if claim.unit and _NUMERIC.match(value) else None
    return tuple(_written(v) for v in (value if isinstance(value, list) else [value]))


def to_decimal(text: str) -> Decimal:
    """A written number as an exact decimal, its precision kept ("45.0" -> Decimal('45.0'))."""
    try:
        return Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None


def format_number(text: str) -> str:
    """'1200' -> '1,200'; '45.0' -> '45.0'; '1.5e9' -> '1,500,000,000'."""
    if text.isdigit():  # most values: a whole number
        return f"{int(text):,}"
    d = to_decimal(text)
    digits = format(d, "f")
    sign = "-" if digits.startswith("-") else ""
    whole, _, frac = digits.lstrip("+-").partition(".")
    whole = f"{int(whole):,}"
    return sign + whole + (f".{frac}" if frac else "")


def format_value(claim: "Claim", vocabulary: Vocabulary = BUILTIN) -> str:
    """The claim's value as a reader expects it (see the module docstring)."""
    if claim.value is None:
        return ""
    numbers = written_numbers(claim)
    if numbers is None:
        return _format_text(claim)
    return format_quantity(numbers, claim.unit or "", claim.bound, vocabulary)


def format_quantity(numbers: Iterable[str], unit_text: str, bound: str = "exact",
                    vocabulary: Vocabulary = BUILTIN) -> str:
    """One number or a range with its unit and bound: ('5.5',), 'USD bn' -> '$5.5 billion'."""
    unit = vocabulary.parse(unit_text)
    amount = "–".join(format_number(n) for n in numbers)
    scale = vocabulary.scale_words.get(unit.scale, "") if unit.scale != 1 else ""
    after = " ".join(p for p in (scale, unit.count) if p)
    token = unit.currency_token
    if unit.percent:
        body = f"{amount}%" + (f" {after}" if after else "")
    elif token is None:
        glue = "" if unit.count in _GLUED and not scale else " "
        body = f"{amount}{glue}{after}" if after else amount
    elif unit.currency == "USD" or token in vocabulary.symbols:
        symbol = token if unit.currency != "USD" else ("$" if vocabulary.currency_of("$") == "USD" else "US$")
        body = f"{symbol}{amount}" + (f" {after}" if after else "")
    elif token.isalpha() and token.upper() != token:  # a word: "5 billion yuan"
        body = " ".join(p for p in (amount, after, token) if p)
    else:
        body = f"{token} {amount}" + (f" {after}" if after else "")
    if unit.qualifier:
        body += f" ({unit.qualifier})"
    return BOUND_WORDS.get(bound, "") + body


def _format_text(claim: "Claim") -> str:
    value = str(claim.value)
    if claim.unit is None:
        try:
            return parse_date(value).display()
        except DateError:
            return value
    bound = BOUND_WORDS.get(claim.bound, "")
    sep = "" if claim.unit in _GLUED else " "
    return f"{bound}{value}{sep}{claim.unit}".strip()


_PARA = re.compile(r"^para(?:graph)?s?\.?\s*(\d+)$", re.I)


def format_locators(locators: Iterable[str | None]) -> str:
    """Locators of one source as a note gives them: 'paras. 6–7, 10, 13, p. 4'.

    Paragraph numbers are sorted and consecutive runs joined; other locators follow in
    the order given; repeats are dropped."""
    paras: set[int] = set()
    other: list[str] = []
    for loc in locators:
        text = (loc or "").strip()
        if (m := _PARA.match(text)) is not None:
            paras.add(int(m.group(1)))
        elif text and text not in other:
            other.append(text)
    parts = []
    if paras:
        runs = _runs(sorted(paras))
        label = "paras. " if len(paras) > 1 else "para. "
        parts.append(label + ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in runs))
    return ", ".join(parts + other)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
