"""The unit vocabulary: what a claim's ``unit`` means, so that values compare.

A unit is read word by word into four parts:

* a **currency** (``USD``, ``US$``, ``$``, ``EUR``, ``€``, ``RMB``, ``CNY``, ``GBP``,
  ``£``, ``JPY``, ...): spellings of one currency are one currency (``RMB`` = ``CNY``,
  ``US$`` = ``$`` = ``USD``);
* a **scale** (``thousand``/``k``, ``million``/``mn``/``mln``/``m``,
  ``billion``/``bn``/``bln``/``b``, ``trillion``/``tn``/``trn``/``t``): a power of ten
  the number is multiplied by. The one-letter forms count as scales only beside a
  currency (``EUR m``, ``$bn``), so ``m`` alone stays metres;
* **percent** (``%``, ``percent``, ``per cent``, ``pct``);
* a **count**: any other words (``jobs``, ``lines``, ``million cells``, ``GWh``), compared
  without case or plural (``Line`` = ``lines``). A count compares only with itself.

A parenthesis is a qualifier that is part of the unit: ``US$ bn (market value)`` is not
``US$ bn``. Two values compare when their units have the same currency, percent, count and
qualifier; the scale is multiplied out first, so 5,500 ``USD million`` = 5.5 ``USD
billion``.

A project adds units in ``briefgen.yaml`` (``units: [GWh, cells]``, or entries with
``kind: currency``/``scale`` and ``synonyms``); its spellings win over the built-in ones,
so ``{name: AUD, kind: currency, synonyms: ["$"]}`` makes ``$`` Australian dollars.
:func:`unit_problems` lists the units a project uses that the vocabulary does not know,
with a did-you-mean.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

from briefgen.errors import Problem

# Currency: ISO code -> spellings. Symbols are matched as written, codes and words
# without case. "¥" is left out on purpose: it is both yen and yuan.
CURRENCIES: dict[str, tuple[str, ...]] = {
    "USD": ("USD", "US$", "$", "dollar", "dollars"),
    "EUR": ("EUR", "€", "euro", "euros"),
    "GBP": ("GBP", "£", "UK£", "sterling"),
    "CNY": ("CNY", "RMB", "yuan", "renminbi"),
    "JPY": ("JPY", "yen"),
    "CHF": ("CHF",),
    "CAD": ("CAD", "C$", "CA$"),
    "AUD": ("AUD", "A$", "AU$"),
    "NZD": ("NZD", "NZ$"),
    "HKD": ("HKD", "HK$"),
    "SGD": ("SGD", "S$"),
    "INR": ("INR", "₹", "rupee", "rupees"),
    "KRW": ("KRW", "₩", "won"),
    "BRL": ("BRL", "R$"),
    "SEK": ("SEK",), "NOK": ("NOK",), "DKK": ("DKK",), "PLN": ("PLN",), "ZAR": ("ZAR",),
    "MXN": ("MXN",), "TWD": ("TWD", "NT$"), "SAR": ("SAR",), "AED": ("AED",), "RUB": ("RUB",),
}
# Scale: multiplier -> (the word shown, spellings). One-letter spellings need a currency.
SCALES: dict[int, tuple[str, tuple[str, ...]]] = {
    10**3: ("thousand", ("thousand", "thousands", "k")),
    10**6: ("million", ("million", "millions", "mn", "mln", "mio", "m")),
    10**9: ("billion", ("billion", "billions", "bn", "bln", "b")),
    10**12: ("trillion", ("trillion", "trillions", "tn", "trn", "t")),
}
PERCENT = ("%", "percent", "pct")
# Count words every project may use without declaring them (a project adds its own).
COUNTS = ("x", "times", "people", "person", "jobs", "employees", "staff", "workers", "users",
          "customers", "units", "items", "years", "months", "weeks", "days", "hours",
          "quarters", "percentage points", "basis points", "count")
_MULTIPLE = {"x": "x", "×": "x", "times": "x"}
_SYMBOL_PREFIX = re.compile(r"^(US\$|UK£|HK\$|NZ\$|NT\$|CA\$|AU\$|[CASR]\$|[$€£₹₩])(?=\S)")


def singular(word: str) -> str:
    """A count word without its plural ending, for comparing: 'lines' -> 'line'."""
    w = word.casefold()
    if len(w) <= 3 or w.endswith(("ss", "us", "is")):
        return w
    if w == "people":
        return "person"
    if w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes", "zes", "ses")):
        return w[:-2]
    return w[:-1] if w.endswith("s") else w


def _count_key(words: Iterable[str]) -> str:
    return " ".join(_MULTIPLE.get(w.casefold(), singular(w)) for w in words)


@dataclass(frozen=True)
class Unit:
    """What a unit string means. `dimension` decides what it compares with."""

    written: str
    currency: str | None = None          # ISO code
    currency_token: str | None = None    # as written: "US$", "RMB", "€"
    scale: int = 1                       # multiplier: 10**9 for billion
    percent: bool = False
    count: str = ""                      # count words as written, scale and currency removed
    qualifier: str = ""                  # text of a parenthesis, as written
    unknown: tuple[str, ...] = ()        # words the vocabulary does not know

    @property
    def dimension(self) -> tuple:
        """Units with equal dimensions compare (after their scales are multiplied out)."""
        words = self.count.split()
        return (self.currency, self.percent, _count_key(words),
                " ".join(self.qualifier.casefold().split()))


@dataclass
class Vocabulary:
    """Built-in units plus a project's own (`units:` in briefgen.yaml)."""

    currencies: dict[str, str] = field(default_factory=dict)   # spelling (folded unless symbol) -> code
    scales: dict[str, int] = field(default_factory=dict)       # spelling (folded) -> multiplier
    scale_words: dict[int, str] = field(default_factory=dict)  # multiplier -> word shown
    counts: dict[str, str] = field(default_factory=dict)       # count key -> spelling as declared
    synonyms: dict[str, str] = field(default_factory=dict)     # count key of a synonym -> its unit's key
    symbols: set[str] = field(default_factory=set)             # currency spellings shown as symbols

    @classmethod
    def builtin(cls) -> "Vocabulary":
        v = cls()
        for code, spellings in CURRENCIES.items():
            v.add_currency(code, spellings)
        for factor, (word, spellings) in SCALES.items():
            v.add_scale(factor, word, spellings)
        for word in COUNTS:
            v.add_count(word, ())
        return v

    @classmethod
    def for_project(cls, entries: Iterable) -> "Vocabulary":
        """The built-in vocabulary extended by a project's `units:` entries."""
        v = cls.builtin()
        for entry in entries:
            if isinstance(entry, str):
                v.add_count(entry, ())
            elif entry.kind == "currency":
                v.add_currency(entry.name.upper() if entry.name.isalpha() else entry.name,
                               (entry.name, *entry.synonyms))
            elif entry.kind == "scale":
                v.add_scale(entry.factor, entry.name, (entry.name, *entry.synonyms))
            else:
                v.add_count(entry.name, entry.synonyms)
        return v

    def add_currency(self, code: str, spellings: Iterable[str]) -> None:
        for s in spellings:
            if s.isalpha():
                self.currencies[s.casefold()] = code
            else:
                self.currencies[s] = code
                self.symbols.add(s)

    def add_scale(self, factor: int, word: str, spellings: Iterable[str]) -> None:
        self.scale_words.setdefault(factor, word)
        for s in spellings:
            self.scales[s.casefold()] = factor

    def add_count(self, name: str, synonyms: Iterable[str]) -> None:
        key = _count_key(name.split())
        self.counts[key] = name
        for s in synonyms:
            self.synonyms[_count_key(s.split())] = key

    @cached_property
    def _known_words(self) -> list[str]:
        words = [s for s in self.currencies] + [s for s in self.scales if len(s) > 1]
        return sorted({*words, *PERCENT, "per cent", *self.counts.values(), *self.synonyms})

    def _has_currency(self, tokens: list[str]) -> bool:
        return any(self.currency_of(t) for t in tokens)

    def currency_of(self, token: str) -> str | None:
        return self.currencies.get(token) or (self.currencies.get(token.casefold()) if token.isalpha() else None)

    def parse(self, text: str) -> Unit:
        """Read a unit string into its parts (see the module docstring)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = self._parse(text)
        return cached

    @cached_property
    def _cache(self) -> dict[str, Unit]:
        return {}

    def _parse(self, text: str) -> Unit:
        written = " ".join(unicodedata.normalize("NFKC", text).split())
        qualifier = ""
        if (m := re.search(r"\(([^()]*)\)\s*$", written)) is not None:
            qualifier, written_core = m.group(1).strip(), written[:m.start()].strip()
        else:
            written_core = written
        core = re.sub(r"\bper\s+cent\b", "%", written_core, flags=re.I)
        tokens: list[str] = []
        for raw in core.split():
            if (m := _SYMBOL_PREFIX.match(raw)) is not None and self.currency_of(m.group(1)):
                tokens += [m.group(1), raw[m.end():]]
            elif raw.endswith("%") and len(raw) > 1:
                tokens += [raw[:-1], "%"]
            else:
                tokens.append(raw)
        currency = currency_token = None
        scale, percent, rest = 1, False, []
        for t in tokens:
            folded = t.casefold()
            if currency is None and (code := self.currency_of(t)):
                currency, currency_token = code, t
            elif scale == 1 and not rest and (factor := self.scales.get(folded)) is not None \
                    and (len(folded) > 1 or self._has_currency(tokens)):
                scale = factor
            elif folded in PERCENT and not percent:
                percent = True
            else:
                rest.append(t)
        count = " ".join(rest)
        unknown = ()
        if count:
            key = _count_key(rest)
            if key not in self.counts and key not in self.synonyms:
                unknown = (count,)
        return Unit(text, currency, currency_token, scale, percent, count, qualifier, unknown)

    def canonical(self, unit: Unit) -> tuple:
        """`unit.dimension` with declared synonyms replaced by the unit they stand for."""
        currency, percent, key, qualifier = unit.dimension
        return (currency, percent, self.synonyms.get(key, key), qualifier)

    def suggest(self, word: str) -> str | None:
        """The known spelling closest to an unknown word, if one is close."""
        folded = {w.casefold(): w for w in self._known_words}
        known = {_count_key(w.split()) for w in folded}
        close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.75)
        if close:
            return folded[close[0]]
        for part in word.split():  # one misspelt word of several: "milion cells" -> "million cells"
            if _count_key([part]) in known:
                continue
            close = difflib.get_close_matches(part.casefold(), list(folded), n=1, cutoff=0.8)
            if close:
                return word.replace(part, folded[close[0]])
        return None


BUILTIN = Vocabulary.builtin()


def unit_problems(project, vocabulary: Vocabulary, misspelt_only: bool = False) -> list[Problem]:
    """Warnings for the unit words in a project that `vocabulary` does not know: one per
    word, where it is first used; with `misspelt_only`, only those close to a word it
    knows (``bathces``), which ``build`` warns about too: a misspelt unit compares with
    nothing, so a disagreement it belongs to leaves the briefing without a word."""
    uses: dict[str, list[int]] = {}
    for i, claim in enumerate(project.claims):
        for word in vocabulary.parse(claim.unit).unknown if claim.unit else ():
            uses.setdefault(word, []).append(i)
    out = []
    for word, where in uses.items():
        i = where[0]
        unit = project.claims[i].unit
        close = vocabulary.suggest(word)
        if misspelt_only and not close:
            continue
        file, line = project.locate("claims.yaml", "claims", i, "unit")
        what = f"'{word}'" if word == unit else f"'{word}' (in '{unit}')"
        more = f", used by {len(where)} claims," if len(where) > 1 else ""
        hint = (f"did you mean '{close}'? If '{word}' is right, add it to `units:` in briefgen.yaml"
                if close else f"if it is right, add '{word}' to `units:` in briefgen.yaml")
        out.append(Problem(f"unknown unit {what}{more} compares only with itself",
                           file=file, line=line, field=f"claims[{i}].unit", hint=hint))
    return out
