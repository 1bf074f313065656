"""The one place that knows WordprocessingML's child order, for the XML the writer
emits as text.

The schema fixes the order of the children of a properties element (``w:pPr``,
``w:rPr`` ...): Word repairs a file with ``w:keepNext`` after ``w:jc``. python-docx's
element classes keep that order for what they build; for the body and the notes,
written as text, :func:`props` sorts the fragments by the table here. The table is
ECMA-376 Part 1 (transitional), as python-docx's ``_tag_seq`` tuples have it; a test
builds every container with all of its listed children and checks the result with
openxml-audit.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

ORDER: dict[str, tuple[str, ...]] = {
    "pPr": (
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
        "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
        "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
        "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
        "sectPr", "pPrChange"),
    "rPr": (
        "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
        "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
        "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
        "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath", "rPrChange"),
    "tblPr": (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
        "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
        "tblLook", "tblCaption", "tblDescription", "tblPrChange"),
    "tcPr": (
        "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
        "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge",
        "tcPrChange"),
    "tblBorders": ("top", "left", "start", "bottom", "right", "end", "insideH", "insideV"),
    "style": (
        "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden",
        "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid", "pPr",
        "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"),
    "lvl": (
        "start", "numFmt", "lvlRestart", "pStyle", "isLgl", "suff", "lvlText", "lvlPicBulletId", "legacy",
        "lvlJc", "pPr", "rPr"),
    "tcMar": ("top", "left", "start", "bottom", "right", "end"),
    # settings.xml, from w:footnotePr on (the part of it the writer inserts into)
    "settings": (
        "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
        "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
        "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"),
}

_RANK = {container: {tag: i for i, tag in enumerate(tags)} for container, tags in ORDER.items()}
_TAG = re.compile(r"<w:(\w+)")


def after(container: str, tag: str) -> tuple[str, ...]:
    """The children of `container` that the schema puts after `tag`."""
    tags = ORDER[container]
    return tags[tags.index(tag) + 1:]


def insert(element: etree._Element, child: etree._Element) -> None:
    """Put `child` into `element`, a container of the table, where the schema's order
    wants it: before the first child that comes after it."""
    later = set(after(etree.QName(element).localname, etree.QName(child).localname))
    for sibling in element:
        if isinstance(sibling.tag, str) and etree.QName(sibling).localname in later:
            sibling.addprevious(child)
            return
    element.append(child)


@functools.lru_cache(maxsize=256)
def props(container: str, *children: str) -> str:
    """``<w:container>`` holding the XML fragments `children` in the schema's order
    (empty fragments dropped; an unknown child is an error, so the table stays whole)."""
    rank = _RANK[container]
    present = [c for c in children if c]
    present.sort(key=lambda c: rank[_TAG.match(c).group(1)])
    return f"<w:{container}>" + "".join(present) + f"</w:{container}>"


def reorder(root: etree._Element) -> int:
    """Put the children of every container in the table into the schema's order, in the
    tree under `root` (a part another word processor saved: LibreOffice writes ``w:sz``
    before ``w:color``). A container holding anything the table does not know is left as
    it is. Returns how many containers were reordered."""
    moved = 0
    for container, rank in _RANK.items():
        if container == "settings":
            continue
        for element in root.iter(f"{{{W}}}{container}"):
            children = list(element)
            names = [etree.QName(c).localname if isinstance(c.tag, str) and c.tag.startswith(f"{{{W}}}") else None
                     for c in children]
            if not children or any(n not in rank for n in names):
                continue
            order = sorted(range(len(children)), key=lambda i: rank[names[i]])
            if order != list(range(len(children))):
                for i in order:
                    element.append(children[i])  # moves it to the end, in the new order
                moved += 1
    return moved
