"""Great Expectations suites for extracted targets, ingested documents and corpus coverage, in code.

Every expectation carries ``meta``:
  - ``rule``: a name unique within its suite, used to match results back to expectations
    (GX leaves expectation ids unset for suites that are never saved to a store);
  - ``severity``: "structural" (stop the load), "row" (quarantine failing rows) or "warning";
  - ``expect``: an English statement of the rule, used in structural and warning messages;
  - ``reason`` (row severity only): a ``str.format`` template filled with the failing row's values;
  - ``column`` (optional): the input column to report when the expectation runs on a derived one.
"""

from __future__ import annotations

import re

import great_expectations as gx
import great_expectations.expectations as gxe
from govtargets.transforms.documents import WARNED_METADATA
from govtargets.transforms.numbers import BASE_UNITS as EXTRACTOR_UNITS
from govtargets.transforms.numbers import CLASSIFIERS, FRACTION_UNIT, MAGNITUDES, PERCENT_UNITS, TIME_UNITS
from govtargets.transforms.records import TARGET_SCHEMA
from govtargets.transforms.timing import (
    ACHIEVEMENT,
    DOCUMENT_YEAR_SOURCES,
    FULL_YEAR,
    TARGET,
    YEAR_SOURCES,
    YEAR_TO_DATE,
)
from govtargets.transforms.vocabulary import RANGE_QUALIFIER, indicator_codes, qualifiers, rows
from great_expectations.expectations.row_conditions import (
    Column,
    ComparisonCondition,
    Operator,
)

STRUCTURAL = "structural"
ROW = "row"
WARNING = "warning"
SEVERITIES = (STRUCTURAL, ROW, WARNING)

TARGETS_STRUCTURAL = "targets_structural"
TARGETS_ROWS = "targets_rows"
TARGETS_WARNINGS = "targets_warnings"
DOCUMENTS = "documents"
CORPUS_COVERAGE = "corpus_coverage"

# The contract is defined once, where the frames are built; the suite guards it.
TARGET_COLUMNS: tuple[str, ...] = tuple(TARGET_SCHEMA)

DOCUMENT_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "source_name",
    "region",
    "year",
    "year_source",
    "doc_type",
    "encoding",
    "script",
    "n_chars",
    "ingested_at",
)

KINDS = frozenset({TARGET, ACHIEVEMENT})
METRICS = frozenset({"growth", "level", "share", "change", "other"})
DIRECTIONS = frozenset({"up", "down"})
COMMITMENTS = frozenset({"hard", "soft"})
SCRIPTS = frozenset({"simplified", "traditional"})
PERIODS = frozenset({FULL_YEAR, YEAR_TO_DATE})
# The bound words of transforms/vocab/qualifiers.csv (the extractor reads the same file), or none.
QUALIFIERS = frozenset({"", *qualifiers()})
# Headline indicators that are rates (vocab/indicators.csv): a figure for them in tonnes or people
# is a misread unit.
RATE_INDICATOR_CODES = indicator_codes("is_rate")
RATE_UNITS = frozenset(PERCENT_UNITS)

# Every unit the extractor reads (transforms/vocab/units.csv), with an alternative in brackets
# ("万台(套)"); a bare magnitude counts people ("288万农村贫困人口"); a ratio has no unit ("1.7").
UNIT_MAGNITUDES: tuple[str, ...] = tuple(MAGNITUDES)
BASE_UNITS = frozenset(EXTRACTOR_UNITS) | set(PERCENT_UNITS) | set(TIME_UNITS) | {FRACTION_UNIT}


def _alternation(options) -> str:
    # Longest first so that e.g. 千瓦时 is preferred over 千瓦 when reading the pattern.
    return "|".join(re.escape(option) for option in sorted(options, key=lambda o: (-len(o), o)))


UNIT_PATTERN = (
    rf"^(?:{_alternation(UNIT_MAGNITUDES)})?"
    rf"(?:{_alternation(BASE_UNITS)})(?:\((?:{_alternation(CLASSIFIERS)})\))?$"
)
PEOPLE = "人"
UNITLESS = ("", *UNIT_MAGNITUDES)  # checked by their own rules below

