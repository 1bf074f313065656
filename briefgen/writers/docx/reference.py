"""A reference .docx (``--reference-docx``): checked as a package before anything reads
it (:mod:`.package`), repaired where other word processors save it differently from
Word, and its styles found by name.

- :func:`open_reference`: the document, with LibreOffice's habits undone (the legacy
  core-properties relationship, children out of the schema's order, no theme);
- :class:`Styles`: briefgen's style ids mapped to the document's own by Word's style
  names (ids differ between Word's languages and LibreOffice); a style the document
  lacks is taken from briefgen's house template, with a warning naming it.
"""

from __future__ import annotations

import copy
import functools
import zipfile
from pathlib import Path
from typing import Callable

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from lxml import etree

from briefgen.writers.docx import schema
from briefgen.writers.docx.package import SAFE_PARSER, check_package, refuse

# the core properties' relationship as LibreOffice's "Office Open XML Text" filter writes it
_LEGACY_CORE = "http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties"


def open_reference(path: Path):
    """The reference as a python-docx document, checked and repaired (see the module)."""
    check_package(path)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise refuse(path, f"the reference document cannot be read: {exc}") from None
    pkg_rels = document.part.package.rels
    for rel in pkg_rels.values():
        if rel.reltype == _LEGACY_CORE:   # LibreOffice's "Office Open XML Text" filter writes this one
            rel._reltype = RT.CORE_PROPERTIES
    for part in document.part.package.iter_parts():
        if isinstance(part, XmlPart):
            schema.reorder(part.element)
            _fix_values(part.element)
        elif part.content_type.endswith("+xml") and part.partname.startswith("/word/"):
            # parts python-docx keeps as bytes (the font table, web settings)
            root = etree.fromstring(part.blob, SAFE_PARSER)
            if schema.reorder(root) + _fix_values(root):
                part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    _default_paragraph_style(document.styles.element)
    if not any(rel.reltype == RT.THEME for rel in document.part.rels.values()):
        theme = _house().part.part_related_by(RT.THEME)
        document.part.relate_to(Part(PackURI("/word/theme/theme1.xml"), CT.OFC_THEME, theme.blob,
                                     document.part.package), RT.THEME)
    return document


# Values LibreOffice writes that the transitional schema Word reads does not allow:
# (element, attribute) -> {value written: value meant}; None drops the attribute.
_VALUE_FIXES = {
    ("lvlJc", "val"): {"start": "left", "end": "right"},
    ("jc", "val"): {"start": "left", "end": "right"},
    ("charset", "characterSet"): None,
}


def _fix_values(root) -> int:
    """Replace the values of _VALUE_FIXES under `root`; how many were replaced."""
    fixed = 0
    for (tag, attr), fixes in _VALUE_FIXES.items():
        key = qn(f"w:{attr}")
        for element in root.iter(qn(f"w:{tag}")):
            value = element.get(key)
            if value is None or (fixes is not None and value not in fixes):
                continue
            if fixes is None:
                del element.attrib[key]
            else:
                element.set(key, fixes[value])
            fixed += 1
    return fixed


def _default_paragraph_style(styles) -> None:
    """LibreOffice does not mark Normal as the default paragraph style; Word does."""
    paragraph = [s for s in styles.iterchildren(qn("w:style")) if s.get(qn("w:type")) == "paragraph"]
    if any(s.get(qn("w:default")) in ("1", "true", "on") for s in paragraph):
        return
    normal = next((s for s in paragraph if (s.find(qn("w:name")) is not None
                   and s.find(qn("w:name")).get(qn("w:val"), "").lower() == "normal")), None)
    if normal is not None:
        normal.set(qn("w:default"), "1")


@functools.cache
def _house():
    """python-docx's own template: where a style a reference lacks comes from."""
    return docx.Document()


# briefgen's style ids and Word's names for them, as its menus show them (styles.xml
# spells some in lower case: "heading 1"; names are compared in any case)
WORD_NAMES = {
    "Normal": "Normal", "Title": "Title", "Subtitle": "Subtitle",
    **{f"Heading{i}": f"Heading {i}" for i in range(1, 10)},
    "ListBullet": "List Bullet", "ListBullet2": "List Bullet 2", "ListBullet3": "List Bullet 3",
    "ListNumber": "List Number", "ListNumber2": "List Number 2", "ListNumber3": "List Number 3",
    "ListContinue": "List Continue", "ListContinue2": "List Continue 2", "ListContinue3": "List Continue 3",
    "Quote": "Quote", "MacroText": "Macro Text", "Caption": "Caption", "TOCHeading": "TOC Heading",
    "TOC1": "TOC 1", "TOC2": "TOC 2", "FootnoteText": "Footnote Text",
    "FootnoteTextChar": "Footnote Text Char", "FootnoteReference": "Footnote Reference",
    "Hyperlink": "Hyperlink", "DefaultParagraphFont": "Default Paragraph Font", "TableNormal": "Normal Table",
}
# briefgen's own styles: a reference may define them (by these names) but need not
HOUSE_NAMES = {"TableText": "Table Text", "CalloutTitle": "Callout Title", "BriefingTable": "Briefing Table"}
_ALIASES = {"macro": "macro text"}  # Word's styles.xml name for Macro Text


