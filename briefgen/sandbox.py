"""What a template rendered with ``build --sandbox`` may touch: plain data, nothing else.

Jinja2's sandbox asks its environment four questions, and the answers live here only:

* :meth:`BriefingSandbox.is_safe_attribute`: a template reads the attributes listed in
  :data:`TEMPLATE_API` for briefgen's own objects (the fields of a claim, an event, a
  source; ``value_display()``; a note's ``groups``), the public, non-mutating attributes
  of plain values (text, numbers, dates, lists, mappings) and of Jinja's own template
  objects (``loop``, macros, namespaces). Anything else, of any other type, is refused:
  the project's folder (``project.root``), loaded files, pydantic's class methods
  (``parse_file``), ``__class__`` and the rest.
* :meth:`BriefingSandbox.is_safe_callable`: a template calls macros, the functions it is
  given (``cite``, ``memo``, ``grade``, ...), Jinja's helpers, the API methods and plain
  values' own methods. Nothing else.
* :attr:`BriefingSandbox.intercepted_binops` and :meth:`BriefingSandbox.call_binop`:
  ``**``, ``*``, ``+`` and ``%`` whose result would be huge are refused before they are
  computed. Intercepted operators are never folded at compile time, so
  ``{{ 10 ** (10 ** 10) }}`` is stopped too.

Time and memory for the whole build are bounded by :mod:`briefgen.confine`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import types
import weakref
from functools import cache
from typing import Any

import jinja2
import jinja2.environment
import jinja2.runtime
import jinja2.utils
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup
from pydantic import BaseModel

from briefgen.analyse import Analysis, ClaimView, DatedEvent, Disagreement, Judged, Relation, Revision, Side
from briefgen.dates import Span
from briefgen.diff import Change, Diff
from briefgen.load import Project
from briefgen.mdescape import LeftToRight, RightToLeft
from briefgen.numbers import Written
from briefgen.model import (
    BottomLine, Checks, Citation, Claim, ClaimSelection, Config, Event, EventSelection, Judgment, Look, Name,
    Profile, RelativeDate, Selection, Source, Strict,
)

MAX_TEXT = 10_000_000  # characters one `*` or `+` may make; the output cap bounds the whole text
MAX_ITEMS = 1_000_000  # items one `*` or `+` may make of a list
MAX_BITS = 100_000     # bits of an integer one `**` or `*` may make (about 30,000 digits)
_FORMAT_WIDTH = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\*|\d{5,}|\d*\.(?:\*|\d{5,}))")  # "%99999d", "%.*f"


def _fields(cls: type) -> frozenset[str]:
    if issubclass(cls, BaseModel):
        return frozenset(cls.model_fields)
    return frozenset(f.name for f in dataclasses.fields(cls))


#: The attributes and methods a sandboxed template may use, per briefgen type: the data,
#: never where it came from (no folder, file or loader). Every value they return is plain
#: data or another type listed here (tests/test_sandbox.py walks them to make sure).
TEMPLATE_API: dict[type, frozenset[str]] = {
    Project: frozenset({"config", "sources", "events", "claims", "judgments", "bottom_line", "subjects",
                        "spans", "events_by_id", "claims_by_id"}),
    Config: _fields(Config) - {"seal"},  # where the signing key and its passphrase are is no briefing's data
    Source: _fields(Source) | {"label", "publisher_label", "authors_label"},
    Name: _fields(Name) | {"display"},
    Citation: _fields(Citation),
    Event: _fields(Event),
    RelativeDate: _fields(RelativeDate),
    Claim: _fields(Claim) | {"value_display"},
    Judgment: _fields(Judgment),
    BottomLine: _fields(BottomLine),
    Profile: _fields(Profile) - {"seal"},
    Selection: _fields(Selection),
    EventSelection: _fields(EventSelection),
    ClaimSelection: _fields(ClaimSelection),
    Look: _fields(Look),
    Checks: _fields(Checks),
    Span: _fields(Span) | {"display", "edtf", "sort_key", "contains_or_before"},
    DatedEvent: _fields(DatedEvent) | {"date_display"},
    ClaimView: _fields(ClaimView) | {"sources"},
    Relation: _fields(Relation),
    Side: _fields(Side) | {"value_display", "sources"},
    Revision: _fields(Revision) | {"reported"},
    Judged: _fields(Judged),
    Disagreement: _fields(Disagreement),
    Analysis: _fields(Analysis) | {"claims_by_id", "disagreements"},
    Diff: _fields(Diff) | {"empty"},
    Change: _fields(Change),
}


def register(cls: type, names: set[str] | frozenset[str]) -> None:
    """Expose `names` of `cls` to sandboxed templates (for render's own objects)."""
    TEMPLATE_API[cls] = frozenset(names)
    _api.cache_clear()


#: Plain values: their public attributes are data or methods that make new plain values.
#: Exact types only (a subclass may add anything; `Written` is a float that adds only the
#: text it was written as, `RightToLeft` and `LeftToRight` texts only their direction).
PLAIN: frozenset[type] = frozenset({
    str, Markup, int, float, bool, type(None), bytes, tuple, list, dict, set, frozenset, range,
    type({}.keys()), type({}.values()), type({}.items()),
    dt.date, dt.datetime, dt.time, dt.timedelta, Written, RightToLeft, LeftToRight,
})

#: Jinja's own template objects, made for templates to use (``loop``, ``caller``,
#: ``namespace()``, ``cycler()``, ``joiner()``, ``self``, imported template modules).
JINJA: tuple[type, ...] = (
    jinja2.runtime.Macro, jinja2.runtime.LoopContext, jinja2.runtime.BlockReference,
    jinja2.runtime.TemplateReference, jinja2.utils.Namespace, jinja2.utils.Cycler, jinja2.utils.Joiner,
    jinja2.environment.TemplateModule,
)


@cache
def _api(cls: type) -> frozenset[str] | None:
    for base in cls.__mro__:
        if base in TEMPLATE_API:
            return TEMPLATE_API[base]
    if issubclass(cls, Strict):  # a data model added later: its fields, which the walk test checks
        return _fields(cls)
    return None


class BriefingSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with briefgen's allow-list policy (see the module text)."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._formatters: weakref.WeakSet = weakref.WeakSet()
        self._callables: list[Any] = []

    # attributes --------------------------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):  # private, internal or mutating
            return False
        api = _api(type(obj))
        if api is not None:
            return attr in api
        if isinstance(value, (types.MethodType, types.BuiltinMethodType)) and value.__self__ is not obj:
            return False  # a class's own constructor reached from a value: date.today, dict.fromkeys
        return type(obj) in PLAIN or isinstance(obj, JINJA)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        """Refuse at once: Jinja's default, an undefined value, prints as "Undefined" in a list."""
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.")

    # calls -------------------------------------------------------------------------

    def is_safe_callable(self, obj: Any) -> bool:
        if not super().is_safe_callable(obj):
            return False
        if isinstance(obj, JINJA) or obj in self._formatters:
            return True
        if any(obj is f for f in self._callables) or any(obj is g for g in self.globals.values()):
            return True
        if isinstance(obj, (types.MethodType, types.BuiltinMethodType)):  # "a".upper, {}.items, value_display
            owner = obj.__self__
            api = _api(type(owner))
            if api is not None:
                return obj.__name__ in api
            return type(owner) in PLAIN or isinstance(owner, JINJA)
        return False

    def wrap_str_format(self, value: Any):
        """Jinja's sandboxed ``str.format``, recorded as callable."""
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:
            self._formatters.add(wrapper)
        return wrapper

    def allow_calls(self, *functions: Any) -> None:
        """Let templates call these objects, which the render context hands them (``cite``, ``memo``)."""
        self._callables.extend(functions)

    # operators -----------------------------------------------------------------------

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_product(left, right)
        elif operator == "+":
            _check_sum(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        return super().call_binop(context, operator, left, right)


def _refuse(what: str) -> SecurityError:
    return SecurityError(f"{what}, too large for a sandboxed template")


def _digits(bits: float) -> str:
    return f"{math.ceil(bits * math.log10(2)):,}"


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        bits = exponent * math.log2(abs(base))
        if bits > MAX_BITS:
            raise _refuse(f"'**' would make a number of about {_digits(bits)} digits")


def _check_size(operator: str, result: Any, size: int) -> None:
    """Refuse a text or list of `size` items made by `operator` (`result`: an operand of that type)."""
    if isinstance(result, str) and size > MAX_TEXT:
        raise _refuse(f"'{operator}' would make a text of {size:,} characters")
    if not isinstance(result, str) and size > MAX_ITEMS:
        raise _refuse(f"'{operator}' would make a {type(result).__name__} of {size:,} items")


def _sized(value: Any) -> bool:
    return isinstance(value, (str, list, tuple, bytes))


def _check_product(left: Any, right: Any) -> None:
    for seq, n in ((left, right), (right, left)):
        if _sized(seq) and isinstance(n, int):
            _check_size("*", seq, len(seq) * n)
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_BITS:
        raise _refuse(f"'*' would make a number of about {_digits(left.bit_length() + right.bit_length())} digits")


def _check_sum(left: Any, right: Any) -> None:
    if _sized(left) and _sized(right):
        _check_size("+", left, len(left) + len(right))


def _check_format(text: str) -> None:
    if _FORMAT_WIDTH.search(text):
        raise _refuse("a '%' format width or precision of five digits or more, or '*'")
