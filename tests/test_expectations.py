import datetime as dt
import json
import re

import polars as pl
import pytest
from govtargets.expectations import suites
from govtargets.expectations.validate import (
    ValidationOutcome,
    document_coverage,
    validate_coverage,
    validate_documents,
    validate_targets,
)
from govtargets.transforms.documents import DOCUMENT_SCHEMA as DOCUMENTS
from govtargets.transforms.records import TARGET_SCHEMA

# the documents frame as validated: the ingest schema's columns the suite needs, plus the load time
DOCUMENT_SCHEMA = {name: DOCUMENTS[name] for name in suites.DOCUMENT_COLUMNS if name in DOCUMENTS} | {
    "ingested_at": pl.Datetime
}


def target(record_id: str, **overrides) -> dict:
    record = {
        "record_id": record_id,
        "doc_id": "bj-2024",
        "source_name": "2024年北京市政府工作报告",
        "region": "北京",
        "year": 2024,
        "kind": "target",
        "indicator": "地区生产总值",
        "indicator_code": "gdp_growth",
        "metric": "growth",
        "value": 6.0,
        "unit": "%",
        "qualifier": "左右",
        "stretch_value": 6.5,
        "value_base": None,
        "base_unit": None,
        "missing_value": False,
        "evidence": "地区生产总值增长6%左右,力争6.5%",
        "section": "主要预期目标",
        "direction": "up",
        "commitment": "soft",
        "char_start": 120,
        "char_end": 141,
        "value_text": None,
        "period": "full_year",
    }
    record.update(overrides)
    return record


