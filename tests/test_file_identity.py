"""Issue 14, findings 1, 4 and 6: a file is its path in the input folder; every entry the walk meets
is loaded or recorded with a reason; a deleted file is marked, not silently current."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import SAMPLE_CORPUS
from govtargets.flows import inputs
from govtargets.flows.inputs import walk_input
from govtargets.transforms.identity import KNOWN_DOCUMENTS_SCHEMA, KNOWN_REJECTIONS_SCHEMA, plan_files
from govtargets.warehouse import db

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


def test_a_manifest_row_names_a_file_by_its_path_or_every_file_of_a_name():
    from govtargets.transforms.documents import apply_manifest, parse_manifest

    documents = pl.DataFrame(
        {
            "source_name": ["2021.txt", "2021.txt", "2022.txt"],
            "source_path": ["德州市/2021.txt", "聊城市/2021.txt", "聊城市/2022.txt"],
            "region": [None, None, None],
            "year": [None, None, None],
            "year_source": [None, None, None],
            "doc_type": [None, None, None],
        },
        schema_overrides={"region": pl.Utf8, "year": pl.Int32, "year_source": pl.Utf8, "doc_type": pl.Utf8},
    )
    manifest = parse_manifest(
        pl.DataFrame(
            {
                "file": ["德州市/2021.txt", "2021.txt", "2022.txt"],
                "region": ["德州市", "某市", "聊城市"],
                "year": ["2021", "", ""],
            }
        )
    )
    applied = apply_manifest(documents, manifest).select("source_path", "region", "year").rows()
    assert applied == [
        ("德州市/2021.txt", "德州市", 2021),
        ("聊城市/2021.txt", "某市", None),
        ("聊城市/2022.txt", "聊城市", None),
    ]


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
    assert inventory.files == ["elsewhere/page.html", "notes.md", "德州市/2021.txt"]
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
    assert walk_input(root).files == ["聊城市/2020.txt"]


# Enough files that what the walk holds per file outweighs what it holds once; a traced walk takes
# ~1 ms a file (5,000 took 13-18 s of the suite; 1,000 measure the same 163 bytes a file).
FILES_WALKED = 1000


def test_the_walk_holds_a_short_string_per_file(tmp_path):
    """A run holds the walk's inventory of the whole corpus until it ends: a pathlib.Path per file
    took ~720 bytes (27.8 MB at 38,807 files); a file is its source path, ~200 bytes with the list."""
    import gc
    import tracemalloc

    folder = tmp_path / "广东省" / "广州市" / "各区政府工作报告"
    folder.mkdir(parents=True)
    for number in range(FILES_WALKED):
        (folder / f"{number:04d}年广州市某某区人民政府工作报告.txt").write_bytes(b"")
    tracemalloc.start(25)  # frames kept per allocation: enough to reach inputs.py from pathlib's
    try:
        inventory = walk_input(tmp_path)
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    # what is still alive of what the walk allocated: other threads of this process (Prefect's, in a
    # test session that has run a flow) allocate meanwhile, 8.5 MB once, and a total would count it
    walked = snapshot.filter_traces([tracemalloc.Filter(True, inputs.__file__, all_frames=True)])
    held = sum(stat.size for stat in walked.statistics("filename"))
    assert len(inventory.files) == FILES_WALKED
    per_file = held / FILES_WALKED
    assert per_file < 250, f"{per_file:.0f} bytes per file"  # ~160 bytes now; a Path ~720


# --- the whole flow, run after run ---------------------------------------------------------------


def sample(prefix: str, chars: int = 2500) -> str:
    path = next(SAMPLE_CORPUS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")[:chars]


def docx_report(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def query(warehouse: Path, sql: str) -> list[dict]:
    con = db.connect(warehouse, read_only=True)
    try:
        return db.query(con, sql).to_dicts()
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(prefect_harness, tmp_path_factory) -> dict:
    """Three runs over a folder-per-region corpus as it changes:
    1. 德州市/2021.txt and 聊城市/2021.txt (same name), a.txt, gone.txt, a web page, a Word file, a
       text with NUL bytes, and files that cannot be loaded;
    2. 德州市/2021.txt edited, a.txt renamed to archive/a-renamed.txt, gone.txt deleted;
    3. gone.txt back, nothing else changed."""
    from govtargets.flows.pipeline import pipeline
    from govtargets.flows.run_summary import run_warnings

    root = tmp_path_factory.mktemp("identity")
    corpus, warehouse = root / "corpus", root / "w.duckdb"
    for folder in ("德州市", "聊城市", "web"):
        (corpus / folder).mkdir(parents=True)
    (corpus / "德州市" / "2021.txt").write_text(sample("002"), encoding="utf-8")
    (corpus / "聊城市" / "2021.txt").write_text(sample("004"), encoding="utf-8")
    (corpus / "a.txt").write_text(sample("001"), encoding="utf-8")
    gone = sample("000")
    (corpus / "gone.txt").write_text(gone, encoding="utf-8")
    paragraphs = "".join(f"<p>{line}</p>" for line in sample("003", 6000)[2500:].split("\n"))
    (corpus / "web" / "page.html").write_text(
        f"<html><head><script>x='增长99%'</script></head><body><nav>首页</nav>{paragraphs}</body></html>",
        encoding="utf-8",
    )
    (corpus / "报告.docx").write_bytes(docx_report(sample("003", 4000)))
    damaged = sample("004", 6000)[2500:]
    (corpus / "damaged.txt").write_bytes((damaged[:300] + "\x00\x00\x00" + damaged[300:]).encode("utf-8"))
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    (corpus / "loop").symlink_to(corpus)

    summaries = [pipeline(input_dir=str(corpus), warehouse=str(warehouse))]
    first = query(warehouse, "select doc_id, source_path, run_id from documents")
    with (corpus / "德州市" / "2021.txt").open("a", encoding="utf-8") as handle:
        handle.write("\n新增绿地1万亩。\n")
    (corpus / "archive").mkdir()
    shutil.move(corpus / "a.txt", corpus / "archive" / "a-renamed.txt")
    (corpus / "gone.txt").unlink()
    summaries.append(pipeline(input_dir=str(corpus), warehouse=str(warehouse)))
    second = query(warehouse, "select * from documents")
    con = db.connect(warehouse, read_only=True)
    try:  # what `govtargets run` prints after the summary
        warnings_second = run_warnings(con, summaries[1]["run_id"], {})
    finally:
        con.close()
    rejected_second = query(warehouse, "select * from rejected_files")
    gone_id = next(r["doc_id"] for r in first if r["source_path"] == "gone.txt")
    records = f"(select record_id from targets where doc_id = '{gone_id}')"
    gone_after_second = {
        view: query(warehouse, f"select count(*) n from {view} where {condition}")[0]["n"]
        for view, condition in (
            ("targets", f"doc_id = '{gone_id}'"),
            ("current_documents", f"doc_id = '{gone_id}'"),
            ("headline_targets", f"doc_id = '{gone_id}'"),
            ("doc_keywords", f"doc_id = '{gone_id}'"),
            ("target_vs_achievement", f"target_record_id in {records} or achievement_record_id in {records}"),
        )
    }
    (corpus / "gone.txt").write_text(gone, encoding="utf-8")
    summaries.append(pipeline(input_dir=str(corpus), warehouse=str(warehouse)))
    return {
        "warehouse": warehouse,
        "summaries": summaries,
        "first": {r["source_path"]: r for r in first},
        "second": {r["doc_id"]: r for r in second},
        "rejected_second": rejected_second,
        "gone_after_second": gone_after_second,
        "warnings_second": warnings_second,
    }


def test_files_with_the_same_name_in_two_folders_are_two_documents(runs):
    """Finding 1: editing 德州市/2021.txt superseded 聊城市/2021.txt and deleted its records."""
    first, second = runs["first"], runs["second"]
    liaocheng = first["聊城市/2021.txt"]["doc_id"]
    assert second[liaocheng]["superseded_by"] is None and second[liaocheng]["removed_in_run"] is None
    old_dezhou = second[first["德州市/2021.txt"]["doc_id"]]
    new_dezhou = [
        r for r in second.values() if r["source_path"] == "德州市/2021.txt" and r["superseded_by"] is None
    ]
    assert len(new_dezhou) == 1 and old_dezhou["superseded_by"] == new_dezhou[0]["doc_id"]
    current = query(runs["warehouse"], "select source_path, source_name, region from current_documents")
    by_path = {r["source_path"]: r for r in current}
    assert (
        by_path["德州市/2021.txt"]["source_name"] == by_path["聊城市/2021.txt"]["source_name"] == "2021.txt"
    )
    assert (by_path["德州市/2021.txt"]["region"], by_path["聊城市/2021.txt"]["region"]) == (
        "德州市",
        "聊城市",
    )
    records = query(
        runs["warehouse"],
        "select source_path, count(*) n from targets where source_name = '2021.txt' group by all",
    )
    assert {r["source_path"] for r in records if r["n"] > 0} == {"德州市/2021.txt", "聊城市/2021.txt"}


def test_later_runs_do_not_flip_which_copy_is_current(runs):
    after = query(runs["warehouse"], "select doc_id from current_documents where source_name = '2021.txt'")
    second_current = {
        d for d, r in runs["second"].items() if r["source_name"] == "2021.txt" and r["superseded_by"] is None
    }
    assert {r["doc_id"] for r in after} == second_current
    assert runs["summaries"][2]["documents"] == 0  # nothing read again


def test_a_renamed_file_is_noticed_and_keeps_its_records(runs):
    renamed = runs["first"]["a.txt"]
    row = runs["second"][renamed["doc_id"]]
    assert (row["source_path"], row["source_name"]) == ("archive/a-renamed.txt", "a-renamed.txt")
    assert row["run_id"] == renamed["run_id"]  # not extracted again
    assert runs["summaries"][1]["renamed"] == 1 and runs["summaries"][1]["documents"] == 1  # the edit
    targets = query(
        runs["warehouse"],
        f"select distinct source_path, source_name from targets where doc_id = '{renamed['doc_id']}'",
    )
    assert targets == [{"source_path": "archive/a-renamed.txt", "source_name": "a-renamed.txt"}]


def test_a_deleted_file_is_marked_removed_and_left_out_of_the_views(runs):
    """Finding 6: a deleted input file's records stayed current, and nothing said so."""
    gone = runs["first"]["gone.txt"]["doc_id"]
    row = runs["second"][gone]
    assert row["removed_in_run"] == runs["summaries"][1]["run_id"] and runs["summaries"][1]["removed"] == 1
    assert row["superseded_by"] is None  # not replaced: gone


