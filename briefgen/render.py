"""Render a project through a Jinja2 template into Markdown.

Escaping is the default: every value printed from data goes through
:func:`briefgen.mdescape.md_escape` (via ``finalize``) unless the template says
``|safe``. Undefined names are errors. Citations become footnotes through
``cite()``; how a note reads comes from the template's ``note`` macro.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import signal
import threading
from contextlib import contextmanager

import jinja2
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from briefgen import bidi, sandbox
from briefgen.dates import parse_date
from briefgen.analyse import Analysis, ClaimView, DatedEvent, analyse, best_reliability, select
from briefgen.audiences import SUFFIX, find, load_profile, search_path
from briefgen.errors import BriefgenError, display_path
from briefgen.limits import Limits
from briefgen.load import Project
from briefgen.mdescape import Directed, LeftToRight, RightToLeft, isolate, marked, md_escape, md_url
from briefgen.numbers import format_locators
from briefgen.model import CREDIBILITY, RELIABILITY, BottomLine, Citation, Claim, Event, Judgment, Profile
from briefgen.template_cache import bytecode_cache
from briefgen.template_loader import template_loader



def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    return _printed(value)


def _printed(value: Any) -> Markup:
    """`value` as Markdown that prints it literally, isolated if it holds right-to-left
    text, after its direction mark if it has one (:class:`~briefgen.mdescape.Directed`)."""
    text = md_escape(value)
    return Markup(isolate(marked(value, text) if isinstance(value, Directed) else text))


#: The fields whose text a record's ``language`` is the language of: those a template
#: prints as sentences. Names (a claimant, a source's outlet) keep their own direction.
DIRECTED_FIELDS: dict[type, frozenset[str]] = {
    Event: frozenset({"title", "summary", "note"}),
    Claim: frozenset({"statement", "period", "note"}),
    Judgment: frozenset({"statement", "short"}),
    BottomLine: frozenset({"statement", "short"}),
    Citation: frozenset({"quote", "note"}),
}
_DIRECTED_NAMES = frozenset().union(*DIRECTED_FIELDS.values())


def directed(record: Any, name: str, value: Any) -> Any:
    """`value`, field `name` of `record`, as :class:`~briefgen.mdescape.Directed` text when the record gives
    its language and the field is one it covers; else `value` as it is."""
    if type(value) is not str or name not in DIRECTED_FIELDS.get(type(record), ()) or record.language is None:
        return value
    return (RightToLeft if bidi.default_level(record.language) else LeftToRight)(value)


class _Directing:
    """An environment whose templates read :class:`~briefgen.mdescape.Directed` text from
    the fields a record's ``language`` covers (``{{ event.title }}``, ``map(attribute="statement")``)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)  # type: ignore[misc]
        return directed(obj, attribute, value) if attribute in _DIRECTED_NAMES else value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)  # type: ignore[misc]
        return directed(obj, argument, value) if type(argument) is str and argument in _DIRECTED_NAMES else value


class _Environment(jinja2.Environment):
    """Jinja2's environment, reading directed text as :class:`_Directing` does. Its
    lookups are Jinja's own with the check inline: every attribute a template reads comes
    through here, so a call more would cost a Latin-only briefing time for nothing."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)
        if attribute in _DIRECTED_NAMES:
            return directed(obj, attribute, value)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        try:
            value = obj[argument]
        except (AttributeError, TypeError, LookupError):
            value = super().getitem(obj, argument)
        return directed(obj, argument, value) if type(argument) is str and argument in _DIRECTED_NAMES else value


class _Sandbox(_Directing, sandbox.BriefingSandbox):
    """briefgen's sandbox (:mod:`briefgen.sandbox`), reading directed text."""


@dataclass
class PendingNote:
    label: str
    citations: tuple[Citation, ...]
    quote: bool

    @property
    def groups(self) -> list[tuple[str, list[Citation]]]:
        """The citations grouped by source, sources in order of first appearance."""
        out: dict[str, list[Citation]] = {}
        for c in self.citations:
            out.setdefault(c.source, []).append(c)
        return list(out.items())

    def locators(self, cits: list[Citation]) -> str:
        """'para. 3' or 'paras. 6–7, 10, 13' (other locators after, as given)."""
        return format_locators(c.locator for c in cits)