YEAR_MIN, YEAR_MAX = 1949, 2100
# Growth of an arbitrary indicator from a small base can be large ("到位资金增长170%"); a
# headline indicator (GDP, revenue, investment, prices, income) moving more than this is an error.
GROWTH_PCT_MIN, GROWTH_PCT_MAX = -100, 1000
# Plausible growth of each headline indicator, from vocab/indicators.csv.
DEFAULT_GROWTH_RANGE = (-30, 50)
HEADLINE_GROWTH_RANGES: dict[tuple[int, int], list[str]] = {}
for _row in rows("indicators"):
    HEADLINE_GROWTH_RANGES.setdefault((int(_row["growth_min"]), int(_row["growth_max"])), []).append(
        _row["code"]
    )
# 'share' covers rates too, and completion rates pass 100% ("投资完成率121%"); 200% is not plausible
SHARE_PCT_MIN, SHARE_PCT_MAX = 0, 200
MIN_INDICATOR_LENGTH = 2
INDICATOR_CODE_COVERAGE_MIN = 0.05
REGION_COVERAGE_MIN = 0.5
MIN_DOCUMENT_CHARS = 200

# The per-document frame the coverage suite reads (built in validate.py from documents + targets).
COVERAGE_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "source_name",
    "region",
    "year",
    "doc_type",
    "n_records",
    "n_loaded",
    "n_quarantined",
    "n_headline_targets",
)
WORK_REPORT = "work_report"

# Derived in validate.py (with Polars) before the row suite runs; never part of any output.
EVIDENCE_HAS_VALUE = "_evidence_has_value"
# The evidence compares with a base year or a plan ("比2000年增长91.2%"): a growth over several
# years, which a headline indicator's yearly range does not bound.
GROWTH_OVER_YEARS = "_growth_over_years"
DERIVED_TARGET_COLUMNS: tuple[str, ...] = (EVIDENCE_HAS_VALUE, GROWTH_OVER_YEARS)


def _meta(rule: str, severity: str, expect: str, reason: str | None = None, column: str | None = None):
    meta = {"rule": rule, "severity": severity, "expect": expect}
    if reason is not None:
        meta["reason"] = reason
    if column is not None:
        meta["column"] = column
    return meta


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


def _suite(name: str, expectations: list) -> gx.ExpectationSuite:
    # Passed to the constructor: add_expectation() looks up a store and so needs a live context.
    return gx.ExpectationSuite(name=name, expectations=expectations)


def _is_false(column: str) -> ComparisonCondition:
    # Spelled out because `Column(...) == False` reads as a lint error (E712) and
    # Column.is_in() rejects booleans.
    return ComparisonCondition(column=Column(column), operator=Operator.EQUAL, parameter=False)


def _percent_metric(metric: str):
    return (Column("metric") == metric) & (Column("unit") == "%")


def _headline_growth_expectations() -> list:
    """A headline indicator's growth in % within its plausible range (vocab/indicators.csv:
    growth_min, growth_max): GDP does not grow 900%, a county's revenue may grow 79%. One
    expectation per range, for the codes that share it; the default range holds for every code
    without a range of its own."""
    expectations = []
    special = [
        code
        for span, codes in HEADLINE_GROWTH_RANGES.items()
        if span != DEFAULT_GROWTH_RANGE
        for code in codes
    ]
    for index, ((low, high), codes) in enumerate(sorted(HEADLINE_GROWTH_RANGES.items())):
        default = (low, high) == DEFAULT_GROWTH_RANGE
        if default:
            rule, which = "headline_growth_plausible", "any other headline indicator"
            coded = Column("indicator_code").is_not_null() & Column("indicator_code").is_not_in(special)
        else:
            rule, which = f"headline_growth_plausible_{index}", ", ".join(codes)
            coded = Column("indicator_code").is_in(codes)
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="value",
                min_value=low,
                max_value=high,
                row_condition=(Column("metric") == "growth")
                & (Column("unit") == "%")
                & coded
                & _is_false(GROWTH_OVER_YEARS),
                meta=_meta(
                    rule,
                    ROW,
                    f"the growth in % of {which} is between {low} and {high}",
                    reason=f"growth of {{value}}% for a headline indicator ({{indicator_code}}) is outside {low}..{high}%",
                ),
            )
        )
    return expectations