def test_the_run_that_notices_a_deleted_file_warns_about_it(runs):
    removed = [w for w in runs["warnings_second"] if w["kind"] == "removed_file"]
    assert [w["source_path"] for w in removed] == ["gone.txt"]
    assert "no longer in the input folder" in removed[0]["message"]


def test_a_deleted_file_that_comes_back_is_current_again(runs):
    gone = runs["first"]["gone.txt"]["doc_id"]
    now = query(runs["warehouse"], f"select removed_in_run from documents where doc_id = '{gone}'")
    assert now == [{"removed_in_run": None}]
    assert query(runs["warehouse"], f"select count(*) n from current_documents where doc_id = '{gone}'") == [
        {"n": 1}
    ]
    assert runs["summaries"][2]["renamed"] == 1 and runs["summaries"][2]["documents"] == 0


def test_removed_documents_are_out_of_every_view(runs):
    """While gone.txt was deleted (after run 2): its records are kept, and no view shows them."""
    assert runs["gone_after_second"]["targets"] > 0
    assert {view: n for view, n in runs["gone_after_second"].items() if view != "targets"} == {
        "current_documents": 0, "headline_targets": 0, "doc_keywords": 0, "target_vs_achievement": 0,
    }  # fmt: skip


def test_every_format_loads_and_every_entry_not_loaded_is_recorded(runs):
    """Finding 4: .md/.html files, symlink loops and bad bytes were skipped or lost without a trace."""
    current = {r["source_path"]: r for r in query(runs["warehouse"], "select * from current_documents")}
    assert current["web/page.html"]["source_format"] == "html"
    assert current["报告.docx"]["source_format"] == "docx"
    assert current["damaged.txt"]["decode_errors"] == 3
    assert current["德州市/2021.txt"]["decode_errors"] == 0
    texts = query(
        runs["warehouse"],
        "select d.source_path, t.text from current_documents d join document_texts t using (doc_id)",
    )
    page = next(r["text"] for r in texts if r["source_path"] == "web/page.html")
    assert "99%" not in page and "首页" not in page and "<p>" not in page
    rejected = {
        (Path(r["path"]).name, r["reason"]) for r in query(runs["warehouse"], "select * from rejected_files")
    }
    assert rejected == {("binary.txt", "binary"), ("old.doc", "unsupported_format"), ("loop", "symlink_loop")}


def test_rejected_files_are_recorded_once(runs):
    """Finding 5: rejected files were re-read and re-recorded on every run."""
    rows = query(runs["warehouse"], "select path, reason, count(*) n from rejected_files group by all")
    assert rows and all(r["n"] == 1 for r in rows)
    assert query(runs["warehouse"], "select count(*) n from rejected_files") == [
        {"n": len(runs["rejected_second"])}
    ]
    assert [s["rejected"] for s in runs["summaries"]] == [3, 3, 3]  # still reported on every run
