"""A static HTML report of the warehouse: headline targets, target vs achievement, data quality and
each document's keywords, with Plotly charts.

The page works offline: plotly.js is written once next to index.html and the page loads nothing else.
Reading the warehouse (`read_report_data`) and writing the files (`write_report`) are the only I/O;
the functions between them turn frames into figures and sections, and `render_html` fills the
template, which escapes every value that comes from the warehouse.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2
import plotly.express as px
import plotly.graph_objects as go
import polars as pl
from govtargets.transforms.records import indicator_vocabulary
from markupsafe import Markup
from plotly.offline import get_plotlyjs

PLOTLY_JS = "plotly.min.js"
# Fonts that carry Chinese glyphs on Linux (fonts-noto-cjk), Windows and macOS, then the browser's default.
FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
MAX_TABLE_ROWS = 500
LONG_COLUMNS = ("evidence", "details", "reason", "input_path")  # wrapped in wide cells
TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("govtargets.flows", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass
class Chart:
    title: str
    figure: go.Figure


@dataclass
class TableView:
    caption: str
    frame: pl.DataFrame
    total_rows: int = 0

    def __post_init__(self) -> None:
        self.total_rows = self.total_rows or self.frame.height


@dataclass
class Note:
    text: str
    no_data: bool = False


@dataclass
class Section:
    """A titled part of the page: its charts, tables and notes in the order they are shown."""

    key: str
    title: str
    intro: str
    blocks: list[Chart | TableView | Note] = field(default_factory=list)
    rows: int = 0  # rows the section is built from
    grid: bool = False  # charts two to a row

    @property
    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]

    def add(self, block: Chart | TableView | Note) -> None:
        self.blocks.append(block)

    def no_data(self, text: str) -> None:
        self.blocks.append(Note(text, no_data=True))


@dataclass
class ReportData:
    """What the report reads; a frame is None when its table or view is not in the warehouse."""

    headline: pl.DataFrame | None
    achievement: pl.DataFrame | None
    latest_run: pl.DataFrame | None
    validation: pl.DataFrame | None
    quarantine: pl.DataFrame | None
    keywords: pl.DataFrame | None


# ------------------------------------------------------------------------------------------- reading

QUERIES = {
    "headline": ("headline_targets", "select * from headline_targets order by region, year, indicator_code"),
    "achievement": (
        "target_vs_achievement",
        "select * from target_vs_achievement order by region, year, indicator_code, unit",
    ),
    "latest_run": ("runs", "select * from runs order by started_at desc limit 1"),
    "validation": (
        "validation_results",
        """select v.* from validation_results v
           where v.run_id = (select run_id from runs order by started_at desc limit 1)
           order by v.suite, v.success, v.rule, v.expectation, v.column_name""",
    ),
    "quarantine": (
        "quarantine",
        "select * from quarantine order by source_name, char_start, expectation, column_name",
    ),
    "keywords": ("doc_keywords", "select * from doc_keywords order by region, year, source_name, rank"),
}


def relation_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        """select table_name from duckdb_tables() where database_name = current_database()
           union all select view_name from duckdb_views() where database_name = current_database()"""
    ).fetchall()
    return {name for (name,) in rows}


def read_report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Every frame the report shows, from an open (read-only) warehouse connection."""
    present = relation_names(con)
    frames = {
        key: con.sql(sql).pl() if relation in present else None for key, (relation, sql) in QUERIES.items()
    }
    if "runs" not in present:
        frames["validation"] = None
    return ReportData(**frames)


# ------------------------------------------------------------------------------------- formatting


