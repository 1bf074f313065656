"""CSL-JSON (Zotero: File > Export Library, format "CSL JSON"): fields kept as they are;
names and dates turned from CSL's structures into briefgen's."""

from __future__ import annotations

import json
from typing import Any

from briefgen.errors import Problem
from briefgen.importer.items import Item, clean, iso_date, ordered, to_id

DIRECT = ("type", "title", "title-short", "container-title", "publisher", "language", "URL", "note")
KEYS = ("citation-key", "id")


def parse(text: str, label: str) -> tuple[list[Item], list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(f"not valid JSON: {exc.msg} (column {exc.colno})", file=label, line=exc.lineno,
                            hint="export it again from Zotero as \"CSL JSON\", or fix the file at that line")]
    objects = data if isinstance(data, list) else [data]
    starts = _item_lines(text) if isinstance(data, list) else [1]
    items, problems = [], []
    for n, obj in enumerate(objects):
        line = starts[n] if n < len(starts) else None
        if not isinstance(obj, dict):
            problems.append(Problem("expected a reference (a JSON object)", file=label, line=line,
                                    hint="a CSL-JSON export is a list of objects with \"id\", \"type\" and \"title\""))
            continue
        key = next((str(obj[k]).strip() for k in KEYS if str(obj.get(k, "")).strip()), "")
        if not key:
            problems.append(Problem("reference has no \"id\" or \"citation-key\"", file=label, line=line,
                                    hint="give it a citation key in the reference manager and export again"))
            continue
        items.append(_csl_item(obj, key, line))
    return items, problems


def _item_lines(text: str) -> list[int]:
    """The line on which each element of a top-level JSON array starts."""
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    lines = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = decoder.raw_decode(text, pos)


def _csl_item(obj: dict, key: str, line: int | None) -> Item:
    fields: dict[str, Any] = {}
    dropped = []
    for name in DIRECT:
        value = obj.get(name)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            fields[name] = clean(str(value)) if name != "note" else str(value).strip()
    for name in ("author", "editor"):
        names = [n for n in (_csl_name(x) for x in obj.get(name) or [] if isinstance(x, dict)) if n]
        if names:
            fields[name] = names
    for name in ("issued", "accessed"):
        if name in obj:
            value = _csl_date(obj[name])
            if value:
                fields[name] = value
            else:
                dropped.append(f"{name} {json.dumps(obj[name], ensure_ascii=False)} is not a date briefgen can read; left out")
    known = {*DIRECT, "author", "editor", "issued", "accessed", *KEYS}
    return Item(key, to_id(key), ordered(fields), line, tuple(sorted(k for k in obj if k not in known)), tuple(dropped))


def _csl_name(name: dict) -> dict | None:
    if str(name.get("literal", "")).strip():
        return {"literal": clean(str(name["literal"]))}
    family = " ".join(str(name[k]).strip() for k in ("non-dropping-particle", "family") if str(name.get(k, "")).strip())
    given = " ".join(str(name[k]).strip() for k in ("given", "dropping-particle") if str(name.get(k, "")).strip())
    if name.get("suffix"):
        family = f"{family} {str(name['suffix']).strip()}".strip()
    if not family:
        return {"literal": given} if given else None
    return {"family": family, "given": given} if given else {"family": family}


def _csl_date(value: Any) -> str | None:
    """An EDTF date from a CSL date object, or None if it has no date in it."""
    if isinstance(value, str):
        return iso_date(value)
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("edtf"), str):
        return iso_date(value["edtf"]) or None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts:
        ends = [_from_parts(p) for p in parts[:2]]
        if None in ends:
            return None
        text = "/".join(ends)  # type: ignore[arg-type]
        return text + "~" if value.get("circa") and len(ends) == 1 else text
    if isinstance(value.get("raw"), str):
        return iso_date(value["raw"])
    return None


def _from_parts(parts: Any) -> str | None:
    if not isinstance(parts, list) or not parts or len(parts) > 3:
        return None
    try:
        numbers = [int(str(p).strip()) for p in parts]
    except ValueError:
        return None
    return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
