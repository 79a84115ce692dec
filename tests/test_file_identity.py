"""Issue 14, findings 1, 4 and 6: a file is its path in the input folder; every entry the walk meets
is loaded or recorded with a reason; a deleted file is marked, not silently current."""

from __future__ import annotations

import os

import polars as pl
from govtargets.flows.inputs import walk_input
from govtargets.transforms.identity import KNOWN_DOCUMENTS_SCHEMA, KNOWN_REJECTIONS_SCHEMA, plan_files

# --- the plan: pure --------------------------------------------------------------------------------


def known(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=KNOWN_DOCUMENTS_SCHEMA, orient="row")


NO_REJECTIONS = pl.DataFrame(schema=KNOWN_REJECTIONS_SCHEMA)


def test_the_same_name_in_two_folders_is_two_files():
    plan = plan_files({"德州市/2021.txt": "d2", "聊城市/2021.txt": "l1"}, known(
        ("d1", "德州市/2021.txt", "v", None), ("l1", "聊城市/2021.txt", "v", None)
    ), NO_REJECTIONS, "v")  # fmt: skip
    assert plan.to_ingest == ["德州市/2021.txt"] and plan.unchanged == ["聊城市/2021.txt"]
    assert plan.removed == [] and plan.duplicates == []


def test_a_renamed_file_is_relocated_not_read_again():
    plan = plan_files({"new/b.txt": "x"}, known(("x", "a.txt", "v", None)), NO_REJECTIONS, "v")
    assert plan.relocated == [("x", "new/b.txt", "a.txt")] and plan.to_ingest == [] and plan.removed == []


def test_a_deleted_file_is_removed_and_back_when_it_returns():
    gone = plan_files(
        {"b.txt": "y"}, known(("x", "a.txt", "v", None), ("y", "b.txt", "v", None)), NO_REJECTIONS, "v"
    )
    assert gone.removed == [("x", "a.txt")] and gone.unchanged == ["b.txt"]
    back = plan_files({"a.txt": "x"}, known(("x", "a.txt", "v", "run-2")), NO_REJECTIONS, "v")
    assert back.relocated == [("x", "a.txt", "a.txt")] and back.removed == []


def test_copies_are_duplicates_of_the_loaded_file_else_of_the_first():
    plan = plan_files({"a.txt": "x", "b/a.txt": "x", "c.txt": "z", "d.txt": "z"}, known(
        ("x", "b/a.txt", "v", None)
    ), NO_REJECTIONS, "v")  # fmt: skip
    assert sorted(plan.duplicates) == [("a.txt", "x", "b/a.txt"), ("d.txt", "z", "c.txt")]
    assert plan.unchanged == ["b/a.txt"] and plan.to_ingest == ["c.txt"]


def test_rejected_bytes_are_not_read_again_unless_the_extractor_changed_or_a_full_refresh():
    rejected = pl.DataFrame({"source_path": ["bad.txt"], "doc_id": ["r"]})
    assert plan_files({"bad.txt": "r"}, known(), rejected, "v").rejected_before == ["bad.txt"]
    assert plan_files({"bad.txt": "r2"}, known(), rejected, "v").to_ingest == ["bad.txt"]  # new bytes
    assert plan_files({"bad.txt": "r"}, known(), rejected, "v", full_refresh=True).to_ingest == ["bad.txt"]


def test_another_extractor_version_reads_again_and_an_unreadable_file_is_not_removed():
    plan = plan_files({"a.txt": "x", "b.txt": None}, known(
        ("x", "a.txt", "old", None), ("y", "b.txt", "v", None)
    ), NO_REJECTIONS, "v")  # fmt: skip
    assert plan.to_ingest == ["a.txt", "b.txt"] and plan.removed == []


# --- the walk ----------------------------------------------------------------------------------


def test_the_walk_records_every_entry_it_does_not_read(tmp_path):
    root = tmp_path / "in"
    (root / "德州市").mkdir(parents=True)
    (root / "德州市" / "2021.txt").write_text("报告", encoding="utf-8")
    (root / "elsewhere").mkdir()
    (root / "elsewhere" / "page.html").write_text("<p>报告</p>", encoding="utf-8")
    (root / "linked").symlink_to(root / "elsewhere")  # a second way into a folder
    (root / "loop").symlink_to(root)  # back up to the input folder
    (root / "self").symlink_to(root / "self")  # a link to itself
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    (root / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / "表格.xlsx").write_bytes(b"PK")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("x")
    (root / "notes.md").write_text("# 报告", encoding="utf-8")
    os.mkfifo(root / "pipe.txt")  # would block a reader forever
    inventory = walk_input(root)
    assert [f.source_path for f in inventory.files] == ["elsewhere/page.html", "notes.md", "德州市/2021.txt"]
    assert {r["source_path"]: r["reason"] for r in inventory.rejected} == {
        ".git": "hidden",
        "dangling.txt": "unreadable",
        "linked": "duplicate",
        "loop": "symlink_loop",
        "self": "symlink_loop",
        "old.doc": "unsupported_format",
        "表格.xlsx": "unsupported_format",
        "pipe.txt": "special_file",
    }
    details = {r["source_path"]: r["detail"] for r in inventory.rejected}
    assert "save it as .docx" in details["old.doc"] and "missing.txt" in details["dangling.txt"]
    assert details["linked"] == "the same folder as elsewhere"


def test_a_symlinked_folder_is_walked(tmp_path):
    outside = tmp_path / "archive"
    outside.mkdir()
    (outside / "2020.txt").write_text("报告", encoding="utf-8")
    root = tmp_path / "in"
    root.mkdir()
    (root / "聊城市").symlink_to(outside)
    assert [f.source_path for f in walk_input(root).files] == ["聊城市/2020.txt"]
