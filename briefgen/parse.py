"""Parse briefing Markdown into the document tree (:mod:`briefgen.tree`).

CommonMark with raw HTML off, GFM tables, footnotes, ``::: callout TITLE``,
``::: titleblock TITLE``, ``::: toc TITLE`` and ``::: pagebreak`` containers, and a ```` ```timeline ```` fence carrying figure data.
Each footnote reference becomes a :class:`~briefgen.tree.Note` holding its own
content; a reference without a definition, or a definition nobody references, is
an error rather than a silent drop.
"""

from __future__ import annotations

import json
import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from briefgen import tree as t
from briefgen.errors import BriefgenError, Problem

CONTAINERS = ("callout", "titleblock", "pagebreak", "toc")
# Every character an enabled inline rule starts at (line breaks, escapes, code, emphasis,
# links, images, notes, autolinks, entities): text without them is one text node.
_INLINE_SYNTAX = re.compile(r"[\n\\`*_\[\]!<&^~]")
_NOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")  # a note reference, as the footnote plugin reads one
# What `_Builder.quick` reads: an escaped ASCII punctuation mark, a note reference (not
# followed by "(", which would make it a link), a `**`; any other markup character makes
# it hand the text to the inline parser.
_QUICK = re.compile(r"\\([!-/:-@\[-`{-~])|" + _NOTE_REF.pattern + r"(?!\()|(\*\*)|" + _INLINE_SYNTAX.pattern)


