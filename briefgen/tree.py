"""The document tree every writer reads, and nothing else.

Modelled on pandoc's AST: blocks hold inlines; a footnote is an inline :class:`Note`
that carries its own blocks, where it is referenced. Writers number notes in
document order (depth first), so every format numbers them the same way; use
:func:`walk_notes` to get that order.

All nodes are frozen dataclasses holding tuples, so a tree can be shared and hashed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

# --- inlines -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Emph:
    children: tuple["Inline", ...]


@dataclass(frozen=True, slots=True)
class Strong:
    children: tuple["Inline", ...]


@dataclass(frozen=True, slots=True)
class Code:
    text: str


LINK_SCHEMES = frozenset({"http", "https", "mailto"})   # see Link.followable


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink; `url` starting with '#' points at a heading's `id` in this document."""

    url: str
    children: tuple["Inline", ...]

    @property
    def internal(self) -> bool:
        return self.url.startswith("#")

    @property
    def followable(self) -> bool:
        """Whether a writer may make it a link a reader can follow: a heading of this
        document, or a web or mail address (http, https, mailto) with no space or control
        character. Anything else (a file, an smb share, a protocol handler such as
        ms-msdt: or search-ms:, a scheme-relative //host) is written as its text."""
        if self.internal:
            return True
        scheme, colon, rest = self.url.partition(":")
        return bool(colon) and scheme.lower() in LINK_SCHEMES and not any(c <= " " or c == "\x7f" for c in self.url) \
            and (scheme.lower() == "mailto" or rest.startswith("//"))


@dataclass(frozen=True, slots=True)
class LineBreak:
    pass


@dataclass(frozen=True, slots=True)
class Note:
    """A footnote: its content sits here, at the point of reference."""

    blocks: tuple["Block", ...]


Inline = Union[Text, Emph, Strong, Code, Link, LineBreak, Note]

# --- blocks ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    children: tuple[Inline, ...]
    id: str  # unique in the document; target of internal links and bookmarks


@dataclass(frozen=True, slots=True)
class Para:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[tuple["Block", ...], ...]


