"""briefgen's house style for Word, used when no reference document is given: page
size and margins, fonts and colours of the built-in styles, and the running header and
footer (title or header text, logo, classification marking, "Page N of M")."""

from __future__ import annotations

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from lxml import etree

from briefgen import fonts, look
from briefgen import tree as t
from briefgen.writers.docx import ooxml
from briefgen.writers.docx.direction import complex_twins, mark_paragraph

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def apply(base, meta: t.Meta) -> None:
    """briefgen's own look, used when no --reference-docx is given."""
    section = base.sections[0]
    width, height = look.page_size(meta.page_size).mm
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    section.header_distance = section.footer_distance = Mm(10)
    styles = base.styles
    normal = styles["Normal"]
    font = meta.font or "Calibri"
    accent = RGBColor.from_string(meta.accent)
    normal.font.name, normal.font.size = font, Pt(10.5)
    _set_east_asian(normal.element, "Microsoft YaHei")
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for level, size in ((1, 15), (2, 12.5), (3, 11)):
        h = styles[f"Heading {level}"]
        h.font.name, h.font.size, h.font.bold = font, Pt(size), True
        h.font.color.rgb = accent
        h.paragraph_format.space_before, h.paragraph_format.space_after = Pt(14 if level == 1 else 10), Pt(4)
        h.paragraph_format.keep_with_next = True
    title = styles["Title"]
    title.font.name, title.font.size, title.font.bold = font, Pt(24), True
    title.font.color.rgb = accent
    _clear_border(title.element)
    sub = styles["Subtitle"]
    sub.font.name, sub.font.size, sub.font.italic = font, Pt(11), False
    styles["Callout Title"].font.color.rgb = accent
    sub.font.color.rgb = RGBColor.from_string(look.WORD_SECONDARY)
    caption = styles["Caption"]
    caption.font.color.rgb = RGBColor.from_string(look.WORD_SECONDARY)
    for rpr in styles.element.iter(qn("w:rPr")):  # Arabic, Hebrew, Thai ... sized and bold as Latin
        complex_twins(rpr)
    _header_footer(section, meta)


def _set_east_asian(style_el, font: str) -> None:
    rpr = style_el.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = ooxml.element(rpr, "w:rFonts")
    fonts.set(qn("w:eastAsia"), font)


def _clear_border(style_el) -> None:
    ppr = style_el.find(qn("w:pPr"))
    if ppr is not None:
        for bdr in ppr.findall(qn("w:pBdr")):
            ppr.remove(bdr)


def _header_footer(section, meta: t.Meta) -> None:
    """One line each, as the PDF's: title, marking and date at the top; footer text,
    marking and "Page N of M" at the bottom. The marking sits on a centre tab and the
    date and page number on a right tab at the text's edge, in place of the tabs the
    Header and Footer styles set for another page width."""
    small = etree.Element(qn("w:rPr"))
    ooxml.element(small, "w:color", val=look.GREY)
    ooxml.element(small, "w:sz", val=16)
    width = (section.page_width - section.left_margin - section.right_margin) // 635   # twips
    header = section.header.paragraphs[0]
    _tabs(header, width)
    if meta.logo:
        header.add_run().add_picture(meta.logo, height=Mm(9))
        _header_text(header._p, "  ", small)
    # shortened as the PDF shortens it, so that it stays on its line (measured in the PDF's
    # face, which is wider than Word's, so it fits in either)
    room = width / 20 / 2 - 40 if meta.classification else width / 20 - 60
    room -= 30 if meta.logo else 0
    _header_text(header._p, fonts.ellipsize(meta.header or meta.title, "regular", 8, room), small)
    _header_text(header._p, "\t", small)
    if meta.classification:
        _classification_run(header._p, meta.classification)
    if meta.date:
        _header_text(header._p, "\t", small)
        _header_text(header._p, meta.date, small)
    mark_paragraph(header._p, meta.language)
    footer_paragraph = section.footer.paragraphs[0]
    _tabs(footer_paragraph, width)
    footer = footer_paragraph._p
    if meta.footer:
        _header_text(footer, meta.footer, small)
    _header_text(footer, "\t", small)
    if meta.classification:
        _classification_run(footer, meta.classification)
    _header_text(footer, "\t", small)
    _header_text(footer, "Page ", small)
    ooxml.field_runs(footer, "PAGE", "1", small)
    _header_text(footer, " of ", small)
    ooxml.field_runs(footer, "NUMPAGES", "1", small)
    mark_paragraph(footer, meta.language)


def _tabs(paragraph, width: int) -> None:
    """A centre tab stop at the middle of `width` (twips) and a right one at its end, the style's cleared."""
    stops = paragraph.paragraph_format.tab_stops
    style = paragraph.style
    while style is not None:
        for stop in style.paragraph_format.tab_stops:
            stops.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)
        style = style.base_style
    stops.add_tab_stop(Twips(width // 2), WD_TAB_ALIGNMENT.CENTER)
    stops.add_tab_stop(Twips(width), WD_TAB_ALIGNMENT.RIGHT)


def _header_text(p, text: str, rpr) -> None:
    r = ooxml.styled_run(p, rpr)
    if text == "\t":
        ooxml.element(r, "w:tab")
        return
    node = ooxml.element(r, "w:t")
    node.text = look.drop_illegal(text)
    node.set(XML_SPACE, "preserve")


def _classification_run(p, text: str) -> None:
    r = ooxml.element(p, "w:r")
    rpr = ooxml.element(r, "w:rPr")
    ooxml.element(rpr, "w:b")
    ooxml.element(rpr, "w:color", val=look.WORD_MARKING)
    ooxml.element(rpr, "w:sz", val=16)
    ooxml.element(r, "w:t").text = look.drop_illegal(text.upper())