@dataclass
class Footnotes:
    """Collects the notes `cite()` creates while a template renders."""

    project: Project
    notes: list[PendingNote] = field(default_factory=list)

    def cite(self, item: Any, quote: bool = False, each: bool = False) -> Markup:
        """Footnote reference(s) for an event, claim, judgment or list of them."""
        citations = self._citations(item)
        if not citations:
            raise ValueError(f"cite(): {type(item).__name__} has nothing to cite")
        groups = [(c,) for c in citations] if each else [tuple(citations)]
        refs = []
        for group in groups:
            label = f"n{len(self.notes) + 1}"
            self.notes.append(PendingNote(label, group, quote))
            refs.append(f"[^{label}]")
        return Markup("".join(refs))

    def _citations(self, item: Any) -> list[Citation]:
        if isinstance(item, (ClaimView,)):
            item = item.claim
        if isinstance(item, DatedEvent):
            item = item.event
        if isinstance(item, (Claim, Event)):
            return list(item.citations)
        if isinstance(item, Citation):
            return [item]
        if isinstance(item, (Judgment, BottomLine)):
            lookup = {**self.project.events_by_id, **self.project.claims_by_id}
            return _unique(c for ref in item.basis for c in lookup[ref].citations)
        if isinstance(item, (list, tuple)):
            return _unique(c for x in item for c in self._citations(x))
        if isinstance(item, jinja2.Undefined):
            item._fail_with_undefined_error()   # what is undefined, as printing it would say
        raise ValueError(f"cite() takes an event, a claim, a judgment or a list of them, not {type(item).__name__!r}")


class Memo:
    """``memo(macro, arg, ...)``: the macro's output, rendered once per render for the
    same argument objects (compared by identity) and reused after.

    For a pure macro called many times with few distinct arguments, such as a citation
    style's ``source_ref`` (tens of thousands of notes, a few hundred sources). Only
    macros are accepted, so the sandbox's checks on what a template may call still hold.
    """

    def __init__(self) -> None:
        self._done: dict[tuple[int, ...], tuple[Any, tuple, Any]] = {}

    def __call__(self, macro: Any, *args: Any) -> Any:
        if not isinstance(macro, jinja2.runtime.Macro):
            raise TypeError(f"memo() takes a macro, not {type(macro).__name__}")
        key = (id(macro), *map(id, args))
        hit = self._done.get(key)
        if hit is None:  # the entry keeps the arguments alive, so their ids stay theirs
            hit = self._done[key] = (macro, args, macro(*args))
        return hit[2]


sandbox.register(PendingNote, {f.name for f in dataclasses.fields(PendingNote)} | {"groups", "locators"})
sandbox.register(Footnotes, {"notes", "cite"})  # not the project it reads citations from


def _unique(cits: Iterable[Citation]) -> list[Citation]:
    seen, out = set(), []
    for c in cits:
        key = (c.source, c.locator, c.quote)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def timeline_figure(events: Iterable[DatedEvent], caption: str = "") -> Markup:
    """A fenced ``timeline`` block the parser turns into a drawn figure."""
    items = [{
        "label": marked(directed(e.event, "title", e.event.title), e.event.title),
        "lo": e.span.lo.isoformat() if e.span.lo else None,
        "hi": e.span.hi.isoformat() if e.span.hi else None, "precision": e.span.precision,
        "approximate": e.span.approximate, "kind": e.event.kind, "display": e.span.display(),
    } for e in events]
    payload = json.dumps({"caption": caption, "items": items}, ensure_ascii=False, sort_keys=True)
    return Markup(f"\n```timeline\n{payload}\n```\n")


