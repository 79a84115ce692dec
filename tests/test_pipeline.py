"""The whole flow on the sample corpus, under one Prefect test harness."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import (
    SAMPLE_GOLD,
    assert_same_contents,
    contents,
    read_gold,
    run_lock_held_elsewhere,
    small_corpus,
)
from govtargets.warehouse import db

BAD_INPUTS = Path(__file__).parent / "data" / "bad_inputs"
TABLES = (
    "documents",
    "targets",
    "quarantine",
    "qualitative_targets",
    "target_units",
    "document_texts",
    "clauses",
)


def query(warehouse, sql: str) -> pl.DataFrame:
    con = db.connect(warehouse, read_only=True)
    try:
        return db.query(con, sql)
    finally:
        con.close()


def counts(warehouse) -> dict:
    return {t: query(warehouse, f"select count(*) n from {t}")["n"][0] for t in TABLES}


def test_documents_have_region_year_and_type(sample_run):
    docs = query(sample_run["warehouse"], "select source_name, region, year, doc_type, script from documents")
    got = {
        r["source_name"][:3]: (r["region"], r["year"], r["doc_type"], r["script"]) for r in docs.to_dicts()
    }
    assert got == {
        "000": ("德州市", 2020, "news_summary", "simplified"),
        "001": ("德州市", 2019, "news_summary", "simplified"),
        "002": ("德州市", 2023, "key_tasks_notice", "traditional"),
        "003": ("德州市", 2024, "work_report", "simplified"),
        "004": ("聊城市", 2020, "work_report", "simplified"),
    }


def test_gdp_targets_match_the_issue_contract(sample_run):
    gdp = query(
        sample_run["warehouse"],
        "select region, year, kind, value, unit, qualifier, stretch_value from targets "
        "where indicator_code = 'GDP' order by region, year",
    ).to_dicts()
    targets = [r for r in gdp if r["kind"] == "target"]
    assert {
        "region": "德州市",
        "year": 2020,
        "kind": "target",
        "value": 6.0,
        "unit": "%",
        "qualifier": "",
        "stretch_value": 6.5,
    } in targets
    assert {
        "region": "德州市",
        "year": 2024,
        "kind": "target",
        "value": 5.5,
        "unit": "%",
        "qualifier": "以上",
        "stretch_value": None,
    } in targets
    # 聊城's 2020 report sets no numeric GDP target ("主要经济指标增幅高于全省平均水平")
    assert not [r for r in gdp if r["region"] == "聊城市" and r["year"] == 2020]


def main_targets_paragraph(text: str, marker: str, until: str) -> str:
    start = text.find(marker)
    return text[start : text.find(until, start + len(marker))]


@pytest.mark.parametrize(
    ("gold_file", "marker", "until", "expected_count"),
    [
        ("000_c188ddf000de3018.jsonl", "主要预期目标是", "\n(一)", 7),  # a heading, then one bullet a line
        ("003_62f548a5d263e92b.jsonl", "主要预期目标是", "\n", 6),
        ("004_b893e66079dd5f93.jsonl", "主要预期目标是", "\n", 5),
    ],
)
def test_main_expected_targets_come_out_right(sample_run, gold_file, marker, until, expected_count):
    """主要预期目标 of 000, 003 and 004: value, unit, qualifier, stretch, kind, year, region as in gold."""
    source = gold_file.replace(".jsonl", ".txt")
    text = query(
        sample_run["warehouse"],
        f"select text from document_texts join documents using (doc_id) where source_name = '{source}'",
    )["text"][0]
    paragraph = main_targets_paragraph(text, marker, until)
    gold = [g for g in read_gold(gold_file) if g["kind"] == "target" and g["evidence"] in paragraph]
    assert len(gold) == expected_count
    records = query(
        sample_run["warehouse"],
        f"select region, year, kind, indicator, value, unit, qualifier, stretch_value from targets "
        f"where source_name = '{source}'",
    ).to_dicts()
    for g in gold:
        wanted = {k: g[k] for k in ("region", "year", "kind", "value", "unit", "qualifier", "stretch_value")}
        found = [r for r in records if {k: r[k] for k in wanted} == wanted]
        assert found, f"no record for {g['indicator']} {g['value']}{g['unit']} ({g['evidence']})"
        assert any(g["indicator"] in r["indicator"] or r["indicator"] in g["indicator"] for r in found)


def test_second_run_changes_no_rows(sample_run, tmp_path):
    from govtargets.flows.pipeline import pipeline

    warehouse = tmp_path / "w.duckdb"  # a copy: other tests compare with the sample run's warehouse
    shutil.copy(sample_run["warehouse"], warehouse)
    before = counts(warehouse)
    summary = pipeline(input_dir=str(sample_run["corpus"]), warehouse=str(warehouse))
    assert summary["unchanged"] == 5 and summary["documents"] == 0
    assert counts(warehouse) == before
    runs = query(warehouse, "select status from runs")
    assert runs["status"].to_list() == ["completed", "completed"]


def test_records_in_equal_targets_plus_quarantine(sample_run):
    summary = sample_run["summary"]
    assert summary["records"] == summary["loaded"] + summary["quarantined"]
    assert counts(sample_run["warehouse"])["targets"] == summary["loaded"]


def test_gold_scores_meet_the_bar(sample_run):
    from govtargets.transforms.scoring import parse_scopes, score

    gold = pl.concat([pl.read_ndjson(p) for p in sorted(SAMPLE_GOLD.glob("*.jsonl"))], how="diagonal_relaxed")
    predicted = query(sample_run["warehouse"], "select * from targets")
    texts = query(
        sample_run["warehouse"], "select source_name, text from documents join document_texts using (doc_id)"
    )
    scopes = parse_scopes(json.loads((SAMPLE_GOLD / "scopes.json").read_text(encoding="utf-8")))
    result = score(predicted, texts, gold, scopes)
    assert result.value.recall >= 0.97 and result.value.precision >= 0.95
    assert result.record.f1 >= 0.95


def test_bad_files_are_rejected_and_the_rest_loads(prefect_harness, sample_corpus, tmp_path):
    from govtargets.flows.pipeline import pipeline

    corpus = tmp_path / "corpus"
    shutil.copytree(sample_corpus, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (corpus / "english.txt").write_text("This is an English press release about budgets. " * 20)
    warehouse = tmp_path / "w.duckdb"
    summary = pipeline(input_dir=str(corpus), warehouse=str(warehouse))
    assert summary["documents"] == 5 and summary["rejected"] == 3
    rejected = query(warehouse, "select path, reason from rejected_files order by path").to_dicts()
    assert {(r["path"].rsplit("/", 1)[-1], r["reason"]) for r in rejected} == {
        ("binary.txt", "binary"),
        ("empty.txt", "empty"),
        ("english.txt", "not_chinese"),
    }


def test_target_units_link_tasks_of_the_notice(sample_run):
    units = query(
        sample_run["warehouse"],
        "select t.value, t.unit, u.unit_name, u.role from target_units u join targets t using (record_id) "
        "where t.evidence like '%新开工棚户区改造13496套%'",
    ).to_dicts()
    assert units and {u["role"] for u in units} <= {"lead", "partner"}
    assert any(u["role"] == "lead" and "住房" in u["unit_name"] for u in units)


def test_qualitative_headline_statements_are_kept_apart(sample_run):
    rows = query(
        sample_run["warehouse"], "select region, year, indicator_code, statement from qualitative_targets"
    )
    assert {
        "region": "德州市",
        "year": 2024,
        "indicator_code": "GRAIN_OUTPUT",
        "statement": "粮食产量稳中有增",
    } in rows.to_dicts()
    numeric = query(
        sample_run["warehouse"],
        "select count(*) n from targets where indicator_code = 'GRAIN_OUTPUT' and year = 2024",
    )
    assert numeric["n"][0] == 0


def test_every_record_points_at_its_clause_in_the_stored_text(sample_run):
    """Provenance: char spans index the normalized text, and the evidence is the clause there."""
    rows = query(
        sample_run["warehouse"],
        "select t.evidence, substr(x.text, t.char_start + 1, t.char_end - t.char_start) as figure, t.value, "
        "exists (select 1 from clauses c where c.doc_id = t.doc_id and c.char_start <= t.char_start "
        "and t.char_start < c.char_end) as in_clause "
        "from targets t join document_texts x using (doc_id) where not t.missing_value",
    ).to_dicts()
    assert rows and all(r["in_clause"] for r in rows)
    assert all(r["figure"] in r["evidence"] for r in rows)


def test_each_run_publishes_data_docs_of_every_suite(sample_run):
    summary = sample_run["summary"]
    index = Path(summary["data_docs"])
    warehouse = sample_run["warehouse"]
    assert index == (warehouse.parent / "reports" / warehouse.name / "data_docs" / "index.html").resolve()
    assert index.is_file()
    suites = query(
        sample_run["warehouse"],
        f"select distinct suite from validation_results where run_id = '{summary['run_id']}'",
    )["suite"]
    assert set(suites) == {
        "documents",
        "targets_structural",
        "targets_rows",
        "targets_warnings",
        "corpus_coverage",
    }
    for suite in suites:
        assert list((index.parent / "validations" / suite / summary["run_id"]).glob("*/*.html")), suite


def test_sample_corpus_is_fully_covered(sample_run):
    coverage = query(
        sample_run["warehouse"],
        f"select severity, success from validation_results where suite = 'corpus_coverage' "
        f"and run_id = '{sample_run['summary']['run_id']}'",
    )
    assert coverage.height == 3 and coverage["success"].all()
    assert set(coverage["severity"]) == {"structural", "warning"}


MANIFEST = (
    "file,region,year,doc_type\n"
    "impossible_figures.txt,德州市,,\n"  # the region only: its year is in its text
    "figures_without_metadata.txt,聊城市,2022,news_summary\n"
    "no_figures.txt,,2024,\n"  # its region and type stay unknown
)


@pytest.fixture(scope="module")
def bad_inputs_run(prefect_harness, sample_corpus, tmp_path_factory) -> dict:
    """The flow over the sample corpus plus tests/data/bad_inputs and tests/data/manifest (in
    subfolders), with a manifest for some of them."""
    from govtargets.flows.pipeline import pipeline

    corpus = tmp_path_factory.mktemp("corpus_with_bad_inputs")
    shutil.copytree(sample_corpus, corpus, dirs_exist_ok=True)
    shutil.copytree(BAD_INPUTS, corpus / "bad_inputs")
    shutil.copytree(BAD_INPUTS.parent / "manifest", corpus / "manifest")
    manifest = corpus.parent / f"{corpus.name}.manifest.csv"
    manifest.write_text(MANIFEST, encoding="utf-8")
    warehouse = corpus.parent / f"{corpus.name}.duckdb"
    summary = pipeline(input_dir=str(corpus), warehouse=str(warehouse), manifest=str(manifest))
    return {"summary": summary, "warehouse": warehouse}


def test_unusable_files_are_rejected_with_their_reason(bad_inputs_run):
    rejected = query(
        bad_inputs_run["warehouse"], "select path, reason, detail from rejected_files"
    ).to_dicts()
    assert {(Path(r["path"]).name, r["reason"]) for r in rejected} == {
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
    }
    assert all(r["detail"] for r in rejected)
    assert bad_inputs_run["summary"]["documents"] == 8 and bad_inputs_run["summary"]["rejected"] == 2


def test_impossible_records_are_quarantined_with_a_readable_reason(bad_inputs_run):
    quarantined = query(
        bad_inputs_run["warehouse"],
        "select indicator, value, unit, reason from quarantine where source_name = 'impossible_figures.txt'",
    ).to_dicts()
    reasons = {(q["indicator"], q["value"], q["unit"]): q["reason"] for q in quarantined}
    assert reasons == {
        ("地区生产总值", 900.0, "%"): "growth of 900% for a headline indicator (GDP) is outside -30..50%",
        ("居民消费价格涨幅", 3.0, "吨"): "unit '吨' is not a rate unit, but CPI (居民消费价格涨幅) is a rate",
        ("城镇调查失业率", 5.5, "万人"): (
            "unit '万人' is not a rate unit, but SURVEYED_UNEMPLOYMENT (城镇调查失业率) is a rate"
        ),
    }
    # the sample corpus's records are untouched by its bad neighbours
    assert (
        query(
            bad_inputs_run["warehouse"],
            "select count(*) n from quarantine where source_name <> 'impossible_figures.txt'",
        )["n"][0]
        == 0
    )


def test_plausible_records_of_the_same_document_load(bad_inputs_run):
    loaded = query(
        bad_inputs_run["warehouse"],
        "select kind, indicator, value, unit from targets where source_name = 'impossible_figures.txt'",
    ).to_dicts()
    assert {(r["kind"], r["indicator"], r["value"], r["unit"]) for r in loaded} == {
        ("achievement", "地区生产总值", 5.2, "%"),
        ("achievement", "一般公共预算收入", 4.1, "%"),
        ("target", "一般公共预算收入", 5.0, "%"),
        ("target", "城镇新增就业", 4.0, "万人"),
        ("target", "粮食产量", 60.0, "亿斤"),
    }


def test_coverage_flags_the_document_without_records(bad_inputs_run):
    summary = bad_inputs_run["summary"]
    failed = query(
        bad_inputs_run["warehouse"],
        f"select expectation, column_name, severity, unexpected_count, details from validation_results "
        f"where suite = 'corpus_coverage' and not success and run_id = '{summary['run_id']}'",
    ).to_dicts()
    assert len(failed) == 1
    assert (failed[0]["column_name"], failed[0]["severity"], failed[0]["unexpected_count"]) == (
        "n_records",
        "warning",
        1,
    )
    flagged = [row["source_name"] for row in json.loads(failed[0]["details"])["unexpected_rows"]]
    assert flagged == ["no_figures.txt"]
    # a warning: the document itself still loads
    assert (
        query(
            bad_inputs_run["warehouse"],
            "select count(*) n from documents where source_name = 'no_figures.txt'",
        )["n"][0]
        == 1
    )


def test_unknown_metadata_is_named_and_a_manifest_fills_what_it_knows(bad_inputs_run):
    summary, warehouse = bad_inputs_run["summary"], bad_inputs_run["warehouse"]
    # by the file's path in the input folder (two files may share a name)
    assert summary["unknown_metadata"] == {"bad_inputs/no_figures.txt": ["region", "doc_type"]}
    documents = query(warehouse, "select source_name, region, year, year_source, doc_type from documents")
    by_name = {row["source_name"]: row for row in documents.to_dicts()}
    assert by_name["impossible_figures.txt"] | {"source_name": None} == {
        "source_name": None,
        "region": "德州市",
        "year": 2025,
        "year_source": "text",
        "doc_type": "work_report",
    }
    assert by_name["figures_without_metadata.txt"]["year_source"] == "manifest"
    records = query(
        warehouse, "select year, year_source from targets where source_name = 'figures_without_metadata.txt'"
    )
    assert records.rows() == [(2022, "manifest"), (2022, "manifest")]
    # a GX warning that fails, naming the file
    failed = query(
        warehouse,
        "select expectation, details from validation_results where suite = 'documents' and not success "
        f"and run_id = '{summary['run_id']}' and column_name in ('region', 'year', 'doc_type')",
    ).to_dicts()
    assert len(failed) == 2
    assert all(
        [row["source_name"] for row in json.loads(f["details"])["unexpected_rows"]] == ["no_figures.txt"]
        for f in failed
    )


def test_records_in_equal_loaded_plus_quarantined_record_ids(bad_inputs_run):
    summary = bad_inputs_run["summary"]
    n_targets = query(bad_inputs_run["warehouse"], "select count(*) n from targets")["n"][0]
    n_quarantined = query(bad_inputs_run["warehouse"], "select count(distinct record_id) n from quarantine")[
        "n"
    ][0]
    assert n_quarantined == 3
    assert summary["records"] == n_targets + n_quarantined
    assert (summary["loaded"], summary["quarantined"]) == (n_targets, n_quarantined)


# --- re-runs, new extractor versions (interrupted runs: test_faults.py) ---------------------------

RUN_COLUMNS = ("run_id", "ingested_at")  # differ between runs by design


def test_a_full_refresh_gives_identical_tables(sample_run, tmp_path):
    from govtargets.flows.pipeline import pipeline

    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_run["warehouse"], copy)
    summary = pipeline(input_dir=str(sample_run["corpus"]), warehouse=str(copy), full_refresh=True)
    assert summary["documents"] == 5
    assert_same_contents(contents(copy), contents(sample_run["warehouse"]))


def test_a_new_extractor_version_extracts_documents_again(
    prefect_harness, sample_corpus, tmp_path, monkeypatch
):
    import govtargets.flows.pipeline as flow_module

    corpus, warehouse = small_corpus(sample_corpus, tmp_path / "corpus"), tmp_path / "w.duckdb"
    monkeypatch.setattr(flow_module, "EXTRACTOR_VERSION", "test-1")
    assert flow_module.pipeline(input_dir=str(corpus), warehouse=str(warehouse))["documents"] == 2
    unchanged = flow_module.pipeline(input_dir=str(corpus), warehouse=str(warehouse))
    assert (unchanged["documents"], unchanged["unchanged"]) == (0, 2)
    before = contents(warehouse, ignore=RUN_COLUMNS + ("extractor_version",))

    monkeypatch.setattr(flow_module, "EXTRACTOR_VERSION", "test-2")
    again = flow_module.pipeline(input_dir=str(corpus), warehouse=str(warehouse))
    assert (again["documents"], again["unchanged"]) == (2, 0)
    versions = query(warehouse, "select extractor_version, count(*) n from documents group by all")
    assert versions.rows() == [("test-2", 2)]  # the same two documents, now by test-2
    assert_same_contents(contents(warehouse, ignore=RUN_COLUMNS + ("extractor_version",)), before)


def test_a_second_run_on_a_warehouse_in_use_fails_fast_and_changes_nothing(
    prefect_harness, sample_corpus, tmp_path
):
    from govtargets.flows.pipeline import pipeline

    warehouse = tmp_path / "w.duckdb"
    with run_lock_held_elsewhere(warehouse), pytest.raises(db.WarehouseError, match="another govtargets run"):
        pipeline(input_dir=str(sample_corpus), warehouse=str(warehouse))
    assert not warehouse.exists()  # not even created: the run stopped before its first step