def targets_structural() -> gx.ExpectationSuite:
    return _suite(
        TARGETS_STRUCTURAL,
        [
            gxe.ExpectTableColumnsToMatchSet(
                column_set=list(TARGET_COLUMNS),
                exact_match=True,
                meta=_meta("columns", STRUCTURAL, "the targets table has exactly the canonical columns"),
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column="record_id",
                meta=_meta("record_id_present", STRUCTURAL, "every record has a record_id"),
            ),
            gxe.ExpectColumnValuesToBeUnique(
                column="record_id",
                meta=_meta("record_id_unique", STRUCTURAL, "record_id is unique"),
            ),
        ],
    )


def _categorical_expectations() -> list:
    expectations = []
    # direction and commitment are nullable: GX skips nulls in set expectations.
    sets = (
        ("kind", KINDS),
        ("metric", METRICS),
        ("qualifier", QUALIFIERS),
        ("direction", DIRECTIONS),
        ("commitment", COMMITMENTS),
        ("period", PERIODS),
        ("year_source", frozenset(YEAR_SOURCES)),
    )
    for column, allowed in sets:
        expectations.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=column,
                value_set=sorted(allowed),
                meta=_meta(
                    f"{column}_known",
                    ROW,
                    f"{column} is one of {_quoted(allowed)}",
                    reason=f"{column} '{{{column}}}' is not one of {_quoted(allowed)}",
                ),
            )
        )
    for column in ("kind", "metric", "unit", "qualifier", "period"):
        # In-set and regex expectations skip nulls, so absence needs its own rule.
        expectations.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column=column,
                meta=_meta(f"{column}_present", ROW, f"{column} is set", reason=f"{column} is missing"),
            )
        )
    expectations.append(
        gxe.ExpectColumnValuesToBeInSet(
            column="unit",
            value_set=sorted(RATE_UNITS),
            row_condition=Column("indicator_code").is_in(RATE_INDICATOR_CODES),
            meta=_meta(
                "rate_unit",
                ROW,
                f"a rate indicator ({', '.join(RATE_INDICATOR_CODES)}) is in one of {_quoted(RATE_UNITS)}",
                reason="unit '{unit}' is not a rate unit, but {indicator_code} ({indicator}) is a rate",
            ),
        )
    )
    expectations.append(
        gxe.ExpectColumnValuesToMatchRegex(
            column="unit",
            regex=UNIT_PATTERN,
            row_condition=Column("unit").is_not_in(UNITLESS),
            meta=_meta(
                "unit_known",
                ROW,
                "unit matches the known unit pattern",
                reason="unit '{unit}' does not match the known unit pattern",
            ),
        )
    )
    # the figures without a base unit: a bare magnitude counts people (base 人) or names no base
    # (null: "突破百亿大关", "地区生产总值947亿"; in-set expectations skip nulls), a ratio has no unit
    expectations.append(
        gxe.ExpectColumnValuesToBeInSet(
            column="base_unit",
            value_set=[PEOPLE],
            row_condition=Column("unit").is_in(UNIT_MAGNITUDES),
            meta=_meta(
                "bare_magnitude_counts_people",
                ROW,
                f"a unit that is only a magnitude ({', '.join(UNIT_MAGNITUDES)}) counts people or names no base unit",
                reason="unit '{unit}' is only a magnitude, but base unit '{base_unit}' is not people",
            ),
        )
    )
    expectations.append(
        gxe.ExpectColumnValuesToBeInSet(
            column="metric",
            value_set=["other"],
            row_condition=Column("unit") == "",
            meta=_meta(
                "unitless_is_a_ratio",
                ROW,
                "a figure without a unit is a ratio (metric other)",
                reason="a figure without a unit has metric '{metric}', not other",
            ),
        )
    )
    return expectations


