"""Records in context: record_context, the evidence of target_vs_achievement, source_name of
qualitative_targets, and the responsible departments under their own names (old names as views)."""

from __future__ import annotations

import polars as pl
from govtargets.warehouse import db


def sample_query(sample_run, sql: str) -> pl.DataFrame:
    con = db.connect(sample_run["warehouse"], read_only=True)
    try:
        return db.query(con, sql)
    finally:
        con.close()


def test_record_context_has_one_row_per_record(sample_run):
    context = sample_query(sample_run, "select * from record_context")
    targets = sample_query(sample_run, "select record_id from targets")
    assert context.height == targets.height > 0
    assert set(context["record_id"]) == set(targets["record_id"])
    assert context.filter(pl.col("clause").is_null() | pl.col("sentence").is_null()).is_empty()


def test_a_record_is_inside_its_clause_and_its_clause_inside_its_sentence(sample_run):
    rows = sample_query(
        sample_run,
        """select r.*, c.char_start as clause_start, c.char_end as clause_end,
                  substr(x.text, r.char_start + 1, r.char_end - r.char_start) as figure
           from record_context r
           join clauses c on c.doc_id = r.doc_id and c.text = r.clause
                         and c.char_start <= r.char_start and r.char_start < c.char_end
           join document_texts x on x.doc_id = r.doc_id""",
    )
    assert rows.height == sample_query(sample_run, "select count(*) n from targets")["n"][0]
    for row in rows.iter_rows(named=True):
        assert row["sentence_start"] <= row["clause_start"] < row["clause_end"] <= row["sentence_end"]
        assert row["clause"] in row["sentence"] and row["figure"] in row["sentence"]
        assert len(row["sentence"]) == row["sentence_end"] - row["sentence_start"]


def test_the_clause_before_says_what_a_short_evidence_is_about(sample_run):
    """The issue's example: `基本建成7500套` is about the 棚户区改造 of the clause before."""
    row = sample_query(
        sample_run,
        "select * from record_context where evidence = '基本建成7500套' and source_name like '002%'",
    ).row(0, named=True)
    assert "棚户区改造13496套" in row["clause_before"]
    assert row["clause"].startswith("基本建成7500套")
    assert "老旧小区" in row["clause_after"]
    assert row["clause_before"] + row["clause"] + row["clause_after"] in row["sentence"]
    section = sample_query(sample_run, f"select section from targets where record_id = '{row['record_id']}'")
    assert row["section"] == section["section"][0] and " > " in row["section"]  # its heading path


def test_a_clause_first_in_its_sentence_has_none_before_it(sample_run):
    firsts = sample_query(
        sample_run, "select * from record_context where clause_before is null and clause is not null"
    )
    assert not firsts.is_empty()
    for row in firsts.iter_rows(named=True):
        assert row["sentence"].startswith(row["clause"])


def test_target_vs_achievement_shows_the_evidence_of_both_sides(sample_run):
    rows = sample_query(sample_run, "select * from target_vs_achievement").to_dicts()
    targets = sample_query(sample_run, "select record_id, doc_id, evidence, section, char_start from targets")
    by_id = {r["record_id"]: r for r in targets.to_dicts()}
    assert rows
    for row in rows:
        target, achieved = by_id[row["target_record_id"]], by_id[row["achievement_record_id"]]
        assert (row["target_evidence"], row["achievement_evidence"]) == (
            target["evidence"],
            achieved["evidence"],
        )
        assert (row["target_doc_id"], row["achievement_doc_id"]) == (target["doc_id"], achieved["doc_id"])
        assert (row["target_section"], row["target_char_start"]) == (target["section"], target["char_start"])
        assert row["achievement_char_start"] == achieved["char_start"]
    shed = next(r for r in rows if r["indicator"] == "新开工棚户区改造")
    assert "13496套" in shed["target_evidence"] and "14256套" in shed["achievement_evidence"]


def test_qualitative_targets_name_their_file(sample_run):
    rows = sample_query(
        sample_run,
        "select q.source_name, d.source_name as document_source from qualitative_targets q "
        "join documents d using (doc_id)",
    )
    assert not rows.is_empty()
    assert rows["source_name"].to_list() == rows["document_source"].to_list()


def test_departments_are_named_as_departments_and_the_old_names_still_answer(sample_run):
    departments = sample_query(sample_run, "select * from target_departments order by all")
    assert departments.columns == ["record_id", "department", "role"] and not departments.is_empty()
    old = sample_query(sample_run, "select * from target_units order by all")
    assert old.columns == ["record_id", "unit_name", "role"]
    assert old.rows() == departments.rows()

    workload = sample_query(sample_run, "select * from department_workload order by all")
    assert workload.columns == ["department", "role", "records", "tasks", "documents", "years"]
    old_workload = sample_query(sample_run, "select * from unit_workload order by all")
    assert old_workload.columns == ["unit_name", "role", "records", "tasks", "documents", "years"]
    assert old_workload.rows() == workload.rows()


def test_a_warehouse_made_before_keeps_its_rows_under_the_new_names(tmp_path):
    con = db.connect(tmp_path / "old.duckdb")
    con.execute(
        "create table schema_version (version integer primary key, name varchar, applied_at timestamp)"
    )
    for version, path in db.migrations():
        if version <= 7:  # the schema as it was before these migrations
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_version values (?, ?, now())", [version, path.name])
    con.execute(
        """insert into documents (doc_id, source_name, encoding, script, n_chars, extractor_version,
                                  run_id, ingested_at)
           values ('d1', '002_notice.txt', 'utf-8', 'simplified', 10, 'v', 'r1', now())"""
    )
    con.execute("insert into target_units values ('t1', '市住房城乡建设局', 'lead')")
    con.execute("insert into qualitative_targets values ('d1', '德州市', 2023, 'GDP', '稳中有升', 5, 'r1')")
    con.execute(
        """insert into validation_results values ('r1', 'targets_rows', 'expect_column_values_to_be_between',
           'value', 'row', true, 0, 3, '{"rule":"growth_plausible"}')"""
    )
    db.migrate(con)
    assert con.execute("select * from target_departments").fetchall() == [("t1", "市住房城乡建设局", "lead")]
    assert con.execute("select * from target_units").fetchall() == [("t1", "市住房城乡建设局", "lead")]
    assert con.execute("select source_name from qualitative_targets").fetchall() == [("002_notice.txt",)]
    assert con.execute("select rule from validation_results").fetchall() == [("growth_plausible",)]
    con.close()
