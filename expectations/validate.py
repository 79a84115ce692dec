"""Validate Polars frames with the GX suites and split target records into loadable and quarantined.

GX 1.x has no working DuckDB datasource, so frames cross into pandas only here, at the GX
boundary, and are validated in an in-memory (ephemeral) context that writes nothing to disk.
The GX suite results are handed back as they are, for Data Docs (expectations/data_docs.py).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from typing import Any

import great_expectations as gx
import pandas as pd
import polars as pl
from govtargets.expectations import suites
from govtargets.transforms.timing import BASE_COMPARISON
from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.row_conditions import (
    AndCondition,
    ComparisonCondition,
    NullityCondition,
    OrCondition,
    deserialize_row_condition,
)

DATASOURCE_NAME = "govtargets_frames"
BATCH_DEFINITION_NAME = "whole_frame"
TARGETS_KEY = "record_id"
DOCUMENTS_KEY = "doc_id"
# GX data assets, one per kind of frame; their names label the batches in Data Docs.
TARGETS_ASSET = "targets"
DOCUMENTS_ASSET = "documents"
COVERAGE_ASSET = "document_coverage"
QUARANTINE_COLUMNS = ("expectation", "column", "reason")
PARTIAL_UNEXPECTED_COUNT = 20
# what a failing row is named by in the results besides its key: the file, so a reader can find it
ROW_LABELS = ("source_name",)
EXAMPLES_IN_MESSAGES = 5

RESULTS_SCHEMA = {
    "suite": pl.Utf8,
    "rule": pl.Utf8,
    "expectation": pl.Utf8,
    "column": pl.Utf8,
    "severity": pl.Utf8,
    "success": pl.Boolean,
    "unexpected_count": pl.Int64,
    "element_count": pl.Int64,
    "details": pl.Utf8,
}


@dataclass
class ValidationOutcome:
    """What may be loaded, what is quarantined, and why.

    passed: input rows that passed every row-level expectation (input schema).
    quarantined: one row per (failing row, failed expectation): input columns + expectation,
        column, reason; distinct quarantined keys + passed rows == input rows.
    results: one row per evaluated expectation (see RESULTS_SCHEMA), named by its rule; details is
        compact JSON.
    structural_failures: non-empty means load nothing; passed and quarantined are then empty.
    suite_results: GX's own result of each suite run, in order, for Data Docs.
    """

    passed: pl.DataFrame
    quarantined: pl.DataFrame
    results: pl.DataFrame
    structural_failures: list[str]
    suite_results: list[ExpectationSuiteValidationResult] = field(default_factory=list)


@dataclass(frozen=True)
class _Check:
    """One evaluated expectation, reduced to what the outcome needs."""

    suite: str
    expectation: str
    column: str | None
    meta: dict
    success: bool
    unexpected_count: int
    element_count: int
    failing_keys: tuple[str, ...]
    details: dict
    error: str | None

    @property
    def severity(self) -> str:
        return self.meta.get("severity", suites.WARNING)

    @property
    def rule(self) -> str:
        return self.meta.get("rule", self.expectation)


# --- public API --------------------------------------------------------------------------------


def validate_targets(targets: pl.DataFrame) -> ValidationOutcome:
    structural, gx_results = _run_suites(targets, TARGETS_ASSET, TARGETS_KEY, suites.TARGETS_STRUCTURAL)
    failures = _structural_failures(structural)
    # Row and coverage rules are meaningless on an empty frame (GX fails proportions of 0 rows).
    if failures or targets.is_empty():
        return _outcome_without_row_checks(targets, structural, failures, gx_results)

    prepared = _with_derived_columns(targets)
    later_checks, later_results = _run_suites(
        prepared, TARGETS_ASSET, TARGETS_KEY, suites.TARGETS_ROWS, suites.TARGETS_WARNINGS
    )
    row_checks = [check for check in later_checks if check.suite == suites.TARGETS_ROWS]
    checks, gx_results = structural + later_checks, gx_results + later_results
    failures = _structural_failures(checks)
    if failures:
        return _outcome_without_row_checks(targets, checks, failures, gx_results)

    quarantined = _quarantine(targets, row_checks)
    passed = targets.filter(~pl.col(TARGETS_KEY).is_in(quarantined.get_column(TARGETS_KEY).implode()))
    return ValidationOutcome(passed, quarantined, _results_frame(checks), [], gx_results)


def validate_documents(documents: pl.DataFrame) -> ValidationOutcome:
    checks, gx_results = _run_suites(documents, DOCUMENTS_ASSET, DOCUMENTS_KEY, suites.DOCUMENTS)
    return _outcome_without_row_checks(documents, checks, _structural_failures(checks), gx_results)


def document_coverage(documents: pl.DataFrame, targets: pl.DataFrame, passed: pl.DataFrame) -> pl.DataFrame:
    """One row per document: records extracted, loaded, quarantined and loaded headline targets."""
    extracted = targets.group_by("doc_id").agg(n_records=pl.len())
    loaded = passed.group_by("doc_id").agg(
        n_loaded=pl.len(),
        n_headline_targets=(pl.col("indicator_code").is_not_null() & (pl.col("kind") == "target")).sum(),
    )
    counts = ("n_records", "n_loaded", "n_headline_targets")
    return (
        documents.select("doc_id", "source_name", "region", "year", "doc_type")
        .join(extracted, on="doc_id", how="left")
        .join(loaded, on="doc_id", how="left")
        .with_columns(pl.col(name).fill_null(0).cast(pl.Int64) for name in counts)
        .with_columns(n_quarantined=pl.col("n_records") - pl.col("n_loaded"))
        .select(suites.COVERAGE_COLUMNS)
    )


def validate_coverage(
    documents: pl.DataFrame, targets: pl.DataFrame, passed: pl.DataFrame
) -> ValidationOutcome:
    """The corpus_coverage suite (warnings only) over document_coverage(); passed is the coverage frame."""
    coverage = document_coverage(documents, targets, passed)
    checks, gx_results = _run_suites(coverage, COVERAGE_ASSET, DOCUMENTS_KEY, suites.CORPUS_COVERAGE)
    return _outcome_without_row_checks(coverage, checks, _structural_failures(checks), gx_results)


# --- GX plumbing -------------------------------------------------------------------------------


@functools.cache
def _context():
    context = gx.get_context(mode="ephemeral")
    # A tqdm bar per validation run would flood pipeline logs.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@functools.cache
def _datasource():
    return _context().data_sources.add_pandas(DATASOURCE_NAME)


@functools.cache
def _batch_definition(asset_name: str):
    # One asset per kind of frame, created once per process:
    # GX refuses to add an asset or batch definition name twice.
    asset = _datasource().add_dataframe_asset(asset_name)
    return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)


@functools.cache
def _suite(name: str) -> gx.ExpectationSuite:
    # Suites are validated directly against batches and never registered with the context,
    # so rebuilding or reusing them cannot collide with anything.
    return suites.BUILDERS[name]()


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    # Polars' own conversion (through Arrow): NumPy numbers, strings in pandas' default string dtype
    # (Arrow-backed in pandas 3). Building the frame from Python lists instead cost a fifth more of
    # the suites' time; casting the strings to objects was no faster (1.59 vs 1.54 s a 4 MB batch).
    return frame.to_pandas()


def _result_format(key: str, columns: list[str]) -> dict:
    result_format: dict[str, Any] = {
        "result_format": "COMPLETE",
        "partial_unexpected_count": PARTIAL_UNEXPECTED_COUNT,
        # the failing rows' keys are in unexpected_index_list; the query GX would also build for
        # pandas is those rows' positions in the batch's frame, filtered out again for each map
        # expectation (its row condition too): nothing a reader of the results can use
        "return_unexpected_index_query": False,
    }
    # Asking for a missing index column would make every map expectation raise; the
    # missing column is already reported by the column-set expectation.
    if key in columns:
        # the file name too, where there is one, so that a failing row can be found by a reader
        labels = [name for name in ROW_LABELS if name in columns and name != key]
        result_format["unexpected_index_column_names"] = [key, *labels]
    return result_format


def _run_suites(
    frame: pl.DataFrame, asset_name: str, key: str, *suite_names: str
) -> tuple[list[_Check], list[ExpectationSuiteValidationResult]]:
    # One pandas conversion and one batch per frame, whatever the number of suites.
    frame = frame.select(_columns_to_validate(frame.columns, key, suite_names))
    batch = _batch_definition(asset_name).get_batch(batch_parameters={"dataframe": _to_pandas(frame)})
    result_format = _result_format(key, frame.columns)
    checks, gx_results = [], []
    for name in suite_names:
        suite = _suite(name)
        validation = batch.validate(suite, result_format=result_format)
        checks += _checks_of(suite, validation, key, frame.height)
        gx_results.append(validation)
    return checks, gx_results


def _columns_to_validate(columns: list[str], key: str, suite_names: tuple[str, ...]) -> list[str]:
    """The frame's columns the suites read, with the row key and file name their results name:
    each map expectation with a row condition makes pandas copy the rows it keeps, of every column
    (the evidence and section texts too), so a frame of only these validates the targets' row and
    warning suites faster with the same results (a 4 MB batch: 3.02 -> 2.73 s, medians of three,
    alternating). Every column where a suite may read one it does not name."""
    read = [_columns_read(name) for name in suite_names]
    if any(names is None for names in read):
        return columns
    wanted = {key, *ROW_LABELS}.union(*read)
    return [name for name in columns if name in wanted]


@functools.cache
def _columns_read(suite_name: str) -> frozenset[str] | None:
    """The columns a suite's expectations read: their own and their row conditions'. None when one
    may read others: a table-level expectation (the column set, say) or a condition written as a
    query string."""
    names: set[str] = set()
    for expectation in _suite(suite_name).expectations:
        own = [getattr(expectation, kwarg, None) for kwarg in ("column", "column_A", "column_B")]
        own += list(getattr(expectation, "column_list", None) or [])
        condition = getattr(expectation, "row_condition", None)
        in_condition = _condition_columns(condition) if condition is not None else set()
        if not any(own) or in_condition is None:
            return None
        names.update(name for name in own if name)
        names.update(in_condition)
    return frozenset(names)


def _condition_columns(condition) -> set[str] | None:
    """The columns a GX row condition compares; None for one GX parses from a string."""
    if isinstance(condition, (ComparisonCondition, NullityCondition)):
        return {condition.column.name}
    if isinstance(condition, (AndCondition, OrCondition)):
        parts = [_condition_columns(part) for part in condition.conditions]
        return None if any(part is None for part in parts) else set().union(*parts)
    return None


def _checks_of(
    suite: gx.ExpectationSuite, validation: ExpectationSuiteValidationResult, key: str, n_rows: int
) -> list[_Check]:
    checks = [_check_from_result(suite.name, result, key, n_rows) for result in validation.results]
    rule_order = {expectation.meta["rule"]: i for i, expectation in enumerate(suite.expectations)}
    # GX returns results grouped by domain, not in declaration order.
    return sorted(checks, key=lambda check: rule_order.get(check.rule, len(rule_order)))


def _check_from_result(suite_name: str, result, key: str, n_rows: int) -> _Check:
    config = result.expectation_config
    kwargs = {name: value for name, value in config.kwargs.items() if name != "batch_id"}
    meta = dict(config.meta or {})
    outcome = result.result or {}
    error = _exception_message(result)
    return _Check(
        suite=suite_name,
        expectation=config.type,
        column=meta.get("column") or kwargs.get("column") or kwargs.get("column_A"),
        meta=meta,
        success=bool(result.success) and error is None,
        unexpected_count=0 if error else _unexpected_count(outcome, bool(result.success)),
        element_count=int(outcome.get("element_count", n_rows)),
        failing_keys=_failing_keys(outcome, key),
        details=_details(meta, kwargs, outcome, error),
        error=error,
    )


def _exception_message(result) -> str | None:
    info = result.exception_info or {}
    # GX reports either one flat record or one record per failed metric, keyed by metric id.
    records = [info] if "raised_exception" in info else [r for r in info.values() if isinstance(r, dict)]
    messages = [str(r.get("exception_message") or "").strip() for r in records if r.get("raised_exception")]
    if not messages:
        return None
    first = messages[0].splitlines()[0] if messages[0] else ""
    return first or "unknown error"


def _unexpected_count(outcome: dict, success: bool) -> int:
    if outcome.get("unexpected_count") is not None:
        return int(outcome["unexpected_count"])
    mismatched = outcome.get("details", {}).get("mismatched")
    if mismatched:
        return sum(len(columns) for columns in mismatched.values())
    # Aggregate expectations (e.g. proportions) fail as a whole: count that as one violation.
    return 0 if success else 1


def _failing_keys(outcome: dict, key: str) -> tuple[str, ...]:
    rows = outcome.get("unexpected_index_list") or []
    keys = (row[key] for row in rows if isinstance(row, dict) and row.get(key) is not None)
    return tuple(dict.fromkeys(str(value) for value in keys))


def _details(meta: dict, kwargs: dict, outcome: dict, error: str | None) -> dict:
    details: dict[str, Any] = {"rule": meta.get("rule"), "kwargs": _readable_kwargs(kwargs)}
    if outcome.get("observed_value") is not None:
        details["observed_value"] = outcome["observed_value"]
    if outcome.get("partial_unexpected_list"):
        details["partial_unexpected_list"] = outcome["partial_unexpected_list"]
    if outcome.get("unexpected_index_list"):
        # which rows (key and file name): for warnings this is the only place that says so
        details["unexpected_rows"] = outcome["unexpected_index_list"][:PARTIAL_UNEXPECTED_COUNT]
    mismatched = outcome.get("details", {}).get("mismatched")
    if mismatched:
        details["mismatched"] = mismatched
    if error:
        details["error"] = error
    return details


def _readable_kwargs(kwargs: dict) -> dict:
    readable = dict(kwargs)
    if readable.get("row_condition") is not None:
        # GX hands conditions back as nested dicts; their repr reads like a WHERE clause.
        readable["row_condition"] = repr(deserialize_row_condition(readable["row_condition"]))
    return readable


# --- outcome assembly --------------------------------------------------------------------------


def _structural_failures(checks: list[_Check]) -> list[str]:
    # An expectation that cannot even be evaluated means the table is not what the suites assume.
    return [
        _structural_message(check)
        for check in checks
        if check.error is not None or (check.severity == suites.STRUCTURAL and not check.success)
    ]


def _structural_message(check: _Check) -> str:
    prefix = f"{check.suite}.{check.rule}"
    if check.error is not None:
        return f"{prefix}: {check.expectation} could not be evaluated: {check.error}"
    expected = check.meta.get("expect", check.expectation)
    mismatched = check.details.get("mismatched")
    if mismatched:
        found = "; ".join(f"{kind} columns {sorted(columns)}" for kind, columns in mismatched.items())
        return f"{prefix}: expected {expected}, found {found}"
    examples = check.details.get("partial_unexpected_list", [])[:EXAMPLES_IN_MESSAGES]
    return f"{prefix}: expected {expected}, but {check.unexpected_count} row(s) violate it, e.g. {examples}"


def _outcome_without_row_checks(
    frame: pl.DataFrame,
    checks: list[_Check],
    failures: list[str],
    gx_results: list[ExpectationSuiteValidationResult],
) -> ValidationOutcome:
    # A structural failure means nothing may be loaded, so nothing counts as passed either.
    passed = frame.clear() if failures else frame
    return ValidationOutcome(passed, _empty_quarantine(frame), _results_frame(checks), failures, gx_results)


def _empty_quarantine(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.clear().with_columns(pl.lit(None, dtype=pl.Utf8).alias(name) for name in QUARANTINE_COLUMNS)


def _with_derived_columns(targets: pl.DataFrame) -> pl.DataFrame:
    # Reports write negatives as words (下降2%), so only the magnitude's digits are looked for.
    digits = pl.col("value").abs().cast(pl.Utf8).str.replace(r"\.0$", "")
    evidence = pl.col("evidence").str.replace_all(",", "", literal=True)
    has_value = evidence.str.contains(digits, literal=True).fill_null(False)
    if "value_text" in targets.columns:
        # numbers written in words or as fractions ("五十六所", "1/3"): the text as written must be there
        written = pl.col("value_text").str.contains(r"^[\d.,]+$").not_()
        has_value = has_value | (
            written & evidence.str.contains(pl.col("value_text"), literal=True)
        ).fill_null(False)
    return targets.with_columns(
        pl.when(pl.col("value").is_null()).then(True).otherwise(has_value).alias(suites.EVIDENCE_HAS_VALUE),
        pl.col("evidence").str.contains(BASE_COMPARISON).fill_null(False).alias(suites.GROWTH_OVER_YEARS),
    )


def _quarantine(targets: pl.DataFrame, row_checks: list[_Check]) -> pl.DataFrame:
    failures = [(key, order, check) for order, check in enumerate(row_checks) for key in check.failing_keys]
    if not failures:
        return _empty_quarantine(targets)
    failing_ids = pl.Series([key for key, _, _ in failures], dtype=targets.schema[TARGETS_KEY])
    rows = targets.filter(pl.col(TARGETS_KEY).is_in(failing_ids.implode()))
    rows_by_key = {str(row[TARGETS_KEY]): row for row in rows.iter_rows(named=True)}
    failure_frame = pl.DataFrame(
        {
            TARGETS_KEY: failing_ids,
            "_check_order": [order for _, order, _ in failures],
            "expectation": [check.expectation for _, _, check in failures],
            "column": [check.column for _, _, check in failures],
            "reason": [_reason(check, rows_by_key[key]) for key, _, check in failures],
        },
        schema_overrides={"column": pl.Utf8},
    )
    return (
        targets.with_row_index("_row")
        .join(failure_frame, on=TARGETS_KEY, how="inner")
        .sort("_row", "_check_order")
        .drop("_row", "_check_order")
    )


def _reason(check: _Check, row: dict) -> str:
    template = check.meta.get("reason")
    if template is None:
        return f"{check.column} violates {check.expectation}"
    return template.format_map({name: _display(value) for name, value in row.items()})


def _display(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _results_frame(checks: list[_Check]) -> pl.DataFrame:
    rows = [
        {
            "suite": check.suite,
            "rule": check.rule,
            "expectation": check.expectation,
            "column": check.column,
            "severity": check.severity,
            "success": check.success,
            "unexpected_count": check.unexpected_count,
            "element_count": check.element_count,
            "details": json.dumps(_jsonable(check.details), ensure_ascii=False, separators=(",", ":")),
        }
        for check in checks
    ]
    return pl.DataFrame(rows, schema=RESULTS_SCHEMA)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(name): _jsonable(item) for name, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(item) for item in value]
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    return str(value)
