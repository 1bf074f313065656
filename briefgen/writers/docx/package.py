"""Is a file a Word document python-docx may read? Checked before anything reads it:
a zip of bounded size (a zip bomb inflates to gigabytes) whose main part is a
WordprocessingML document without macros; otherwise a usage error saying what the file
is. No python-docx here, so the check runs when the options are made, before any work."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from briefgen.errors import BriefgenError, display_path

# Bounds on what a reference may inflate to. A house style is a few hundred KB; a logo
# in its header a few MB.
MAX_PARTS = 1000
MAX_PART = 64 * 2**20
MAX_TOTAL = 256 * 2**20
MAX_RATIO = 100   # for a part over 1 MB: no real document compresses that well

_WORD_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
}
_MACRO_MAIN = {
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}
_OTHER_MAIN = {
    "spreadsheetml": "a spreadsheet (.xlsx)",
    "presentationml": "a presentation (.pptx)",
    "ms-excel": "a spreadsheet (.xlsm)",
    "ms-powerpoint": "a presentation (.pptm)",
}


def refuse(path: Path, what: str, hint: str = "give a .docx saved by Word or LibreOffice") -> BriefgenError:
    return BriefgenError.one(what, file=display_path(path), field="--reference-docx", hint=hint, kind="usage")


def check_package(path: Path) -> None:
    """Refuse anything but a Word document of sane size, before python-docx reads it."""
    if not zipfile.is_zipfile(path):
        raise refuse(path, "not a Word document (.docx): the file is not a zip package")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            _check_sizes(path, infos)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
                raise refuse(path, "not a Word document (.docx): the zip has no Office package parts")
            types = etree.fromstring(z.read("[Content_Types].xml"), SAFE_PARSER)
            rels = etree.fromstring(z.read("_rels/.rels"), SAFE_PARSER)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError, EOFError) as exc:
        raise refuse(path, f"the reference document cannot be read: {exc}") from None
    main = next((r.get("Target", "") for r in rels if r.get("Type", "").endswith("/officeDocument")), None)
    if main is None:
        raise refuse(path, "not a Word document (.docx): the package has no main document")
    kinds = _content_types(types)
    main_type = kinds(PurePosixPath("/" + main.lstrip("/")).as_posix())
    if main_type in _MACRO_MAIN or any(kinds("/" + n) == "application/vnd.ms-office.vbaProject"
                                       or n.lower().endswith("vbaproject.bin") for n in names):
        raise refuse(path, "the reference document contains macros (.docm)",
                      hint="save it as a Word Document (.docx), which holds no macros")
    if main_type not in _WORD_MAIN:
        what = next((label for key, label in _OTHER_MAIN.items() if key in main_type), "not a Word document")
        raise refuse(path, f"not a Word document (.docx): it is {what}" if what.startswith("a ") else
                      f"not a Word document (.docx): its main part is {main_type or 'of no known type'}")


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise refuse(path, f"the reference document has {len(infos):,} parts (at most {MAX_PARTS:,})")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART or (info.file_size > 2**20 and ratio > MAX_RATIO) or total > MAX_TOTAL:
            raise refuse(path, f"the reference document's part '{info.filename}' inflates to "
                          f"{info.file_size / 2**20:,.0f} MB from {info.compress_size / 2**10:,.0f} KB, "
                          "more than a house style can hold (a zip bomb?)",
                          hint=f"a reference holds styles and page set-up: at most {MAX_PART // 2**20} MB a part, "
                          f"{MAX_TOTAL // 2**20} MB in all")


SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _content_types(root: etree._Element):
    overrides = {e.get("PartName", "").lower(): e.get("ContentType", "") for e in root
                 if etree.QName(e).localname == "Override"}
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "") for e in root
                if etree.QName(e).localname == "Default"}

    def kind(partname: str) -> str:
        name = partname.lower()
        return overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1], "")
    return kind