class Styles:
    """briefgen's style ids mapped to the document's, by name; missing ones adopted from
    the house template (`builtin(id)` gives briefgen's own definition of a style, or None)."""

    def __init__(self, document, builtin: Callable[[str], etree._Element | None], reference: bool) -> None:
        self.element = document.styles.element
        self.document, self.builtin, self.reference = document, builtin, reference
        self.by_name: dict[str, str] = {}
        self.ids: set[str] = set()
        for style in self.element.iterchildren(qn("w:style")):
            sid = style.get(qn("w:styleId"))
            self.ids.add(sid)
            name = style.find(qn("w:name"))
            if name is not None:
                key = name.get(qn("w:val"), "").strip().lower()
                self.by_name.setdefault(_ALIASES.get(key, key), sid)
        self.warnings: list[str] = []
        self._map: dict[str, str] = {}

    def __call__(self, our_id: str) -> str:
        """The document's id for briefgen's style `our_id` (adopted if missing)."""
        found = self._map.get(our_id)
        if found is None:
            found = self._map[our_id] = self._resolve(our_id, warn=True)
        return found

    def _resolve(self, our_id: str, warn: bool) -> str:
        name = WORD_NAMES.get(our_id) or HOUSE_NAMES.get(our_id) or our_id
        if name.lower() in self.by_name:
            return self.by_name[name.lower()]
        if not self.reference and our_id in self.ids:
            return our_id
        adopted = self._adopt(our_id)
        if adopted is None:
            return self("Normal") if our_id != "Normal" else "Normal"
        if warn and self.reference and our_id in WORD_NAMES:
            self.warnings.append(f"the reference document has no '{name}' style; "
                                 "briefgen's own is used (add the style to the reference to change it)")
        return adopted

    def _adopt(self, our_id: str) -> str | None:
        """Copy briefgen's definition of `our_id` into the document; its id, or None."""
        style = self.builtin(our_id)
        if style is None:
            source = next((s for s in _house().styles.element.iterchildren(qn("w:style"))
                           if s.get(qn("w:styleId")) == our_id), None)
            if source is None:
                return None
            style = copy.deepcopy(source)
        sid = our_id
        while sid in self.ids:  # the id is taken by a style of another name
            sid += "0"
        style.set(qn("w:styleId"), sid)
        self.ids.add(sid)
        self.by_name[(WORD_NAMES.get(our_id) or HOUSE_NAMES.get(our_id) or our_id).lower()] = sid
        self._map[our_id] = sid
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            if ref is None:
                continue
            target = ref.get(qn("w:val"))
            if target == our_id:
                ref.set(qn("w:val"), sid)
            elif tag == "w:basedOn" or target in WORD_NAMES or target in HOUSE_NAMES:
                ref.set(qn("w:val"), self._map.get(target) or self._resolve(target, warn=False))
            else:
                style.remove(ref)
        if style.get(qn("w:default")) and any(s.get(qn("w:default")) and s.get(qn("w:type")) == style.get(qn("w:type"))
                                              for s in self.element.iterchildren(qn("w:style"))):
            del style.attrib[qn("w:default")]
        self._adopt_numbering(style)
        self.element.append(style)
        return sid

    def _adopt_numbering(self, style) -> None:
        """A list style's numbering comes with it from the house template."""
        num_id = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num_id is None:
            return
        house = _house().part.numbering_part.element
        num = next(n for n in house.iterchildren(qn("w:num")) if n.get(qn("w:numId")) == num_id.get(qn("w:val")))
        abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        abstract = next(a for a in house.iterchildren(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
        numbering = _numbering(self.document)
        new_abstract = 1 + max([int(a.get(qn("w:abstractNumId"))) for a in numbering.iterchildren(qn("w:abstractNum"))]
                               + [-1])
        new_num = 1 + max([int(n.get(qn("w:numId"))) for n in numbering.iterchildren(qn("w:num"))] + [0])
        abstract = copy.deepcopy(abstract)
        abstract.set(qn("w:abstractNumId"), str(new_abstract))
        for child in list(abstract):
            if child.tag in (qn("w:nsid"), qn("w:tmpl"), qn("w:numStyleLink"), qn("w:styleLink")):
                abstract.remove(child)
        for lvl_style in abstract.iter(qn("w:pStyle")):
            lvl_style.getparent().remove(lvl_style)
        last = list(numbering.iterchildren(qn("w:abstractNum")))
        if last:
            last[-1].addnext(abstract)
        else:
            numbering.insert(0, abstract)
        num = copy.deepcopy(num)
        num.set(qn("w:numId"), str(new_num))
        num.find(qn("w:abstractNumId")).set(qn("w:val"), str(new_abstract))
        numbering.append(num)
        num_id.set(qn("w:val"), str(new_num))


def _numbering(document):
    """The document's numbering element; a copy of the house template's part if it has none."""
    try:
        return document.part.part_related_by(RT.NUMBERING).element
    except KeyError:
        house = _house().part.numbering_part
        part = XmlPart(PackURI("/word/numbering.xml"), house.content_type,
                       parse_xml(etree.tostring(house.element)), document.part.package)
        for child in list(part.element):
            part.element.remove(child)
        document.part.relate_to(part, RT.NUMBERING)
        return part.element