def _indicator_expectations() -> list:
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column="indicator",
            meta=_meta("indicator_present", ROW, "indicator is set", reason="indicator is missing"),
        ),
        gxe.ExpectColumnValueLengthsToBeBetween(
            column="indicator",
            min_value=MIN_INDICATOR_LENGTH,
            meta=_meta(
                "indicator_length",
                ROW,
                f"indicator has at least {MIN_INDICATOR_LENGTH} characters",
                reason=f"indicator '{{indicator}}' is shorter than {MIN_INDICATOR_LENGTH} characters",
            ),
        ),
    ]


def _value_expectations() -> list:
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column="value",
            row_condition=_is_false("missing_value"),
            meta=_meta(
                "value_present",
                ROW,
                "value is set unless missing_value is true",
                reason="value is missing although missing_value is false",
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="year",
            min_value=YEAR_MIN,
            max_value=YEAR_MAX,
            meta=_meta(
                "year_range",
                ROW,
                f"year is between {YEAR_MIN} and {YEAR_MAX} when known",
                reason=f"year {{year}} is outside {YEAR_MIN}..{YEAR_MAX}",
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="value",
            min_value=GROWTH_PCT_MIN,
            max_value=GROWTH_PCT_MAX,
            row_condition=_percent_metric("growth"),
            meta=_meta(
                "growth_plausible",
                ROW,
                f"a growth rate in % is between {GROWTH_PCT_MIN} and {GROWTH_PCT_MAX}",
                reason=(
                    f"growth of {{value}}% is outside the plausible range {GROWTH_PCT_MIN}..{GROWTH_PCT_MAX}%"
                ),
            ),
        ),
        *_headline_growth_expectations(),
        gxe.ExpectColumnValuesToBeBetween(
            column="value",
            min_value=SHARE_PCT_MIN,
            max_value=SHARE_PCT_MAX,
            row_condition=_percent_metric("share"),
            meta=_meta(
                "share_plausible",
                ROW,
                f"a share in % is between {SHARE_PCT_MIN} and {SHARE_PCT_MAX}",
                reason=f"share of {{value}}% is outside {SHARE_PCT_MIN}..{SHARE_PCT_MAX}%",
            ),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column=EVIDENCE_HAS_VALUE,
            value_set=[True],
            meta=_meta(
                "evidence_has_value",
                ROW,
                "the evidence quotes the value's digits",
                reason="evidence '{evidence}' does not contain the value {value}",
                column="evidence",
            ),
        ),
    ]


def _stretch_expectations() -> list:
    # A stretch goal lies beyond the target in the target's direction. For a range (区间)
    # the "stretch" is the upper bound, which must exceed the lower bound whatever the direction.
    # A null direction counts as upward (pandas' `!=` is true for nulls).
    upward_or_range = (Column("direction") != "down") | (Column("qualifier") == RANGE_QUALIFIER)
    downward_not_range = (Column("direction") == "down") & (Column("qualifier") != RANGE_QUALIFIER)
    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="stretch_value",
            column_B="value",
            or_equal=False,
            ignore_row_if="either_value_is_missing",
            row_condition=upward_or_range,
            meta=_meta(
                "stretch_above_value",
                ROW,
                "stretch_value exceeds value for upward targets and ranges",
                reason=(
                    "stretch_value {stretch_value} is not above value {value} "
                    "(direction {direction}, qualifier '{qualifier}')"
                ),
            ),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="value",
            column_B="stretch_value",
            or_equal=False,
            ignore_row_if="either_value_is_missing",
            row_condition=downward_not_range,
            meta=_meta(
                "stretch_below_value",
                ROW,
                "stretch_value is below value for downward targets",
                reason="stretch_value {stretch_value} is not below value {value} for a downward target",
                column="stretch_value",
            ),
        ),
    ]


