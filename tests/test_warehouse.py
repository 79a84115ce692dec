"""Migrations, the one-transaction loader, superseding edited files."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from govtargets.transforms.records import TARGET_SCHEMA
from govtargets.warehouse import db


def empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def document(doc_id: str, source_name: str = "a.txt") -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "doc_id": doc_id,
                "source_name": source_name,
                "region": "德州市",
                "year": 2024,
                "doc_type": "work_report",
                "encoding": "utf-8",
                "encoding_confidence": 1.0,
                "script": "simplified",
                "n_chars": 10,
                "text": "地区生产总值增长6%。",
                "extractor_version": "t",
                "ingested_at": db.now(),
            }
        ]
    )


def target(record_id: str, doc_id: str) -> pl.DataFrame:
    row = {name: None for name in TARGET_SCHEMA} | {
        "record_id": record_id,
        "doc_id": doc_id,
        "source_name": "a.txt",
        "kind": "target",
        "indicator": "地区生产总值",
        "metric": "growth",
        "value": 6.0,
        "unit": "%",
        "qualifier": "",
        "missing_value": False,
        "evidence": "地区生产总值增长6%",
        "char_start": 0,
        "char_end": 3,
    }
    return pl.DataFrame([row], schema=TARGET_SCHEMA)


def batch(doc_id: str, record_id: str, run_id: str = "r1", source_name: str = "a.txt") -> db.Batch:
    return db.Batch(
        run_id=run_id,
        documents=document(doc_id, source_name),
        targets=target(record_id, doc_id),
        quarantine=empty({}),
        qualitative=empty({}),
        units=empty({}),
        clauses=empty({}),
        rejected=empty({}),
        validation=empty({}),
    )


@pytest.fixture
def con(tmp_path):
    connection = db.connect(tmp_path / "w.duckdb")
    db.migrate(connection)
    yield connection
    connection.close()


def count(con, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def test_migrations_are_recorded_and_upgrade_an_older_file(tmp_path):
    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    old.execute(
        "create table schema_version (version integer primary key, name varchar, applied_at timestamp)"
    )
    first = db.migrations()[0][1]
    old.execute(first.read_text())
    old.execute("insert into schema_version values (1, ?, now())", [first.name])
    old.execute("insert into runs (run_id, started_at, status) values ('kept', now(), 'completed')")
    old.execute(
        """insert into targets (record_id, doc_id, source_name, kind, indicator, metric, unit, qualifier,
                                missing_value, evidence, char_start, char_end, run_id)
           values ('t1', 'd1', 'a.txt', 'target', '地区生产总值', 'growth', '%', '', false,
                   '地区生产总值增长6%', 0, 3, 'kept')"""
    )
    old.close()
    con = db.connect(path)
    assert db.migrate(con) == db.migrations()[-1][0]
    assert con.execute("select run_id from runs").fetchall() == [("kept",)]  # upgraded in place, not rebuilt
    assert con.execute("select record_id, evidence from targets").fetchall() == [("t1", "地区生产总值增长6%")]
    assert count(con, "headline_targets") == 0
    con.close()


def test_loading_the_same_batch_twice_changes_nothing(con):
    db.load_batch(con, batch("d1", "t1"))
    db.load_batch(con, batch("d1", "t1"))
    assert (count(con, "documents"), count(con, "targets"), count(con, "document_texts")) == (1, 1, 1)


def test_an_edited_file_supersedes_its_old_version(con):
    db.load_batch(con, batch("old", "t-old"))
    db.load_batch(con, batch("new", "t-new", run_id="r2"))
    rows = con.execute("select doc_id, superseded_by from documents order by doc_id").fetchall()
    assert rows == [("new", None), ("old", "new")]
    assert con.execute("select record_id from targets").fetchall() == [("t-new",)]


def test_a_failing_load_leaves_the_warehouse_as_it_was(con):
    db.load_batch(con, batch("d1", "t1"))
    broken = batch("d2", "t2", source_name="b.txt")
    broken.targets = broken.targets.with_columns(
        pl.lit(None, dtype=pl.Utf8).alias("kind")
    )  # violates NOT NULL
    with pytest.raises(duckdb.Error):
        db.load_batch(con, broken)
    assert con.execute("select doc_id from documents").fetchall() == [("d1",)]
    assert count(con, "targets") == 1


@pytest.fixture
def staged(tmp_path):
    """A run's staging folder with its first batch staged."""
    folder = tmp_path / "staged"
    db.open_staging(folder)
    db.stage_batch(folder, "batch-0000", batch("d1", "t1"))
    return folder