def cell_text(value: object) -> str:
    """A table cell: no 'None', no trailing '.0' on whole numbers, floats without float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(value, ".4f").rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def number_label(value: float | None) -> str:
    return "" if value is None else cell_text(float(value))


def hover_text(value: str | None, limit: int = 120) -> str:
    """Text for a Plotly hover label: Plotly reads a few HTML tags in labels, so escape them."""
    text = value or ""
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


def indicator_names() -> dict[str, str]:
    """indicator_code -> its Chinese name in the maintained vocabulary, so labels agree across documents."""
    return dict(indicator_vocabulary().select("code", "name_zh").rows())


def indicator_label_expr(names: dict[str, str]) -> pl.Expr:
    return pl.col("indicator_code").replace_strict(names, default=pl.col("indicator"), return_dtype=pl.Utf8)


def styled(figure: go.Figure, height: int) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=height,
        font={"family": FONT_FAMILY, "size": 13},
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
    )
    return figure


def with_bar_labels(figure: go.Figure, values: pl.Series) -> go.Figure:
    """Labels written upright above narrow grouped bars, readable at one size, with headroom for them."""
    figure.update_traces(
        textposition="outside",
        textangle=-90,
        textfont={"size": 12},
        cliponaxis=False,
        insidetextanchor="start",
    )
    top, bottom = max(values.max() or 0, 0), min(values.min() or 0, 0)
    span = (top - bottom) or 1
    figure.update_yaxes(range=[bottom - (0.3 * span if bottom < 0 else 0), top + 0.3 * span])
    figure.update_layout(uniformtext={"minsize": 11, "mode": "show"})
    return figure


# ------------------------------------------------------------------------------ (a) headline targets

HEADLINE_TABLE = (
    "region", "year", "indicator", "value", "unit", "qualifier", "stretch_value", "metric", "direction",
    "commitment", "source_name", "evidence",
)  # fmt: skip


def headline_chart_frame(headline: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Headline targets stated in percent (growth rates and rates share one axis), labelled for the chart."""
    stretch = pl.col("stretch_value")
    return (
        headline.filter(pl.col("unit") == "%", pl.col("value").is_not_null())
        .with_columns(
            indicator_label=indicator_label_expr(names),
            region_year=pl.col("region").fill_null("?") + " " + pl.col("year").cast(pl.Utf8).fill_null("?"),
            bar_text=pl.col("value").map_elements(number_label, return_dtype=pl.Utf8)
            + pl.col("qualifier").fill_null("")
            + pl.when(stretch.is_not_null())
            .then(" 力争" + stretch.map_elements(number_label, return_dtype=pl.Utf8))
            .otherwise(pl.lit("")),
            evidence_hover=pl.col("evidence").map_elements(hover_text, return_dtype=pl.Utf8),
        )
        .sort("region", "year")
    )


def headline_figure(frame: pl.DataFrame, indicator_order: list[str]) -> go.Figure:
    """Grouped bars: one group per indicator, one bar per region × year."""
    figure = px.bar(
        frame,
        x="indicator_label",
        y="value",
        color="region_year",
        barmode="group",
        text="bar_text",
        category_orders={"indicator_label": indicator_order},
        custom_data=["evidence_hover", "source_name"],
        labels={"indicator_label": "指标 indicator", "value": "目标值 target (%)", "region_year": ""},
    )
    figure.update_traces(
        hovertemplate="%{x}<br>%{text}<br>%{customdata[1]}<br>%{customdata[0]}<extra>%{fullData.name}</extra>"
    )
    return with_bar_labels(styled(figure, 500), frame["value"])


def headline_section(headline: pl.DataFrame | None, names: dict[str, str]) -> Section:
    section = Section(
        "headline",
        "Headline targets by region and year",
        "One row per region × year × headline indicator (view headline_targets): the first statement "
        "of a target in a document. The chart shows the targets stated in percent; the table has all.",
    )
    if headline is None:
        section.no_data(missing_relation("headline_targets"))
        return section
    section.rows = headline.height
    if headline.is_empty():
        section.no_data("No data: the warehouse has no headline targets.")
        return section
    chart_rows = headline_chart_frame(headline, names)
    if chart_rows.is_empty():
        section.no_data("No data for the chart: no headline target is stated in percent.")
    else:
        order = [name for name in names.values() if name in set(chart_rows["indicator_label"].to_list())]
        order += sorted(set(chart_rows["indicator_label"].to_list()) - set(order))
        section.add(
            Chart("Targets in percent by indicator, region and year", headline_figure(chart_rows, order))
        )
    section.add(TableView("Headline targets", headline.select(HEADLINE_TABLE)))
    return section


# ------------------------------------------------------------------------ (b) target vs achievement

ACHIEVEMENT_TABLE = (
    "region", "year", "indicator", "unit", "metric", "target_value", "target_qualifier", "target_stretch",
    "achieved_value", "gap", "met", "target_source", "achievement_source",
)  # fmt: skip
BAR_TARGET = "目标 target"
BAR_ACHIEVED = "实际 achieved"
MAX_PANELS = 24
PANEL_COLUMNS = 3
SERIES_TARGET = "目标 target"
SERIES_MET = "实际 achieved (met)"
SERIES_MISSED = "实际 achieved (not met)"
SERIES_UNKNOWN = "实际 achieved"
SERIES_COLORS = {
    SERIES_TARGET: "#8c9bb0",
    SERIES_MET: "#2e8b57",
    SERIES_MISSED: "#d1495b",
    SERIES_UNKNOWN: "#4a6fa5",
}