def make_parser() -> MarkdownIt:
    """A parser whose `parse` runs only the block phase: inline content is parsed by
    :class:`_Builder` as it reaches each block, so the inline tokens of a long briefing
    are never all held at once."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin, move_to_end=False)
    # one rule for every container kind: tried at each line, four rules cost four times as much
    md.use(container_plugin, "box", validate=lambda params, markup: params.strip().split(" ", 1)[0] in CONTAINERS)
    md.core.ruler.enableOnly(["normalize", "block"])
    _refuse_what_nesting_would_drop(md)
    return md


def _refuse_what_nesting_would_drop(md: MarkdownIt) -> None:
    """markdown-it stops at `maxNesting` levels and silently drops everything deeper (a
    tenth list level, a quote in twenty quotes): make that an error at its line."""
    tokenize, limit = md.block.tokenize, md.options.maxNesting

    def checked(state, start: int, end: int) -> None:
        if state.level >= limit:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                raise _TooDeep(line + 1)
        tokenize(state, start, end)

    md.block.tokenize = checked


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


_PARSER = make_parser()


def parse(markdown: str, meta: t.Meta, *, origin: str = "rendered Markdown") -> t.Document:
    """The document tree for `markdown`; raises if its footnotes do not pair up."""
    env: dict = {}
    try:
        tokens = _PARSER.parse(markdown, env)
    except _TooDeep as exc:
        raise BriefgenError.one(
            f"lists, quotes and boxes are nested more than {_PARSER.options.maxNesting} levels deep here "
            "(a list counts two: the list and its item), and the rest would be lost",
            file=origin, line=exc.line, hint="nest them less deeply", kind="template") from None
    builder = _Builder(tokens, env)
    body = builder.blocks(builder.body)
    problems = [Problem(f"footnote reference [^{label}] has no definition, in “{_around(markdown, line, f'[^{label}]')}”",
                        file=origin, line=line, hint="the template must define every note it references")
                for label, line in builder.dangling]
    problems += [Problem(f"footnote [^{label}] is defined but never referenced", file=origin,
                         hint="reference it in the text or remove the definition")
                 for label in builder.note_blocks if label not in builder.used]
    if problems:
        raise BriefgenError(problems, kind="template")
    return t.Document(meta, body)


def _around(markdown: str, line: int | None, needle: str, width: int = 60) -> str:
    """The text of `line` (1-based) of `markdown` around `needle`, at most about `width`
    characters: what a template writer searches the template for, since the line number is
    the rendered output's."""
    lines = markdown.splitlines()
    text = lines[line - 1].strip() if line and 0 < line <= len(lines) else ""
    at = max(text.find(needle), 0)
    start = max(0, min(at - width // 2, len(text) - width))
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


class _Builder:
    """Turns the flat block-token stream into nested blocks, parsing inlines on the way."""

    def __init__(self, tokens: list[Token], env: dict) -> None:
        self.env = env
        self.body, notes = _split_notes(tokens)
        self.slugs: set[str] = set()
        self.dangling: list[tuple[str, int | None]] = []
        self.used: set[str] = set()
        self.in_note = True
        self.note_blocks = {label: self.blocks(toks) for label, toks in notes.items()}
        self.in_note = False

    # blocks ---------------------------------------------------------------------

    def blocks(self, toks: list[Token]) -> tuple[t.Block, ...]:
        out: list[t.Block] = []
        i = 0
        while i < len(toks):
            tok = toks[i]
            if tok.nesting == 1:
                end = _closing(toks, i)
                block = self.container(tok, toks[i + 1:end])
                i = end + 1
            else:
                block = self.leaf(tok)
                i += 1
            if block is not None:
                out.append(block)
        return tuple(out)

    def container(self, tok: Token, inner: list[Token]) -> t.Block | None:
        kind = tok.type
        if kind == "heading_open":
            children = self.inlines(inner[0])
            return t.Heading(int(tok.tag[1]), children, self.slug(t.plain_text(children)))
        if kind == "paragraph_open":
            return t.Para(self.inlines(inner[0]))
        if kind == "bullet_list_open":
            return t.BulletList(self.items(inner))
        if kind == "ordered_list_open":
            return t.OrderedList(self.items(inner), int(tok.attrs.get("start", 1)))
        if kind == "blockquote_open":
            return t.BlockQuote(self.blocks(inner))
        if kind == "table_open":
            return self.table(inner)
        if kind == "container_box_open":
            name, _, title = tok.info.strip().partition(" ")
            if name == "pagebreak":
                return t.PageBreak()
            title_inlines = self.inlines(_inline_token(title.strip()))
            if name == "toc":
                return t.Toc(title_inlines)
            return t.Callout(name, title_inlines, self.blocks(inner))
        raise BriefgenError.one(f"unsupported Markdown construct '{kind}'", kind="template")

    def leaf(self, tok: Token) -> t.Block | None:
        if tok.type == "fence" and tok.info.strip() == "timeline":
            return _timeline(tok.content)
        if tok.type in ("fence", "code_block"):
            return t.CodeBlock(tok.content.rstrip("\n"), tok.info.strip())
        if tok.type == "hr":
            return t.Rule()
        if tok.type == "inline":  # tight list item text
            return t.Para(self.inlines(tok))
        return None

    def items(self, toks: list[Token]) -> tuple[tuple[t.Block, ...], ...]:
        items, i = [], 0
        while i < len(toks):
            end = _closing(toks, i)
            items.append(self.blocks(toks[i + 1:end]))
            i = end + 1
        return tuple(items)

    def table(self, toks: list[Token]) -> t.Table:
        rows: list[tuple[tuple[t.Inline, ...], ...]] = []
        aligns: list[str] = []
        header_rows = 0
        row: list[tuple[t.Inline, ...]] = []
        for tok in toks:
            if tok.type == "tr_close":
                rows.append(tuple(row))
                row = []
            elif tok.type in ("th_open", "td_open"):
                if tok.type == "th_open":
                    style = str(tok.attrs.get("style", ""))
                    aligns.append(style.removeprefix("text-align:"))
            elif tok.type == "inline":
                row.append(self.inlines(tok))
            elif tok.type == "thead_close":
                header_rows = len(rows)
        header = rows[0] if header_rows else ()
        return t.Table(header, tuple(rows[header_rows:]), tuple(aligns))

    def slug(self, text: str) -> str:
        base = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        base = re.sub(r"[^a-z0-9]+", "-", base).strip("-")[:32] or "section"
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    # inlines --------------------------------------------------------------------

    def inlines(self, tok: Token) -> tuple[t.Inline, ...]:
        """The inlines of an inline token, parsed now and not kept on the token."""
        content = tok.content
        if not _INLINE_SYNTAX.search(content):  # plain text, as the inline parser would find
            return (t.Text(content),) if content else ()
        quick = self.quick(content)
        if quick is not None:
            return quick
        children: list[Token] = []
        _PARSER.inline.parse(content, _PARSER, self.env, children)
        return self.convert(children, tok.map[0] + 1 if tok.map else None)

    def quick(self, content: str) -> tuple[t.Inline, ...] | None:
        """The inlines of text whose only markup is escapes, note references and simple
        ``**strong**`` spans (most cells and notes of a long briefing), read without
        the inline parser. None when anything else is there: the parser decides then."""
        if self.env.get("references"):  # link definitions could claim a [^label]
            return None
        refs = self.env.get("footnotes", {}).get("refs", {})
        flat: list[tuple[str, str]] = []  # ("text" | "note" | "open" | "close", value)
        pos, strong = 0, False
        for m in _QUICK.finditer(content):
            if m.start() > pos:
                flat.append(("text", content[pos:m.start()]))
            pos = m.end()
            escaped, label, stars = m.groups()
            if escaped is not None:
                flat.append(("text", escaped))
            elif label is not None and ":" + label in refs:
                flat.append(("note", label))
            elif stars is not None and _strong_edge(content, m.start(), m.end(), closing=strong):
                flat.append(("close" if strong else "open", ""))
                strong = not strong
            else:
                return None
        if strong:
            return None
        if pos < len(content):
            flat.append(("text", content[pos:]))
        out: list[t.Inline] = []
        inner: list[t.Inline] = out
        for kind, value in flat:
            if kind == "text":
                _add_text(inner, value)
            elif kind == "note":
                inner.append(self.label_note(value))
            elif kind == "open":
                inner = []
            else:
                out.append(t.Strong(tuple(inner)))
                inner = out
        return tuple(out)

    def convert(self, children: list[Token], line: int | None) -> tuple[t.Inline, ...]:
        stack: list[tuple[str, object, list[t.Inline]]] = [("root", None, [])]
        for child in children:
            kind = child.type
            top = stack[-1][2]
            if kind == "text":
                self.dangling.extend((m.group(1), line) for m in _NOTE_REF.finditer(child.content))
                _add_text(top, child.content)
            elif kind == "text_special":  # an escaped character: literal, never a note
                _add_text(top, child.content)
            elif kind == "softbreak":
                _add_text(top, " ")
            elif kind == "hardbreak":
                top.append(t.LineBreak())
            elif kind == "code_inline":
                top.append(t.Code(child.content))
            elif kind in ("em_open", "strong_open", "link_open"):
                stack.append((kind, child.attrs.get("href", ""), []))
            elif kind in ("em_close", "strong_close", "link_close"):
                opener, href, inner = stack.pop()
                node = {"em_open": lambda: t.Emph(tuple(inner)),
                        "strong_open": lambda: t.Strong(tuple(inner)),
                        "link_open": lambda: t.Link(str(href), tuple(inner))}[opener]()
                stack[-1][2].append(node)
            elif kind == "footnote_ref":
                top.append(self.note(child, line))
            elif kind == "image":
                _add_text(top, child.content)
        return tuple(stack[0][2])

    def label_note(self, label: str) -> t.Note:
        self.not_in_note()
        self.used.add(label)
        return t.Note(self.note_blocks[label])

    def not_in_note(self) -> None:
        if self.in_note:
            raise BriefgenError.one("a footnote cannot contain another footnote", kind="template")

    def note(self, ref: Token, line: int | None) -> t.Note:
        label = ref.meta.get("label")
        if label is not None:
            return self.label_note(label)
        self.not_in_note()
        inline = self.env["footnotes"]["list"][ref.meta["id"]]  # ^[an inline note]
        self.in_note = True
        try:
            return t.Note((t.Para(self.convert(inline.get("tokens") or [], line)),))
        finally:
            self.in_note = False


def _strong_edge(text: str, start: int, end: int, closing: bool) -> bool:
    """Whether the `**` at text[start:end] surely opens (or closes) strong emphasis, by
    CommonMark's flanking rules for a run of exactly two: a letter or digit on its inner
    side, or an ASCII punctuation mark there with a space, a punctuation mark or the
    end of the text outside. Other cases are left to the parser."""
    before, after = text[start - 1:start], text[end:end + 1]
    if before == "*" or after == "*":  # a longer run
        return False
    inner, outer = (before, after) if closing else (after, before)
    return inner.isalnum() or (inner in _ASCII_PUNCT and outer in _OUTSIDE)


_ASCII_PUNCT = frozenset("!\"#$%&'()+,-./:;<=>?@[\\]^_`{|}~")  # but "*"
_OUTSIDE = _ASCII_PUNCT | {"", " "}


def _inline_token(text: str) -> Token:
    """A container's title as an inline token (escapes and emphasis apply)."""
    tok = Token("inline", "", 0)
    tok.content = text
    return tok


def _add_text(out: list[t.Inline], text: str) -> None:
    if not text:
        return
    if out and isinstance(out[-1], t.Text):
        out[-1] = t.Text(out[-1].text + text)
    else:
        out.append(t.Text(text))


def _closing(toks: list[Token], i: int) -> int:
    depth = 0
    for j in range(i, len(toks)):
        depth += toks[j].nesting
        if depth == 0:
            return j
    raise BriefgenError.one("unbalanced Markdown structure", kind="template")  # pragma: no cover


def _split_notes(tokens: list[Token]) -> tuple[list[Token], dict[str, list[Token]]]:
    """Separate footnote definitions, wherever they stand, from the body; by label."""
    body: list[Token] = []
    notes: dict[str, list[Token]] = {}
    current: list[Token] | None = None
    for tok in tokens:
        if tok.type == "footnote_reference_open":
            current = notes.setdefault(tok.meta["label"], [])
        elif tok.type == "footnote_reference_close":
            current = None
        elif current is not None:
            current.append(tok)
        else:
            body.append(tok)
    return body, notes


def _timeline(payload: str) -> t.TimelineFigure:
    try:
        data = json.loads(payload)
        items = tuple(t.TimelineItem(**item) for item in data["items"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BriefgenError.one(f"timeline figure data is malformed: {exc}",
                                hint="produce it with timeline_figure() in the template", kind="template") from None
    caption = (t.Text(data["caption"]),) if data.get("caption") else ()
    return t.TimelineFigure(items, caption)