def test_a_run_publishes_every_batch_it_staged_once_whatever_columns_each_batch_had(con, staged):
    second = batch("d2", "t2", source_name="b.txt")
    # a column all NULL in its batch (Polars' Null type in the file) and one the batch lacks
    second.targets = second.targets.with_columns(pl.lit(None).alias("stretch_value")).drop("region")
    db.stage_batch(staged, "batch-0001", second)
    db.stage_batch(staged, "batch-0001", second)  # a retried stage replaces what it staged
    (staged / "targets" / "batch-0002.parquet.partial").write_bytes(b"cut short")  # a failed write
    assert db.publish_staged(con, staged)["documents"] == 2
    assert con.execute("select record_id from targets order by record_id").fetchall() == [("t1",), ("t2",)]
    assert count(con, "document_texts") == 2


def test_a_staged_column_the_warehouse_does_not_have_fails_the_publish_and_loads_nothing(con, staged):
    odd = batch("d2", "t2", source_name="b.txt")
    odd.targets = odd.targets.with_columns(pl.lit(1).alias("not_a_column"))
    db.stage_batch(staged, "batch-0001", odd)
    with pytest.raises(duckdb.Error, match="not_a_column"):
        db.publish_staged(con, staged)
    assert (count(con, "documents"), count(con, "targets")) == (0, 0)


def test_a_record_id_staged_twice_or_kept_under_another_document_fails_the_publish(con, staged):
    db.stage_batch(staged, "batch-0001", batch("d2", "t1", source_name="b.txt"))  # t1 is d1's
    with pytest.raises(db.WarehouseError, match="record_id t1: staged twice"):
        db.publish_staged(con, staged)
    assert (count(con, "documents"), count(con, "targets")) == (0, 0)
    db.load_batch(con, batch("d1", "t1"))
    with pytest.raises(db.WarehouseError, match="record_id t1"):
        db.load_batch(con, batch("d3", "t1", source_name="c.txt"))
    assert con.execute("select doc_id from targets").fetchall() == [("d1",)]


def test_a_publish_needs_no_memory_for_each_record_the_warehouse_holds(tmp_path):
    """No index that grows with the records (a primary key's is held in memory): 400,000 records
    publish under a limit of 32 MB, where a key on record_id failed to commit."""
    con = db.connect(tmp_path / "w.duckdb", config={"memory_limit": "32MB"})
    db.migrate(con)
    many = batch("d1", "t")
    many.targets = pl.concat([many.targets] * 400_000).with_columns(
        record_id=pl.format("t{}", pl.int_range(pl.len()))
    )
    db.load_batch(con, many)
    assert count(con, "targets") == 400_000
    con.close()


def test_warehouse_path_flag_then_env_then_default(monkeypatch, tmp_path):
    monkeypatch.delenv(db.WAREHOUSE_ENV, raising=False)
    assert db.warehouse_path() == db.DEFAULT_WAREHOUSE
    monkeypatch.setenv(db.WAREHOUSE_ENV, str(tmp_path / "env.duckdb"))
    assert db.warehouse_path() == tmp_path / "env.duckdb"
    assert db.warehouse_path(tmp_path / "flag.duckdb") == tmp_path / "flag.duckdb"


def test_second_writer_gets_a_clear_error(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(db.WarehouseError, match="in use by another process"):
            db.connect(path)
    finally:
        holder.kill()
        holder.wait()
