"""The library API: govtargets.extract() and govtargets.connect()."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import duckdb
import polars as pl
import pytest
from govtargets.transforms.documents import ManifestError
from govtargets.transforms.records import TARGET_SCHEMA
from govtargets.warehouse import db

from govtargets import GovtargetsWarning, UnusableDocument, connect, extract

# Unknown region and year are warned about; tests that care catch them with pytest.warns.
pytestmark = pytest.mark.filterwarnings("ignore::govtargets.GovtargetsWarning")

# The issue's example: traditional script, two headline targets, a year only in the text.
EXAMPLE = "2021年地區生產總值增長8%左右,城鎮新增就業5萬人以上。"


def headline(records: pl.DataFrame) -> list[tuple]:
    return records.select("kind", "indicator_code", "value", "unit", "qualifier").rows()


def test_the_issue_example_gives_its_two_targets():
    with pytest.warns(
        GovtargetsWarning, match=r"<text>: the document.s region.* unknown \(not in its text\)"
    ):
        records = extract(EXAMPLE)
    assert sorted(records.columns) == sorted(TARGET_SCHEMA)
    assert records.columns[:4] == ["year", "kind", "indicator", "value"]  # what a print shows first
    assert headline(records) == [
        ("target", "GDP", 8.0, "%", "左右"),
        ("target", "NEW_URBAN_JOBS", 5.0, "万人", "以上"),
    ]
    assert ["8%左右" in records["evidence"][0], "5万人以上" in records["evidence"][1]] == [True, True]


def test_the_issue_example_targets_are_for_2021():
    """Needs the one-time year resolver (the extraction rewrite): fails until it is merged."""
    records = extract(EXAMPLE)
    assert records["year"].to_list() == [2021, 2021]


def test_region_year_and_type_given_replace_the_detected_ones_as_a_manifest_does():
    with warnings.catch_warnings():
        warnings.simplefilter("error", GovtargetsWarning)  # nothing is unknown any more
        records = extract("全市地区生产总值增长8%左右。", region="德州市", year=2021, doc_type="work_report")
    assert records.select("region", "year", "year_source").rows() == [("德州市", 2021, "manifest")]


def test_a_year_no_manifest_could_give_is_refused():
    with pytest.raises(ManifestError, match="year '21' is not a year"):
        extract(EXAMPLE, year=21)


def test_a_file_path_or_its_bytes_give_the_records_of_the_text(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(EXAMPLE.encode("gb18030"))
    from_text = extract(EXAMPLE, year=2021)
    for source in (path, str(path), path.read_bytes()):
        records = extract(source, year=2021)
        assert headline(records) == headline(from_text)
        assert records["doc_id"].unique().to_list() == [db_doc_id(path.read_bytes())]
    assert extract(path, year=2021)["source_name"].unique().to_list() == ["report.txt"]


def test_text_with_a_lone_surrogate_gives_the_records_of_the_text_without_it():
    records = extract(EXAMPLE + "\ud800", year=2021)
    assert headline(records) == headline(extract(EXAMPLE, year=2021))


def db_doc_id(data: bytes) -> str:
    from govtargets.transforms.documents import doc_id_of

    return doc_id_of(data)


def test_unusable_input_is_an_error_naming_the_source_and_the_reason(tmp_path):
    with pytest.raises(UnusableDocument, match=r"<bytes>: rejected, empty"):
        extract(b"")
    with pytest.raises(UnusableDocument, match=r"<text>: rejected, not_chinese"):
        extract("only English words here, no Chinese at all")
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        extract(tmp_path / "missing.txt")


def test_records_the_pipeline_would_quarantine_are_left_out_with_a_warning():
    text = "2024年全市地区生产总值增长900%。城镇新增就业5万人以上。"
    with pytest.warns(GovtargetsWarning, match=r"1 record\(s\) left out.*900%"):
        records = extract(text, region="德州市", year=2024)
    assert headline(records) == [("target", "NEW_URBAN_JOBS", 5.0, "万人", "以上")]


def test_extract_gives_exactly_the_records_a_run_loads(sample_run):
    """Every sample document: extract() of the file equals its rows in the run's warehouse. A year
    the run inferred from another document's congress session is passed in, as a manifest would."""
    con = db.connect(sample_run["warehouse"], read_only=True)
    try:
        documents = db.query(con, "select doc_id, source_name, year, year_source from documents")
        loaded = db.query(con, f"select {', '.join(TARGET_SCHEMA)} from targets")
    finally:
        con.close()
    assert documents.height == 5
    for doc in documents.iter_rows(named=True):
        year = doc["year"] if doc["year_source"] == "session" else None
        records = extract(sample_run["corpus"] / doc["source_name"], year=year)
        expected = loaded.filter(pl.col("doc_id") == doc["doc_id"]).select(records.columns)
        assert records.height == expected.height > 0, doc["source_name"]
        if year is not None:  # given, not inferred: the records say so, and are otherwise the same
            sources = [r["year_source"] for r in records.sort("record_id").iter_rows(named=True)]
            inferred = [r["year_source"] for r in expected.sort("record_id").iter_rows(named=True)]
            assert sources == ["manifest" if s == "session" else s for s in inferred], doc["source_name"]
            records, expected = records.drop("year_source"), expected.drop("year_source")
        assert records.sort("record_id").equals(expected.sort("record_id")), doc["source_name"]


def test_import_govtargets_claims_one_name_and_extracts_without_prefect(tmp_path):
    script = textwrap.dedent(
        f"""
        import importlib.util, json, sys, warnings
        warnings.simplefilter("ignore")
        import govtargets
        records = govtargets.extract({EXAMPLE!r})
        print(json.dumps({{
            "records": records.height,
            "prefect_imported": "prefect" in sys.modules,
            "top_level": [n for n in ("flows", "transforms", "expectations", "warehouse")
                          if importlib.util.find_spec(n) is not None],
        }}))
        """
    )
    # run from an empty folder, so that the repository's own folders are not on sys.path
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == (
        '{"records": 2, "prefect_imported": false, "top_level": []}'
    )


@pytest.mark.parametrize("own", [None, "dirty_decay_ms:5000"])
def test_polars_gives_freed_memory_back_unless_the_user_set_its_allocator(own, tmp_path):
    """Set before Polars loads (jemalloc reads it once; Polars puts its defaults in front, and the
    last setting of an option wins), and so in the workers a run starts, which inherit it."""
    script = "import os; import govtargets; print(os.environ['_RJEM_MALLOC_CONF'])"
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if own:
        env["_RJEM_MALLOC_CONF"] = own
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().endswith("," + (own or "dirty_decay_ms:0,muzzy_decay_ms:0"))


def test_connect_opens_the_warehouse_read_only(sample_run, monkeypatch):
    with connect(sample_run["warehouse"]) as con:
        assert con.execute("select count(*) from targets").fetchone()[0] > 0
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table scratch (a integer)")
    monkeypatch.setenv(db.WAREHOUSE_ENV, str(sample_run["warehouse"]))
    with connect() as con:
        assert con.execute("select count(*) from documents").fetchone()[0] == 5


def test_connect_without_a_warehouse_says_so(tmp_path):
    with pytest.raises(db.WarehouseError, match="no warehouse here yet"):
        connect(Path(tmp_path / "none.duckdb"))