def grade(source: Any, claim: Any = None) -> str:
    """Admiralty grade: source reliability letter plus claim credibility digit, e.g. 'C2'.

    `source` is a source or a reliability letter."""
    letter = source if isinstance(source, str) else getattr(source, "reliability", "F")
    if isinstance(claim, ClaimView):
        claim = claim.claim
    digit = getattr(claim, "credibility", None) if claim is not None else None
    return f"{letter}{digit or ''}"


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException, so that nothing a template calls swallows it."""


def make_environment(search_path: list[Path], sandboxed: bool = False) -> jinja2.Environment:
    """The Jinja2 environment: Markdown-escaping by default, strict about undefined names,
    compiled templates kept between processes (:mod:`briefgen.template_cache`) unless
    `sandboxed`."""
    cls = _Sandbox if sandboxed else _Environment
    env = cls(
        loader=template_loader(search_path),
        autoescape=True, finalize=_finalize, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        bytecode_cache=None if sandboxed else bytecode_cache(),   # compiled templates kept between commands
    )
    env.filters["url"] = lambda v: Markup(md_url(v))
    env.filters["md"] = _printed
    env.filters["longdate"] = lambda d: f"{d.day} {d.strftime('%B')} {d.year}"
    env.filters["edtf"] = lambda v: parse_date(v).display()
    env.tests["tagged"] = lambda v, tags: bool(set(getattr(getattr(v, "claim", v), "tags", ())) & set(tags))
    env.tests["listed"] = lambda v, ids: getattr(getattr(v, "claim", v), "id", None) in ids
    env.globals.update(RELIABILITY=RELIABILITY, CREDIBILITY=CREDIBILITY, grade=grade,
                       timeline_figure=timeline_figure)
    return env


def render(project: Project, audience: str, build_date: dt.date,
           analysis: Analysis | None = None, changes: Any = None, profile: Profile | None = None,
           limits: Limits = Limits(),
           environment: Callable[[list[Path], bool], jinja2.Environment] = make_environment) -> str:
    """The briefing for `audience` as Markdown text.

    `environment(search_path, sandbox)` gives the Jinja2 environment; a watch session
    passes one that keeps its compiled templates between builds.
    """
    profile = profile or load_profile(project, audience)  # also checks the audience exists
    env, context = template_context(project, audience, build_date, select(analysis or analyse(project), profile.select),
                                    changes, profile, limits.sandbox, environment)
    filename = str(find(project.root, audience).template)
    try:
        with _time_limit(limits.seconds):  # compiling counts: constant folding runs then
            template = _compile(env, audience + SUFFIX, filename)
            return _bounded(template.generate(context), limits.max_chars, template.filename)
    except _OutOfTime:
        raise BriefgenError.one(
            f"template took longer than {limits.seconds:g} s to render and was stopped", file=display_path(filename),
            hint="look for a loop over a huge range, or raise the limit with --time-limit", kind="template") from None
    except BriefgenError:
        raise
    except SecurityError as exc:
        raise _runtime_error(exc, f"the sandbox refused: {exc}",
                             "a sandboxed template may use its data and the functions it is given, nothing else; "
                             "see Security in the README") from None
    except OverflowError as exc:
        raise _runtime_error(exc, f"the sandbox refused: {exc}".replace("larger (", "larger than (")) from None
    except RecursionError as exc:
        raise _runtime_error(exc, "template recursion too deep (a macro or block calling itself)") from None
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(exc) from None
    except jinja2.TemplateNotFound as exc:
        raise _runtime_error(exc, f"template not found: {exc.name}") from None
    except Exception as exc:  # noqa: BLE001 - whatever a template raises is the template's error
        raise _runtime_error(exc) from None


def template_context(project: Project, audience: str, build_date: dt.date, analysis: Analysis, changes: Any,
                     profile: Profile, sandboxed: bool = False,
                     environment: Callable[[list[Path], bool], jinja2.Environment] = make_environment,
                     ) -> tuple[jinja2.Environment, dict[str, Any]]:
    """The environment and the names a template sees. Under the sandbox, everything
    reachable from them is plain data or listed in :data:`briefgen.sandbox.TEMPLATE_API`."""
    env = environment(search_path(project.root), sandboxed)
    notes, memo = Footnotes(project), Memo()

    def claim_grade(view: ClaimView) -> str:
        return grade(best_reliability(project, view.claim), view)

    context = {
        "project": project, "config": project.config, "analysis": analysis,
        "events": analysis.events, "claims": analysis.claims, "disputes": analysis.disputes,
        "sources": project.sources, "bottom_line": project.bottom_line if profile.select.judgments else None,
        "judgments": project.judgments if profile.select.judgments else [], "profile": profile,
        "audience": audience, "build_date": build_date, "as_of": project.config.as_of or build_date,
        "cite": notes.cite, "footnotes": notes, "changes": changes, "memo": memo, "claim_grade": claim_grade,
    }
    if sandboxed:
        env.allow_calls(memo, claim_grade)
    return env, context


def _compile(env: jinja2.Environment, name: str, filename: str) -> jinja2.Template:
    """The template `name`; a failure to compile is a template error naming the file."""
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(exc) from None
    except jinja2.TemplateNotFound as exc:
        raise BriefgenError.one(f"template not found: {exc.name}", kind="template") from None
    except RecursionError:
        raise BriefgenError.one("template is nested too deeply to compile", file=display_path(filename),
                                hint="split deeply nested expressions or tags", kind="template") from None
    except Exception as exc:  # noqa: BLE001 - constant folding runs template expressions now
        raise BriefgenError.one(f"template cannot be compiled: {_describe(exc)}", file=display_path(filename),
                                kind="template") from None


@contextmanager
def _time_limit(seconds: float):
    """Interrupt rendering after `seconds` (main thread only; elsewhere no limit applies)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _bounded(chunks, max_chars: int, filename: str | None) -> str:
    """Join rendered chunks, stopping once the output passes `max_chars`."""
    out, total = [], 0
    for chunk in chunks:
        total += len(chunk)
        if total > max_chars:
            raise BriefgenError.one(f"template output passed {max_chars:,} characters and was stopped",
                                    file=display_path(filename) if filename else None,
                                    hint="look for a loop that repeats without end", kind="template")
        out.append(chunk)
    return "".join(out)