@dataclass(frozen=True, slots=True)
class OrderedList:
    items: tuple[tuple["Block", ...], ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class Table:
    """A table: a header row, body rows; each cell is a run of inlines."""

    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    aligns: tuple[str, ...] = ()  # per column: "left", "center", "right" or ""
    widths: tuple[float, ...] = ()  # relative column widths, if the template set them


@dataclass(frozen=True, slots=True)
class BlockQuote:
    blocks: tuple["Block", ...]


@dataclass(frozen=True, slots=True)
class Callout:
    """A fenced container: kind "callout" is a boxed aside such as "Key judgments";
    kind "titleblock" is the document's title (`title`) with lines under it (`blocks`)."""

    kind: str
    title: tuple[Inline, ...]
    blocks: tuple["Block", ...]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str
    info: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    pass


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


@dataclass(frozen=True, slots=True)
class Toc:
    """A table of contents of the document's headings (levels 1 to `depth`), filled in by each writer."""

    title: tuple[Inline, ...] = ()
    depth: int = 2


@dataclass(frozen=True, slots=True)
class TimelineItem:
    label: str
    lo: str | None      # ISO day, earliest possible; None if open
    hi: str | None      # ISO day, latest possible; None if open
    precision: str      # "year", "month" or "day"
    approximate: bool
    kind: str           # "occurred", "announced" or "target"
    display: str        # the date as the text shows it


@dataclass(frozen=True, slots=True)
class TimelineFigure:
    """A drawn chronology; each writer draws it natively."""

    items: tuple[TimelineItem, ...]
    caption: tuple[Inline, ...] = ()


Block = Union[Heading, Para, BulletList, OrderedList, Table, BlockQuote, Callout, CodeBlock,
              Rule, PageBreak, TimelineFigure, Toc]


@dataclass(frozen=True, slots=True)
class Meta:
    title: str
    subject: str = ""
    author: str = ""
    keywords: tuple[str, ...] = ()
    classification: str = ""  # the audience's marking: its profile's, else the project's
    audience: str = ""
    label: str = ""           # what the briefing calls itself: 'Board briefing'
    date: str = ""          # build date, ISO; drives document properties and reproducibility
    page_size: str = "A4"   # "A4" or "Letter"
    language: str = "en"
    accent: str = "1B365D"  # heading and rule colour, hex RRGGBB
    font: str = ""          # Word body font name; "" for the writer's default
    logo: str = ""          # path of a PNG/JPEG for the header; "" for none
    header: str = ""        # running header text; "" for the title
    footer: str = ""        # footer text before "Page N of M"


@dataclass(frozen=True, slots=True)
class Document:
    meta: Meta
    blocks: tuple[Block, ...] = field(default_factory=tuple)


# --- walking -------------------------------------------------------------------------


def child_blocks(block: Block) -> Iterator[Block]:
    if isinstance(block, (BulletList, OrderedList)):
        for item in block.items:
            yield from item
    elif isinstance(block, (BlockQuote, Callout)):
        yield from block.blocks


def block_inlines(block: Block) -> Iterator[tuple[Inline, ...]]:
    """The inline runs directly inside `block`, in reading order."""
    if isinstance(block, (Heading, Para)):
        yield block.children
    elif isinstance(block, Callout):
        yield block.title
    elif isinstance(block, Table):
        yield from block.header
        for row in block.rows:
            yield from row
    elif isinstance(block, TimelineFigure):
        yield block.caption


def walk_notes(doc: Document) -> list[Note]:
    """Every note in document order: the numbering every writer uses (1-based)."""
    notes: list[Note] = []

    def inlines(items: tuple[Inline, ...]) -> None:
        for node in items:
            if isinstance(node, Note):
                notes.append(node)
            elif isinstance(node, (Emph, Strong, Link)):
                inlines(node.children)

    def blocks(items) -> None:
        for b in items:
            for run in block_inlines(b):
                inlines(run)
            blocks(tuple(child_blocks(b)))

    blocks(doc.blocks)
    return notes


def headings(doc: Document, depth: int = 9) -> list[Heading]:
    """The document's top-level headings up to `depth`, in order (what a contents lists)."""
    return [b for b in doc.blocks if isinstance(b, Heading) and b.level <= depth]


def column_widths(table: Table, ncols: int) -> list[float]:
    """Relative column widths summing to 1: the template's, or from how much text each
    column holds (sampled over the first 200 rows), so every writer sizes columns alike."""
    if table.widths and len(table.widths) == ncols and sum(table.widths) > 0:
        total = sum(table.widths)
        return [w / total for w in table.widths]
    sample = ([table.header] if table.header else []) + list(table.rows[:200])
    lengths = [0.0] * ncols
    longest = [4] * ncols  # no column narrower than its longest word (up to 16 letters)
    for row in sample:
        for i, cell in enumerate(row[:ncols]):
            text = plain_text(cell)
            lengths[i] += min(len(text), 400)
            longest[i] = max(longest[i], min(16, max((len(w) for w in text.split()), default=0) + 1))
    weights = [max(longest[i], v / max(len(sample), 1)) ** 0.7 for i, v in enumerate(lengths)]
    total = sum(weights)
    return [w / total for w in weights]


def plain_text(items: tuple[Inline, ...], *, notes: bool = False) -> str:
    """The visible text of inlines (notes left out unless asked)."""
    out = []
    for node in items:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, (Emph, Strong, Link)):
            out.append(plain_text(node.children, notes=notes))
        elif isinstance(node, LineBreak):
            out.append("\n")
        elif isinstance(node, Note) and notes:
            out.append(" ".join(plain_text(r, notes=notes) for b in node.blocks for r in block_inlines(b)))
    return "".join(out)