def targets_rows() -> gx.ExpectationSuite:
    return _suite(
        TARGETS_ROWS,
        _categorical_expectations()
        + _indicator_expectations()
        + _value_expectations()
        + _stretch_expectations(),
    )


def targets_warnings() -> gx.ExpectationSuite:
    return _suite(
        TARGETS_WARNINGS,
        [
            gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(
                column="indicator_code",
                min_value=INDICATOR_CODE_COVERAGE_MIN,
                max_value=1,
                meta=_meta(
                    "indicator_code_coverage",
                    WARNING,
                    f"at least {INDICATOR_CODE_COVERAGE_MIN:.0%} of records map to an indicator_code",
                ),
            ),
            gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(
                column="region",
                min_value=REGION_COVERAGE_MIN,
                max_value=1,
                meta=_meta(
                    "region_coverage",
                    WARNING,
                    f"at least {REGION_COVERAGE_MIN:.0%} of records have a region",
                ),
            ),
        ],
    )


def documents() -> gx.ExpectationSuite:
    # Extra document columns are tolerated: only the ones downstream code relies on must exist.
    structural = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=list(DOCUMENT_COLUMNS),
            exact_match=False,
            meta=_meta("columns", STRUCTURAL, "the documents table has the required columns"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="doc_id",
            meta=_meta("doc_id_present", STRUCTURAL, "every document has a doc_id"),
        ),
        gxe.ExpectColumnValuesToBeUnique(
            column="doc_id",
            meta=_meta("doc_id_unique", STRUCTURAL, "doc_id is unique"),
        ),
    ]
    coverage = [
        gxe.ExpectColumnValuesToNotBeNull(
            column=column,
            meta=_meta(
                f"{column}_known",
                WARNING,
                f"every document has a {column} (from its text, its congress session or a manifest)",
            ),
        )
        for column in WARNED_METADATA
    ]
    warnings = [
        gxe.ExpectColumnValuesToBeInSet(
            column="year_source",
            value_set=list(DOCUMENT_YEAR_SOURCES),
            meta=_meta(
                "year_source_known",
                WARNING,
                f"a document's year_source is one of {_quoted(DOCUMENT_YEAR_SOURCES)}",
            ),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="script",
            value_set=sorted(SCRIPTS),
            meta=_meta("script_known", WARNING, f"script is one of {_quoted(SCRIPTS)}"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="encoding",
            meta=_meta("encoding_present", WARNING, "every document records its encoding"),
        ),
        *coverage,
        gxe.ExpectColumnValuesToBeBetween(
            column="n_chars",
            min_value=MIN_DOCUMENT_CHARS,
            meta=_meta(
                "long_enough",
                WARNING,
                f"a document has at least {MIN_DOCUMENT_CHARS} characters",
            ),
        ),
    ]
    return _suite(DOCUMENTS, structural + warnings)


def corpus_coverage() -> gx.ExpectationSuite:
    # Warnings only: a document that yields nothing is worth a look, but its neighbours still load.
    return _suite(
        CORPUS_COVERAGE,
        [
            gxe.ExpectTableColumnsToMatchSet(
                column_set=list(COVERAGE_COLUMNS),
                exact_match=True,
                meta=_meta("columns", STRUCTURAL, "the coverage frame has exactly its columns"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="n_records",
                min_value=1,
                meta=_meta("yields_records", WARNING, "every document yields at least one record"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="n_headline_targets",
                min_value=1,
                row_condition=Column("doc_type") == WORK_REPORT,
                meta=_meta(
                    "work_report_yields_headline_target",
                    WARNING,
                    "every work report yields at least one loaded headline target "
                    "(indicator_code set, kind 'target')",
                ),
            ),
        ],
    )


BUILDERS = {
    TARGETS_STRUCTURAL: targets_structural,
    TARGETS_ROWS: targets_rows,
    TARGETS_WARNINGS: targets_warnings,
    DOCUMENTS: documents,
    CORPUS_COVERAGE: corpus_coverage,
}