def _template_error(exc: jinja2.TemplateSyntaxError) -> BriefgenError:
    where = display_path(exc.filename) if exc.filename else exc.name
    return BriefgenError.one(f"template syntax error: {exc.message}", file=where, line=exc.lineno,
                             hint="fix the template tag on this line", kind="template")


def _describe(exc: BaseException) -> str:
    """What went wrong, in a template writer's words."""
    if isinstance(exc, MemoryError):
        return "out of memory (the template makes text, lists or numbers too large to hold)"
    msg = re.sub(r"'(?:[\w]+\.)+(\w+) object'", r"'\1'", str(exc)) or type(exc).__name__
    if "integer string conversion" in msg:
        return "a number of more than 4,300 digits cannot be printed"
    return msg


def _did_you_mean(exc: jinja2.UndefinedError) -> str | None:
    """'did you mean ...?' for the name that was undefined: the closest attribute or key of
    the object it was looked up on, or of the names the template sees. Found in the
    traceback, as Jinja2 rewrites it: the Undefined being printed or passed on (a local
    of the frame that failed on it), and the names of the innermost template frame."""
    undefined, names = None, []
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        found = [v for v in frame.f_locals.values() if isinstance(v, jinja2.Undefined)]
        if found:
            undefined = found[0]
        if frame.f_code.co_name.startswith(("top-level template code", "block ", "template")):
            names = list(frame.f_locals)
        tb = tb.tb_next
    name = getattr(undefined, "_undefined_name", None)
    if undefined is None and (m := re.match(r"'([^']+)' is undefined", str(exc))):
        name = m.group(1)     # a name the template itself looked up (a loop's): its own frames hold it
    if not isinstance(name, str):
        return None
    obj = getattr(undefined, "_undefined_obj", jinja2.utils.missing)
    if obj is not jinja2.utils.missing:
        names = list(obj.keys()) if isinstance(obj, dict) else [n for n in dir(obj) if not n.startswith("_")]
    close = difflib.get_close_matches(name, [n for n in names if isinstance(n, str)], n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _runtime_error(exc: Exception, message: str | None = None, hint: str | None = None) -> BriefgenError:
    """Locate a render-time error in the template from the traceback frames."""
    file, line = None, None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(SUFFIX) or "/templates/" in code.co_filename:
            file, line = code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    msg = message or _describe(exc)
    if hint is None and isinstance(exc, jinja2.UndefinedError) and ("undefined" in msg or "no attribute" in msg):
        hint = _did_you_mean(exc) or "check the spelling of the name"
    return BriefgenError.one(f"template error: {msg}", file=display_path(file) if file else None, line=line,
                             hint=hint, kind="template")