def achievement_long_frame(achievement: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Pairs with both a target and an achievement, one row per bar (target, achieved), one panel per
    pair: headline indicators first, at most MAX_PANELS panels."""
    paired = (
        achievement.filter(pl.col("target_value").is_not_null(), pl.col("achieved_value").is_not_null())
        .with_row_index("position")
        .sort(pl.col("indicator_code").is_null(), "position")
        .head(MAX_PANELS)
        .with_columns(
            panel=pl.col("region").fill_null("?")
            + " "
            + pl.col("year").cast(pl.Utf8).fill_null("?")
            + " "
            + indicator_label_expr(names)
            + " ("
            + pl.col("unit")
            + ")",
            gap_text=pl.col("gap").map_elements(signed_label, return_dtype=pl.Utf8),
        )
    )
    achieved_series = (
        pl.when(pl.col("met"))  # a null (unknown) condition falls through to otherwise
        .then(pl.lit(SERIES_MET))
        .when(~pl.col("met"))
        .then(pl.lit(SERIES_MISSED))
        .otherwise(pl.lit(SERIES_UNKNOWN))
    )
    targets = paired.select(
        "panel",
        bar=pl.lit(BAR_TARGET),
        series=pl.lit(SERIES_TARGET),
        value=pl.col("target_value"),
        text=pl.col("target_value").map_elements(number_label, return_dtype=pl.Utf8)
        + pl.col("target_qualifier").fill_null(""),
    )
    achieved = paired.select(
        "panel",
        bar=pl.lit(BAR_ACHIEVED),
        series=achieved_series,
        value=pl.col("achieved_value"),
        text=pl.col("achieved_value").map_elements(number_label, return_dtype=pl.Utf8)
        + pl.when(pl.col("gap_text") != "").then(" (" + pl.col("gap_text") + ")").otherwise(pl.lit("")),
    )
    return pl.concat([targets, achieved])


def signed_label(gap: float | None) -> str:
    return "" if gap is None else ("+" if gap >= 0 else "-") + number_label(abs(gap))


def achievement_figure(frame: pl.DataFrame) -> go.Figure:
    """Small multiples, one panel per target: its target and achieved bars on the panel's own scale
    (units differ from panel to panel), the gap beside the achieved value."""
    panels = frame["panel"].unique(maintain_order=True).to_list()
    rows = math.ceil(len(panels) / PANEL_COLUMNS)
    height = 80 + 230 * rows
    figure = px.bar(
        frame,
        x="bar",
        y="value",
        color="series",
        text="text",
        facet_col="panel",
        facet_col_wrap=PANEL_COLUMNS,
        facet_row_spacing=min(0.3, 70 / height),
        facet_col_spacing=0.06,
        color_discrete_map=SERIES_COLORS,
        category_orders={"panel": panels, "series": list(SERIES_COLORS), "bar": [BAR_TARGET, BAR_ACHIEVED]},
        labels={"bar": "", "value": "", "series": "", "panel": ""},
    )
    figure.for_each_annotation(lambda note: note.update(text=note.text.split("=", 1)[-1]))  # "panel=…"
    figure.update_yaxes(matches=None, showticklabels=True, rangemode="tozero")
    figure.update_xaxes(showticklabels=True)
    figure.update_traces(textposition="outside", cliponaxis=False)
    styled(figure, height)
    # the legend above the first row's panel titles, not on them
    figure.update_layout(barmode="relative", margin={"t": 90}, legend={"y": 1 + 45 / (height - 150)})
    return figure


def achievement_section(achievement: pl.DataFrame | None, names: dict[str, str]) -> Section:
    section = Section(
        "achievement",
        "Target vs achievement",
        "A target for year Y next to the achievement reported for Y (view target_vs_achievement): one "
        "panel per target, on its own scale; the number in brackets is the gap, achieved minus target.",
    )
    if achievement is None:
        section.no_data(missing_relation("target_vs_achievement"))
        return section
    section.rows = achievement.height
    if achievement.is_empty():
        section.no_data("No data: no target has a reported achievement yet.")
        return section
    bars = achievement_long_frame(achievement, names)
    paired = achievement.filter(pl.col("target_value").is_not_null(), pl.col("achieved_value").is_not_null())
    if bars.is_empty():
        section.no_data("No data for the chart: no row has both a target and an achieved value.")
    else:
        section.add(Chart("Target and achieved value per target", achievement_figure(bars)))
        if paired.height > MAX_PANELS:
            section.add(Note(f"The chart shows {MAX_PANELS} of {paired.height} targets; the table has all."))
    section.add(TableView("Target vs achievement", achievement.select(ACHIEVEMENT_TABLE)))
    return section


# ------------------------------------------------------------------------------------- (c) quality

RUN_FIELDS = (
    "run_id", "status", "started_at", "finished_at", "input_path", "n_files", "n_documents", "n_records",
    "n_loaded", "n_quarantined", "n_rejected",
)  # fmt: skip
VALIDATION_TABLE = (
    "suite", "rule", "expectation", "column_name", "severity", "unexpected_count", "element_count", "details",
)  # fmt: skip
QUARANTINE_TABLE = (
    "source_name", "region", "year", "kind", "indicator", "value", "unit", "expectation", "column_name",
    "reason", "evidence", "run_id",
)  # fmt: skip


def run_summary_frame(latest_run: pl.DataFrame) -> pl.DataFrame:
    """The latest run as field/value rows."""
    row = latest_run.select([c for c in RUN_FIELDS if c in latest_run.columns]).row(0, named=True)
    return pl.DataFrame({"field": list(row), "value": [cell_text(v) for v in row.values()]})


def suite_outcomes(validation: pl.DataFrame) -> pl.DataFrame:
    """Passed and failed expectations per suite."""
    return (
        validation.group_by("suite")
        .agg(passed=pl.col("success").sum(), failed=(~pl.col("success")).sum())
        .sort("suite")
    )


def quality_figure(outcomes: pl.DataFrame) -> go.Figure:
    long = outcomes.unpivot(index="suite", on=["passed", "failed"], variable_name="outcome", value_name="n")
    figure = px.bar(
        long,
        y="suite",
        x="n",
        color="outcome",
        orientation="h",
        text="n",
        color_discrete_map={"passed": "#2e8b57", "failed": "#d1495b"},
        category_orders={"outcome": ["passed", "failed"], "suite": outcomes["suite"].to_list()},
        labels={"n": "expectations", "suite": "", "outcome": ""},
    )
    figure.update_layout(barmode="stack")
    most = int((outcomes["passed"] + outcomes["failed"]).max())
    figure.update_xaxes(tick0=0, dtick=max(1, math.ceil(most / 10)))  # whole expectations only
    return styled(figure, 120 + 45 * outcomes.height)


def quarantine_reasons(quarantine: pl.DataFrame) -> pl.DataFrame:
    return (
        quarantine.group_by("expectation", "column_name", "reason")
        .agg(rows=pl.len(), records=pl.col("record_id").n_unique())
        .sort("rows", "expectation", descending=[True, False])
    )


def quality_section(
    latest_run: pl.DataFrame | None, validation: pl.DataFrame | None, quarantine: pl.DataFrame | None
) -> Section:
    section = Section(
        "quality",
        "Data quality",
        "Great Expectations results of the latest run (tables runs and validation_results), and the "
        "records held back in quarantine with the expectation they failed.",
    )
    if latest_run is None or latest_run.is_empty():
        section.no_data(
            missing_relation("runs") if latest_run is None else "No data: the warehouse has no runs."
        )
    elif validation is None or validation.is_empty():
        section.no_data("No data: the latest run recorded no expectation results.")
    else:
        outcomes = suite_outcomes(validation)
        section.add(Chart("Expectations passed and failed per suite", quality_figure(outcomes)))
        failed = validation.filter(~pl.col("success")).select(VALIDATION_TABLE)
        if failed.is_empty():
            section.add(Note(f"All {validation.height} expectations of the latest run passed."))
        else:
            section.add(TableView("Failed expectations", failed))
    if latest_run is not None and not latest_run.is_empty():
        section.add(TableView("Latest run", run_summary_frame(latest_run)))
    if quarantine is None:
        section.no_data(missing_relation("quarantine"))
    elif quarantine.is_empty():
        section.no_data("No data: no record is in quarantine.")
    else:
        section.add(TableView("Quarantine: rows per failed expectation", quarantine_reasons(quarantine)))
        section.add(
            TableView(
                "Quarantined rows",
                quarantine.select(QUARANTINE_TABLE).head(MAX_TABLE_ROWS),
                total_rows=quarantine.height,
            )
        )
    section.rows = sum(frame.height for frame in (validation, quarantine) if frame is not None)
    return section


# ------------------------------------------------------------------------------------ (d) keywords


def keyword_figure(keywords: pl.DataFrame) -> go.Figure:
    """Horizontal bars of one document's keywords, the highest rank on top."""
    ordered = keywords.sort("rank")
    figure = px.bar(
        ordered,
        x="weight",
        y="keyword",
        orientation="h",
        category_orders={"keyword": ordered["keyword"].to_list()},
        labels={"weight": "weight", "keyword": ""},
    )
    figure.update_traces(marker_color="#4a6fa5")
    return styled(figure, 140 + 22 * ordered.height)


def document_title(row: dict) -> str:
    place = " ".join(cell_text(row[c]) for c in ("region", "year") if row.get(c) is not None)
    return f"{row['source_name']} ({place})" if place else str(row["source_name"])


def keyword_section(keywords: pl.DataFrame | None) -> Section:
    section = Section(
        "keywords",
        "Top keywords per document",
        "The highest-weighted keywords of each document (view doc_keywords), rank 1 on top.",
    )
    if keywords is None:
        section.no_data(missing_relation("doc_keywords"))
        return section
    section.rows = keywords.height
    if keywords.is_empty():
        section.no_data("No data: no document has keywords.")
        return section
    section.grid = True
    documents = keywords.select("doc_id", "source_name", "region", "year").unique(
        "doc_id", maintain_order=True
    )
    for doc in documents.rows(named=True):
        section.add(
            Chart(document_title(doc), keyword_figure(keywords.filter(pl.col("doc_id") == doc["doc_id"])))
        )
    return section


def missing_relation(name: str) -> str:
    return (
        f"No data: this warehouse has no {name} (run `govtargets run` once to bring its schema up to date)."
    )


# -------------------------------------------------------------------------------------- rendering


def build_sections(data: ReportData) -> list[Section]:
    names = indicator_names()
    return [
        headline_section(data.headline, names),
        achievement_section(data.achievement, names),
        quality_section(data.latest_run, data.validation, data.quarantine),
        keyword_section(data.keywords),
    ]


def chart_html(chart: Chart, chart_id: str) -> Markup:
    """Plotly's own div and script for a figure; plotly.js itself is loaded once by the page."""
    div = chart.figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=chart_id,
        default_width="100%",
        default_height=f"{chart.figure.layout.height}px",
        config={"displaylogo": False, "responsive": True},
    )
    return Markup(div)  # Plotly escapes <, > and / in the figure JSON it embeds


