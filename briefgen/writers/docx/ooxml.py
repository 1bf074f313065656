"""What python-docx lacks for a briefing: a footnotes part, the built-in styles that
go with it, list numbering that restarts, fields and byte-reproducible saving.

Modelled on how python-docx added comments: the part is an ``XmlPart`` registered
with the part factory (so a reference .docx that already has footnotes loads as XML,
not as an opaque blob); the writer only calls the small functions here.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from typing import BinaryIO

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory, XmlPart
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.oxml.parser import parse_xml
from lxml import etree

from briefgen import look
from briefgen.errors import BriefgenError
from briefgen.writers.docx import schema
from briefgen.zipstamp import restamp_zip

CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
PartFactory.part_type_for[CT_FOOTNOTES] = XmlPart

_FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
    "</w:footnotes>"
)

# Word's own definitions of the built-in styles python-docx's template lacks.
_BUILTIN_STYLES = {
    "FootnoteText": (
        '<w:style w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/>'
        '<w:basedOn w:val="Normal"/><w:link w:val="FootnoteTextChar"/><w:uiPriority w:val="99"/>'
        '<w:unhideWhenUsed/><w:pPr><w:spacing w:after="40" w:line="240" w:lineRule="auto"/></w:pPr>'
        '<w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>'),
    "FootnoteTextChar": (
        '<w:style w:type="character" w:customStyle="1" w:styleId="FootnoteTextChar">'
        '<w:name w:val="Footnote Text Char"/><w:basedOn w:val="DefaultParagraphFont"/>'
        '<w:link w:val="FootnoteText"/><w:uiPriority w:val="99"/><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>'),
    "FootnoteReference": (
        '<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/>'
        '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'),
    "Hyperlink": (
        '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
        '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        f'<w:rPr><w:color w:val="{look.LINK}"/><w:u w:val="single"/></w:rPr></w:style>'),
    "TableText": (
        '<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="Table Text"/>'
        '<w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>'
        '<w:rPr><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr></w:style>'),
    "TOC1": (
        '<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/>'
        '<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:pPr>'
        '<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9350"/></w:tabs><w:spacing w:before="80" w:after="40"/></w:pPr>'
        '<w:rPr><w:b/></w:rPr></w:style>'),
    "TOC2": (
        '<w:style w:type="paragraph" w:styleId="TOC2"><w:name w:val="toc 2"/><w:basedOn w:val="Normal"/>'
        '<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:pPr>'
        '<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9350"/></w:tabs><w:spacing w:after="20"/><w:ind w:left="220"/></w:pPr></w:style>'),
    "BriefingTable": (
        '<w:style w:type="table" w:customStyle="1" w:styleId="BriefingTable"><w:name w:val="Briefing Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:pPr><w:spacing w:after="0"/></w:pPr>'
        f'<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="{look.RULE}"/>'
        f'<w:bottom w:val="single" w:sz="4" w:space="0" w:color="{look.RULE}"/>'
        f'<w:insideH w:val="single" w:sz="4" w:space="0" w:color="{look.RULE}"/></w:tblBorders>'
        '<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        f'<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:color w:val="{look.WHITE}"/></w:rPr>'
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{look.NAVY}"/></w:tcPr></w:tblStylePr></w:style>'),
    "CalloutTitle": (
        '<w:style w:type="paragraph" w:customStyle="1" w:styleId="CalloutTitle"><w:name w:val="Callout Title"/>'
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="60" w:after="60"/></w:pPr>'
        f'<w:rPr><w:b/><w:caps/><w:color w:val="{look.NAVY}"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>'),
}


def builtin_style(style_id: str):
    """A new element of Word's definition of the built-in style `style_id` (see
    _BUILTIN_STYLES), or None for a style not there."""
    xml = _BUILTIN_STYLES.get(style_id)
    return parse_xml(f'<w:wrap {nsdecls("w")}>{xml}</w:wrap>')[0] if xml else None


def ensure_styles(document) -> None:
    """Add the built-in styles briefings use if the base document lacks them."""
    styles = document.styles.element
    have = {s.get(qn("w:styleId")) for s in styles.iterchildren(qn("w:style"))}
    for style_id in _BUILTIN_STYLES:
        if style_id not in have:
            styles.append(builtin_style(style_id))


def footnotes_part(document) -> XmlPart:
    """The document's footnotes part, created (with both separators) if missing.

    Any notes already in a reference document are removed; the separators stay.
    """
    doc_part = document.part
    for rel in doc_part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            part = rel.target_part
            if not isinstance(part, XmlPart):  # loaded before registration: re-parse
                part = XmlPart(part.partname, CT_FOOTNOTES, parse_xml(part.blob), part.package)
                rel._target = part
            for note in list(part.element.iterchildren(qn("w:footnote"))):
                if note.get(qn("w:type")) not in ("separator", "continuationSeparator"):
                    part.element.remove(note)
            _ensure_note_settings(document, part)
            return part
    part = XmlPart(PackURI("/word/footnotes.xml"), CT_FOOTNOTES, parse_xml(_FOOTNOTES_XML), doc_part.package)
    doc_part.relate_to(part, RT.FOOTNOTES)
    _ensure_note_settings(document, part)
    return part


def _ensure_note_settings(document, part: XmlPart) -> None:
    """settings.xml must name the separator notes, and only ones that exist."""
    settings = document.settings.element
    for old in settings.findall(qn("w:footnotePr")):
        settings.remove(old)
    ids = [n.get(qn("w:id")) for n in part.element.iterchildren(qn("w:footnote"))
           if n.get(qn("w:type")) in ("separator", "continuationSeparator")]
    pr = etree.Element(qn("w:footnotePr"))
    for i in ids:
        etree.SubElement(pr, qn("w:footnote")).set(qn("w:id"), i)
    for name in schema.after("settings", "footnotePr"):
        anchor = settings.find(qn(f"w:{name}"))
        if anchor is not None:
            anchor.addprevious(pr)
            return
    settings.append(pr)


def set_variable(document, name: str, value: str | None) -> None:
    """Set the document variable `name` (``w:docVar`` in settings.xml, where Word keeps an
    add-in's data with a document) to `value`; remove it when `value` is None."""
    settings = document.settings.element
    found = settings.find(qn("w:docVars"))
    for old in found.findall(qn("w:docVar")) if found is not None else ():
        if old.get(qn("w:name")) == name:
            found.remove(old)
    if value is None:
        if found is not None and len(found) == 0:
            settings.remove(found)
        return
    if found is None:
        found = etree.Element(qn("w:docVars"))
        schema.insert(settings, found)
    var = etree.SubElement(found, qn("w:docVar"))
    var.set(qn("w:name"), name)
    var.set(qn("w:val"), value)


def variable(package: zipfile.ZipFile, name: str) -> str | None:
    """The value of document variable `name` in the .docx `package`, or None."""
    try:
        root = etree.fromstring(package.read("word/settings.xml"))
    except (KeyError, etree.XMLSyntaxError):
        return None
    for var in root.iterfind(f"{qn('w:docVars')}/{qn('w:docVar')}"):
        if var.get(qn("w:name")) == name:
            return var.get(qn("w:val"))
    return None


def element(parent, tag: str, **attrs) -> etree._Element:
    """A new `tag` element (``w:p``) appended to `parent`, with ``w:`` attributes `attrs`."""
    node = etree.SubElement(parent, qn(tag))
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), str(value))
    return node