def targets_frame(records: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(records, schema=TARGET_SCHEMA)


GOOD_RECORDS = [
    target("good-gdp"),
    target(
        "good-energy-down",
        indicator="单位地区生产总值能耗",
        indicator_code="energy_intensity",
        metric="change",
        value=3.0,
        stretch_value=2.5,
        qualifier="",
        evidence="单位地区生产总值能耗下降3%,力争下降2.5%",
        direction="down",
        commitment="hard",
    ),
    target(
        "good-range",
        indicator="居民消费价格涨幅",
        indicator_code="cpi",
        value=2.0,
        stretch_value=3.0,
        qualifier="区间",
        evidence="居民消费价格涨幅2%-3%",
        direction="down",
    ),
    target(
        "good-level",
        kind="achievement",
        indicator="一般公共预算收入",
        indicator_code=None,
        metric="level",
        value=13496.0,
        unit="亿元",
        qualifier="",
        stretch_value=None,
        evidence="一般公共预算收入完成13,496亿元",
        direction=None,
        commitment=None,
    ),
    # a growth over several years, compared with a base year or a plan's end, has no yearly range
    target(
        "good-growth-over-years",
        kind="achievement",
        value=91.2,
        stretch_value=None,
        evidence="比2000年增长91.2%",
    ),
    target(
        "good-growth-over-a-plan",
        kind="achievement",
        value=68.1,
        stretch_value=None,
        evidence="比“九五”末增长了68.1%",
    ),
    target(
        "good-missing",
        kind="achievement",
        indicator="城镇新增就业",
        metric="level",
        value=None,
        unit="万人",
        qualifier="以上",
        stretch_value=None,
        missing_value=True,
        evidence="城镇新增就业保持稳定",
    ),
]

BAD_RECORDS = {
    "bad-unit": target("bad-unit", metric="level", unit="斤斤", stretch_value=None, evidence="产量6斤斤"),
    "bad-growth": target("bad-growth", value=350.0, stretch_value=None, evidence="外贸进出口增长350%"),
    "bad-share": target(
        "bad-share",
        indicator="研发投入强度",
        metric="share",
        value=240.0,
        stretch_value=None,
        evidence="研发投入占地区生产总值比重达到240%",
    ),
    "bad-evidence": target("bad-evidence", evidence="地区生产总值保持较快增长,力争更好"),
    "bad-null-value": target("bad-null-value", value=None, stretch_value=None, missing_value=False),
    "bad-stretch": target("bad-stretch", stretch_value=5.5, evidence="地区生产总值增长6%左右,力争5.5%"),
    "bad-stretch-down": target(
        "bad-stretch-down",
        metric="change",
        value=3.0,
        stretch_value=3.5,
        evidence="能耗下降3%,力争下降3.5%",
        direction="down",
    ),
    "bad-period": target("bad-period", period="ytd"),
    "bad-twice": target("bad-twice", kind="plan", metric="level", unit="元元", stretch_value=None),
    # a known unit, but not one a price index can be measured in
    "bad-rate-unit": target(
        "bad-rate-unit",
        indicator="居民消费价格涨幅",
        indicator_code="CPI",
        metric="level",
        value=3.0,
        unit="吨",
        stretch_value=None,
        evidence="居民消费价格涨幅3吨左右",
    ),
}


@pytest.fixture(scope="module")
def mixed() -> pl.DataFrame:
    return targets_frame(GOOD_RECORDS + list(BAD_RECORDS.values()))


@pytest.fixture(scope="module")
def outcome(mixed) -> ValidationOutcome:
    return validate_targets(mixed)


def quarantine_of(outcome: ValidationOutcome, record_id: str) -> list[dict]:
    rows = outcome.quarantined.filter(pl.col("record_id") == record_id)
    return rows.select("expectation", "column", "reason").to_dicts()


def test_good_records_pass(outcome):
    assert outcome.structural_failures == []
    assert sorted(outcome.passed["record_id"]) == sorted(r["record_id"] for r in GOOD_RECORDS)


@pytest.mark.parametrize(
    ("record_id", "expectation", "column", "reason_fragment"),
    [
        ("bad-unit", "expect_column_values_to_match_regex", "unit", "unit '斤斤' does not match"),
        ("bad-growth", "expect_column_values_to_be_between", "value", "growth of 350%"),
        ("bad-share", "expect_column_values_to_be_between", "value", "share of 240%"),
        ("bad-evidence", "expect_column_values_to_be_in_set", "evidence", "does not contain the value 6"),
        ("bad-null-value", "expect_column_values_to_not_be_null", "value", "missing_value is false"),
        ("bad-period", "expect_column_values_to_be_in_set", "period", "period 'ytd' is not one of"),
        (
            "bad-stretch",
            "expect_column_pair_values_a_to_be_greater_than_b",
            "stretch_value",
            "stretch_value 5.5 is not above value 6",
        ),
        (
            "bad-stretch-down",
            "expect_column_pair_values_a_to_be_greater_than_b",
            "stretch_value",
            "stretch_value 3.5 is not below value 3",
        ),
        (
            "bad-rate-unit",
            "expect_column_values_to_be_in_set",
            "unit",
            "unit '吨' is not a rate unit, but CPI (居民消费价格涨幅) is a rate",
        ),
    ],
)
def test_bad_record_is_quarantined_with_reason(outcome, record_id, expectation, column, reason_fragment):
    failures = quarantine_of(outcome, record_id)
    assert len(failures) == 1, failures
    assert failures[0]["expectation"] == expectation
    assert failures[0]["column"] == column
    assert reason_fragment in failures[0]["reason"]


def test_record_failing_two_expectations_appears_twice(outcome):
    failures = quarantine_of(outcome, "bad-twice")
    assert {(f["column"], f["expectation"]) for f in failures} == {
        ("kind", "expect_column_values_to_be_in_set"),
        ("unit", "expect_column_values_to_match_regex"),
    }


def test_every_input_row_is_either_passed_or_quarantined(mixed, outcome):
    quarantined_ids = set(outcome.quarantined["record_id"])
    assert outcome.passed.height + len(quarantined_ids) == mixed.height
    assert quarantined_ids.isdisjoint(outcome.passed["record_id"])


def test_outputs_keep_input_schema_without_derived_columns(mixed, outcome):
    assert outcome.passed.schema == mixed.schema
    assert outcome.quarantined.columns == mixed.columns + ["expectation", "column", "reason"]
    assert not set(suites.DERIVED_TARGET_COLUMNS) & set(outcome.quarantined.columns)


def test_results_have_one_row_per_expectation(outcome):
    expected_rows = sum(
        len(build().expectations)
        for build in (suites.targets_structural, suites.targets_rows, suites.targets_warnings)
    )
    assert outcome.results.height == expected_rows
    assert outcome.results.columns == [
        "suite",
        "rule",
        "expectation",
        "column",
        "severity",
        "success",
        "unexpected_count",
        "element_count",
        "details",
    ]
    details = [json.loads(text) for text in outcome.results["details"]]
    assert all("kwargs" in d for d in details)
    assert outcome.results["rule"].to_list() == [d["rule"] for d in details]

    by_rule = {d["rule"]: row for d, row in zip(details, outcome.results.iter_rows(named=True), strict=True)}
    assert by_rule["unit_known"]["unexpected_count"] == 2
    assert by_rule["unit_known"]["success"] is False
    assert by_rule["headline_growth_plausible"]["unexpected_count"] == 1
    assert by_rule["kind_known"]["unexpected_count"] == 1
    assert by_rule["record_id_unique"]["success"] is True
    assert by_rule["region_coverage"]["severity"] == "warning"
    assert by_rule["columns"]["column"] is None


def test_repeated_calls_give_the_same_outcome(mixed, outcome):
    again = validate_targets(mixed)
    assert again.passed.equals(outcome.passed)
    assert again.quarantined.equals(outcome.quarantined)


def columns_named(value) -> set[str]:
    """Every column an expectation's configuration names, its row condition's included."""
    if isinstance(value, dict):
        named = {value[k] for k in ("column", "column_A", "column_B") if isinstance(value.get(k), str)}
        if isinstance(value.get("column"), dict):
            named.add(value["column"]["name"])
        return named.union(*(columns_named(item) for item in value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*(columns_named(item) for item in value))
    return set()


def test_gx_sees_only_the_columns_the_row_and_warning_suites_name():
    """pandas copies every column of the rows a row condition keeps: the long evidence and
    section texts, which no expectation reads, stay out of the frame GX validates."""
    from govtargets.expectations.validate import _columns_to_validate

    later = (suites.TARGETS_ROWS, suites.TARGETS_WARNINGS)
    named = set().union(
        *(
            columns_named(expectation.configuration.kwargs)
            for name in later
            for expectation in suites.BUILDERS[name]().expectations
        )
    )
    columns = [*TARGET_SCHEMA, *suites.DERIVED_TARGET_COLUMNS]
    assert set(_columns_to_validate(columns, "record_id", later)) == named | {"record_id", "source_name"}
    assert {"evidence", "section"}.isdisjoint(named)
    # a suite that checks the column set sees every column
    assert _columns_to_validate(columns, "record_id", (suites.TARGETS_STRUCTURAL,)) == columns


def test_the_suites_give_the_same_outcome_on_every_column(mixed, outcome, monkeypatch):
    from govtargets.expectations import validate

    monkeypatch.setattr(validate, "_columns_to_validate", lambda columns, key, suite_names: columns)
    whole = validate_targets(mixed)
    assert whole.passed.equals(outcome.passed)
    assert whole.quarantined.equals(outcome.quarantined)
    assert whole.results.equals(outcome.results)


def test_duplicate_record_ids_stop_the_load():
    result = validate_targets(targets_frame([target("dup"), target("dup"), target("other")]))
    assert any("record_id" in message and "unique" in message for message in result.structural_failures)
    assert result.passed.is_empty()


def test_missing_column_stops_the_load():
    result = validate_targets(targets_frame([target("a")]).drop("unit"))
    assert len(result.structural_failures) == 1
    assert "missing columns ['unit']" in result.structural_failures[0]
    assert result.passed.is_empty()


def test_empty_frame_validates_cleanly():
    empty = targets_frame([])
    result = validate_targets(empty)
    assert result.structural_failures == []
    assert result.passed.is_empty() and result.passed.schema == empty.schema
    assert result.quarantined.is_empty()
    assert result.results["success"].all()


def test_coverage_warnings_do_not_quarantine():
    sparse = [target(f"w{i}", region=None, indicator_code=None) for i in range(3)]
    result = validate_targets(targets_frame(sparse))
    warnings = result.results.filter(pl.col("severity") == "warning")
    assert warnings.height == 2 and not warnings["success"].any()
    assert result.structural_failures == []
    assert result.passed.height == 3


@pytest.mark.parametrize(
    "unit", ["%", "个百分点", "亿元", "万吨标准煤", "万千瓦时", "平方公里", "万人次", "微克/立方米"]
)
def test_unit_pattern_accepts_known_units(unit):
    assert re.fullmatch(suites.UNIT_PATTERN, unit)


@pytest.mark.parametrize("unit", ["斤斤", "亿", "元元", "", "percent"])
def test_unit_pattern_rejects_unknown_units(unit):
    assert not re.fullmatch(suites.UNIT_PATTERN, unit)


def document(doc_id: str, **overrides) -> dict:
    record = {
        "doc_id": doc_id,
        "source_name": "2024年北京市政府工作报告",
        "region": "北京",
        "year": 2024,
        "year_source": "text",
        "doc_type": "government_work_report",
        "encoding": "utf-8",
        "script": "simplified",
        "n_chars": 18_000,
        "ingested_at": dt.datetime(2024, 3, 1, 8, 30),
    }
    record.update(overrides)
    return record


def test_documents_warnings_are_reported_but_nothing_is_blocked():
    docs = pl.DataFrame(
        [document("bj-2024"), document("hk-2024", script="cyrillic", region=None, n_chars=150)],
        schema=DOCUMENT_SCHEMA,
    )
    result = validate_documents(docs)
    assert result.structural_failures == []
    assert result.passed.equals(docs)
    assert result.quarantined.is_empty()
    failed = result.results.filter(~pl.col("success"))
    # every document without a region is a warning too
    assert set(failed["column"]) == {"script", "n_chars", "region"}
    assert set(failed["severity"]) == {"warning"}


def test_duplicate_doc_ids_stop_the_load():
    docs = pl.DataFrame([document("bj-2024"), document("bj-2024")], schema=DOCUMENT_SCHEMA)
    result = validate_documents(docs)
    assert any("doc_id" in message for message in result.structural_failures)
    assert result.passed.is_empty()


def test_values_written_in_words_or_fractions_pass_the_evidence_check():
    rows = [
        target(
            "words",
            value=56.0,
            unit="所",
            metric="level",
            stretch_value=None,
            evidence="新建幼儿园五十六所",
            value_text="五十六",
            indicator="新建幼儿园",
        ),
        target(
            "fraction",
            value=1 / 3,
            unit="分数",
            metric="share",
            stretch_value=None,
            evidence="煤炭消费量压减1/3",
            value_text="1/3",
            indicator="煤炭消费量",
        ),
        target(
            "wrong-words",
            value=56.0,
            unit="所",
            metric="level",
            stretch_value=None,
            evidence="新建幼儿园六十所",
            value_text="五十六",
            indicator="新建幼儿园",
        ),
    ]
    outcome = validate_targets(pl.DataFrame(rows, schema=TARGET_SCHEMA))
    assert sorted(outcome.passed["record_id"].to_list()) == ["fraction", "words"]
    assert outcome.quarantined["record_id"].to_list() == ["wrong-words"]


def test_suite_results_are_kept_for_data_docs(outcome):
    names = [result.suite_name for result in outcome.suite_results]
    assert names == [suites.TARGETS_STRUCTURAL, suites.TARGETS_ROWS, suites.TARGETS_WARNINGS]
    rows = outcome.suite_results[1]
    assert not rows.success
    assert rows.statistics["evaluated_expectations"] == len(suites.targets_rows().expectations)


def test_an_empty_frame_keeps_only_the_structural_suite_result():
    assert [r.suite_name for r in validate_targets(targets_frame([])).suite_results] == [
        suites.TARGETS_STRUCTURAL
    ]


# --- corpus coverage ----------------------------------------------------------------------------

COVERAGE_DOCUMENTS = pl.DataFrame(
    [
        document("report-ok", source_name="report_ok.txt", doc_type="work_report"),
        document("report-no-headline", source_name="report_no_headline.txt", doc_type="work_report"),
        document("summary-empty", source_name="summary_empty.txt", doc_type="news_summary"),
    ],
    schema=DOCUMENT_SCHEMA,
)
COVERAGE_TARGETS = targets_frame(
    [
        target("ok-gdp", doc_id="report-ok"),
        target("ok-achieved", doc_id="report-ok", kind="achievement"),
        # its only headline target is quarantined, its other record is not a headline target
        target("nh-bad-gdp", doc_id="report-no-headline", value=900.0, stretch_value=None),
        target("nh-other", doc_id="report-no-headline", indicator="新建学校", indicator_code=None),
    ]
)
COVERAGE_PASSED = COVERAGE_TARGETS.filter(pl.col("record_id") != "nh-bad-gdp")


def test_document_coverage_counts_records_per_document():
    coverage = document_coverage(COVERAGE_DOCUMENTS, COVERAGE_TARGETS, COVERAGE_PASSED)
    assert coverage.columns == list(suites.COVERAGE_COLUMNS)
    counts = {
        row["doc_id"]: (row["n_records"], row["n_loaded"], row["n_quarantined"], row["n_headline_targets"])
        for row in coverage.iter_rows(named=True)
    }
    assert counts == {
        "report-ok": (2, 2, 0, 1),
        "report-no-headline": (2, 1, 1, 0),
        "summary-empty": (0, 0, 0, 0),
    }


def test_coverage_warns_about_documents_without_records_or_headline_targets():
    result = validate_coverage(COVERAGE_DOCUMENTS, COVERAGE_TARGETS, COVERAGE_PASSED)
    assert result.structural_failures == []
    assert result.quarantined.is_empty()
    assert result.passed.height == 3  # a warning blocks nothing
    failed = result.results.filter(~pl.col("success"))
    assert set(failed["suite"]) == {suites.CORPUS_COVERAGE}
    assert set(failed["severity"]) == {"warning"}
    flagged = {
        json.loads(details)["rule"]: {row["source_name"] for row in json.loads(details)["unexpected_rows"]}
        for details in failed["details"]
    }
    assert flagged == {
        "yields_records": {"summary_empty.txt"},
        "work_report_yields_headline_target": {"report_no_headline.txt"},
    }
    assert [r.suite_name for r in result.suite_results] == [suites.CORPUS_COVERAGE]


def test_coverage_of_a_fully_covered_corpus_passes():
    documents = COVERAGE_DOCUMENTS.filter(pl.col("doc_id") == "report-ok")
    result = validate_coverage(documents, COVERAGE_TARGETS, COVERAGE_PASSED)
    assert result.results["success"].all()


def test_coverage_of_no_documents_passes():
    result = validate_coverage(COVERAGE_DOCUMENTS.clear(), COVERAGE_TARGETS.clear(), COVERAGE_PASSED.clear())
    assert result.structural_failures == [] and result.results["success"].all()
