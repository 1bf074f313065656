"""What the "Since the last briefing" section tells the reader about the previous version."""

from __future__ import annotations

import datetime as dt
import shutil

from briefgen.build import document_for
from briefgen.load import load_project
from briefgen.tree import Para, plain_text
from conftest import MINI


def _since_line(project_dir):
    doc = document_for(load_project(project_dir), "full", dt.date(2025, 10, 2))
    return next(plain_text(b.children) for b in doc.blocks
                if isinstance(b, Para) and plain_text(b.children).startswith("Compared with"))


def _revised(tmp_path, old_cfg_extra=""):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(MINI, old)
    shutil.copytree(MINI, new)
    cfg = old / "briefgen.yaml"
    cfg.write_text(cfg.read_text().replace("as_of: 2025-10-01\n", old_cfg_extra))
    events = new / "events.yaml"
    events.write_text(events.read_text().replace("title: Conference keynote", "title: Keynote in Hangzhou"))
    (new / "briefgen.yaml").write_text((new / "briefgen.yaml").read_text() + f"previous: {old}\n")
    return new


def test_the_previous_version_is_named_by_its_date_never_its_path(tmp_path):
    line = _since_line(_revised(tmp_path, "as_of: 2025-09-20\n"))
    assert line == "Compared with the previous version, as of 20 September 2025:"
    assert str(tmp_path) not in line


def test_a_previous_version_without_a_date_is_not_labelled(tmp_path):
    line = _since_line(_revised(tmp_path))
    assert line == "Compared with the previous version:"