class Numbering:
    """Fresh numbering instances so each ordered list starts at its own number."""

    def __init__(self, base) -> None:
        self.base = base
        self.part = None
        try:
            self.part = base.part.numbering_part
        except (KeyError, NotImplementedError, AttributeError):
            self.part = None

    def restart(self, style_id: str, start: int) -> int | None:
        if self.part is None:
            return None
        style = next((s for s in self.base.styles.element.iterchildren(qn("w:style"))
                      if s.get(qn("w:styleId")) == style_id), None)
        num_id_el = style.find(".//" + qn("w:numId")) if style is not None else None
        if num_id_el is None:
            return None
        numbering = self.part.element
        old = next((n for n in numbering.iterchildren(qn("w:num"))
                    if n.get(qn("w:numId")) == num_id_el.get(qn("w:val"))), None)
        if old is None:
            return None
        abstract = old.find(qn("w:abstractNumId")).get(qn("w:val"))
        new_id = 1 + max(int(n.get(qn("w:numId"))) for n in numbering.iterchildren(qn("w:num")))
        num = element(numbering, "w:num", numId=new_id)
        element(num, "w:abstractNumId", val=abstract)
        override = element(num, "w:lvlOverride", ilvl=0)
        element(override, "w:startOverride", val=start)
        return new_id


def field_begin_xml(instruction: str, rpr: str = "") -> str:
    """The runs that open a complex field (TOC, PAGE ...); its result and FIELD_END follow."""
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>')


FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def field_runs(parent, instruction: str, placeholder: str = "1", rpr=None) -> None:
    """Append a whole complex field (PAGE, NUMPAGES ...) as runs to lxml paragraph `parent`."""
    props = etree.tostring(rpr, encoding="unicode") if rpr is not None else ""
    runs = (field_begin_xml(instruction, props) + f"<w:r>{props}<w:t>{placeholder}</w:t></w:r>"
            + FIELD_END.replace("<w:r>", f"<w:r>{props}"))
    parent.extend(parse_xml(f'<w:wrap {nsdecls("w")}>{runs}</w:wrap>'))


def styled_run(parent, rpr):
    """A run appended to `parent`, carrying a copy of run properties `rpr` (or none)."""
    r = etree.SubElement(parent, qn("w:r"))
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    return r


def drop_thumbnail(document) -> None:
    """The default template ships a thumbnail of an empty page; a briefing should not."""
    pkg_rels = document.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg_rels[rid]


RT_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def drop_styles_with_effects(document) -> None:
    """Drop Word 2010's copy of the styles (``stylesWithEffects.xml``), which python-docx's
    template and older references carry. It must hold every style of ``styles.xml`` with the
    same defaults, or Word repairs the file; briefgen adds styles, and Word 2013 and later
    neither write nor need the copy."""
    rels = document.part.rels
    for rid, rel in list(rels.items()):
        if rel.reltype == RT_STYLES_WITH_EFFECTS:
            del rels[rid]


def set_core_properties(document, *, title: str, subject: str, author: str, keywords: str,
                        date: dt.date, language: str, category: str = "Briefing", status: str = "") -> None:
    """Word's document properties; `category` is the briefing's label, `status` its classification."""
    when = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
    props = document.core_properties

    def fit(text: str) -> str:  # what XML can hold, within the OOXML limit
        text = look.drop_illegal(text)
        return text if len(text) <= 255 else text[:254] + "…"

    props.title, props.subject, props.author, props.keywords = fit(title), fit(subject), fit(author), fit(keywords)
    props.last_modified_by, props.revision = look.drop_illegal(author), 1
    props.created, props.modified = when, when
    props.language, props.comments, props.category = language, "", fit(category)
    props.content_status = fit(status)
    if props.last_printed is not None:
        props.last_printed = when


_BODY, _NOTES = "body", "notes"  # placeholders: <?briefgen body?>, <?briefgen notes?>


def save_reproducibly(document, out: BinaryIO, date: dt.date, body: bytes = b"", notes: bytes = b"") -> None:
    """Save with every zip entry stamped `date`, so equal input gives equal bytes.

    `body` (blocks as WordprocessingML text) is placed at the start of the document
    body, before its section properties; `notes` (``w:footnote`` elements) after the
    notes already in the footnotes part. Both must use the prefixes ``w`` and ``r``.
    """
    doc_el = document.element
    doc_el.body.insert(0, etree.ProcessingInstruction("briefgen", _BODY))
    notes_part = next((rel.target_part for rel in document.part.rels.values()
                       if rel.reltype == RT.FOOTNOTES and not rel.is_external), None)
    if notes_part is not None:
        notes_part.element.append(etree.ProcessingInstruction("briefgen", _NOTES))
    fills = {document.part.partname.lstrip("/"): (_BODY, body, doc_el)}
    if notes_part is not None:
        fills[notes_part.partname.lstrip("/")] = (_NOTES, notes, notes_part.element)
    buffer = io.BytesIO()
    try:
        document.save(buffer)
    finally:  # so the document can be saved again
        for root in (doc_el.body, notes_part.element if notes_part is not None else None):
            for mark in (root.xpath("processing-instruction('briefgen')") if root is not None else ()):
                root.remove(mark)

    def fix(name: str, data: bytes) -> bytes:
        if name not in fills:
            return data
        target, content, root = fills[name]
        data = _declare(data, root, ("w", "r"))
        return data.replace(f"<?briefgen {target}?>".encode(), content, 1)

    restamp_zip(buffer, out, date, fix)


def _declare(data: bytes, root, prefixes: tuple[str, ...]) -> bytes:
    """Bind `prefixes` on the root element of a part's XML if its own document did not."""
    taken = [p for p in prefixes if root.nsmap.get(p, nsmap[p]) != nsmap[p]]
    if taken:
        raise BriefgenError.one(f"the reference document uses the prefix '{taken[0]}' for another namespace",
                                field="--reference-docx", hint="save it again from Word", kind="usage")
    missing = [p for p in prefixes if p not in root.nsmap]
    if not missing:
        return data
    start = data.index(b"<", data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0)
    end = data.index(b">", start)
    return data[:end] + "".join(f' xmlns:{p}="{nsmap[p]}"' for p in missing).encode() + data[end:]