def table_cells(frame: pl.DataFrame) -> list[list[str]]:
    return [[cell_text(v) for v in row] for row in frame.iter_rows()]


def rendered_block(block: Chart | TableView | Note, chart_ids: Iterator[str]) -> dict:
    """What the template needs of a block: its kind and, for charts and tables, their HTML pieces."""
    if isinstance(block, Chart):
        return {"kind": "chart", "title": block.title, "html": chart_html(block, next(chart_ids))}
    if isinstance(block, TableView):
        return {
            "kind": "table",
            "table": block,
            "columns": block.frame.columns,
            "cells": table_cells(block.frame),
        }
    return {"kind": "note", "note": block}


def render_html(sections: list[Section], warehouse: str, generated_at: datetime) -> str:
    """The page: every warehouse value goes through the template's autoescaping."""
    chart_ids = (f"chart-{n}" for n in range(1, 1 + sum(len(s.charts) for s in sections)))
    rendered = [
        {"section": section, "blocks": [rendered_block(b, chart_ids) for b in section.blocks]}
        for section in sections
    ]
    return TEMPLATES.get_template("report.html").render(
        sections=rendered,
        warehouse=warehouse,
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        plotly_js=PLOTLY_JS,
        long_columns=LONG_COLUMNS,
        font_family=FONT_FAMILY,
    )


@dataclass(frozen=True)
class ReportSummary:
    index: Path
    sections: dict[str, tuple[int, int]]  # key -> (rows, charts)


def write_report(con: duckdb.DuckDBPyConnection, out_dir: Path, warehouse: str) -> ReportSummary:
    """Write out_dir/index.html and out_dir/plotly.min.js from the warehouse behind `con`."""
    sections = build_sections(read_report_data(con))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(render_html(sections, warehouse, datetime.now(UTC)), encoding="utf-8")
    return ReportSummary(index, {s.key: (s.rows, len(s.charts)) for s in sections})
