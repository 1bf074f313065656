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
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from briefgen import tree as t
from briefgen.errors import BriefgenError, Problem

CONTAINERS = ("callout", "titleblock", "pagebreak", "toc")
_DANGLING = re.compile(r"\[\^([^\]\s]+)\]")


def _find_dangling(state: StateCore) -> None:
    """Before escapes are merged into text: an unescaped `[^x]` left in text is undefined."""
    found = state.env.setdefault("dangling", [])
    for tok in state.tokens:
        if tok.type != "inline":
            continue
        for child in tok.children or []:
            if child.type == "text":
                for m in _DANGLING.finditer(child.content):
                    found.append((m.group(1), tok.map[0] + 1 if tok.map else None))


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin)
    for name in CONTAINERS:
        md.use(container_plugin, name)
    md.core.ruler.before("text_join", "briefgen_dangling_notes", _find_dangling)
    return md


_PARSER = make_parser()


def parse(markdown: str, meta: t.Meta, *, origin: str = "rendered Markdown") -> t.Document:
    """The document tree for `markdown`; raises if its footnotes do not pair up."""
    env: dict = {}
    tokens = _PARSER.parse(markdown, env)
    problems = [Problem(f"footnote reference [^{label}] has no definition", file=origin, line=line,
                        hint="the template must define every note it references")
                for label, line in env.get("dangling", [])]
    refs = env.get("footnotes", {}).get("refs", {})
    problems += [Problem(f"footnote [^{label[1:]}] is defined but never referenced", file=origin,
                         hint="reference it in the text or remove the definition")
                 for label, ident in refs.items() if ident == -1]
    if problems:
        raise BriefgenError(problems, kind="template")
    builder = _Builder(tokens)
    return t.Document(meta, builder.document())


class _Builder:
    """Turns the flat token stream into nested blocks and inlines."""

    def __init__(self, tokens: list[Token]) -> None:
        body, notes = _split_notes(tokens)
        self.slugs: set[str] = set()
        self.note_blocks: dict[int, tuple[t.Block, ...]] = {}
        self.in_note = False
        for ident, toks in notes.items():
            self.in_note = True
            self.note_blocks[ident] = self.blocks(toks)
        self.in_note = False
        self.body = body

    def document(self) -> tuple[t.Block, ...]:
        return self.blocks(self.body)

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
        if kind in ("container_callout_open", "container_titleblock_open"):
            name = kind.removeprefix("container_").removesuffix("_open")
            title = tok.info.strip().removeprefix(name).strip()
            return t.Callout(name, self.inlines(_inline_token(title)), self.blocks(inner))
        if kind == "container_pagebreak_open":
            return t.PageBreak()
        if kind == "container_toc_open":
            return t.Toc(self.inlines(_inline_token(tok.info.strip().removeprefix("toc").strip())))
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
        stack: list[tuple[str, object, list[t.Inline]]] = [("root", None, [])]
        for child in tok.children or []:
            kind = child.type
            top = stack[-1][2]
            if kind in ("text", "text_special"):
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
                opener, href, children = stack.pop()
                node = {"em_open": lambda: t.Emph(tuple(children)),
                        "strong_open": lambda: t.Strong(tuple(children)),
                        "link_open": lambda: t.Link(str(href), tuple(children))}[opener]()
                stack[-1][2].append(node)
            elif kind == "footnote_ref":
                if self.in_note:
                    raise BriefgenError.one("a footnote cannot contain another footnote", kind="template")
                top.append(t.Note(self.note_blocks[child.meta["id"]]))
            elif kind == "image":
                _add_text(top, child.content)
        return tuple(stack[0][2])


def _inline_token(text: str) -> Token:
    """A container's title parsed as inline Markdown (escapes and emphasis apply)."""
    tok = Token("inline", "", 0)
    tok.children = _PARSER.parseInline(text)[0].children if text else []
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


def _split_notes(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """Separate the footnote block (which the plugin puts at the end) from the body."""
    body: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    for tok in tokens:
        if tok.type in ("footnote_block_open", "footnote_block_close", "footnote_anchor"):
            continue
        if tok.type == "footnote_open":
            current = notes.setdefault(tok.meta["id"], [])
        elif tok.type == "footnote_close":
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
