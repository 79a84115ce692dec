"""The HTML report: sections, tables and charts from the sample run, escaping, empty sections, and
(when Chromium is installed) every chart drawn by plotly.js in a headless browser, offline."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from govtargets.flows import report
from govtargets.flows.cli import app
from govtargets.warehouse import db
from typer.testing import CliRunner

runner = CliRunner()
SECTIONS = ("headline", "achievement", "quality", "keywords")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


class PageParts(HTMLParser):
    """Sections, chart containers (with the main-svg elements drawn inside them), tables and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict] = {}
        self.section: str | None = None
        # chart div id -> main-svg elements after it (plotly.js draws them inside; charts never nest)
        self.charts: dict[str, int] = {}
        self.chart: str | None = None
        self.tables: dict[str, int] = {}  # data-table caption -> body rows
        self.table: str | None = None
        self.in_body = False
        self.script_sources: list[str] = []
        self.svg_text: list[str] = []
        self.in_svg_text = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "section":
            self.section = attributes["id"]
            self.sections[self.section] = {"charts": int(attributes["data-charts"]), "html_charts": 0}
        if tag == "div" and "plotly-graph-div" in classes:
            self.chart = attributes["id"]
            self.charts[self.chart] = 0
            self.sections[self.section]["html_charts"] += 1
        if tag == "svg" and "main-svg" in classes and self.chart:
            self.charts[self.chart] += 1
        if tag == "text" and self.chart:
            self.in_svg_text += 1
        if tag == "table" and "data-table" in attributes:
            self.table = attributes["data-table"]
            self.tables[self.table] = 0
        if tag == "tbody":
            self.in_body = True
        if tag == "tr" and self.in_body and self.table:
            self.tables[self.table] += 1
        if tag == "script" and attributes.get("src"):
            self.script_sources.append(attributes["src"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        if tag == "table":
            self.table = None
        if tag == "text" and self.in_svg_text:
            self.in_svg_text -= 1

    def handle_data(self, data):
        if self.in_svg_text:
            self.svg_text.append(data)


def parse(page: str) -> PageParts:
    parts = PageParts()
    parts.feed(page)
    return parts


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = db.connect(warehouse, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def relations(warehouse: Path) -> set[str]:
    con = db.connect(warehouse, read_only=True)
    try:
        return report.relation_names(con)
    finally:
        con.close()


def expected_charts(warehouse: Path) -> dict[str, int]:
    """Charts each section should draw, counted from the warehouse by SQL of its own."""
    present = relations(warehouse)

    def count(sql: str) -> int:
        return int(query(warehouse, sql)[0][0])

    latest = "(select run_id from runs order by started_at desc limit 1)"
    return {
        "headline": count("select count(*) > 0 from headline_targets where unit = '%'"),
        "achievement": count(
            "select count(*) > 0 from target_vs_achievement "
            "where target_value is not null and achieved_value is not null"
        )
        if "target_vs_achievement" in present
        else 0,
        "quality": count(f"select count(*) > 0 from validation_results where run_id = {latest}"),
        "keywords": count("select count(distinct doc_id) from doc_keywords")
        if "doc_keywords" in present
        else 0,
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample_report(sample_run, tmp_path_factory) -> dict:
    """`govtargets report` on the session's sample warehouse, once for this module."""
    warehouse = sample_run["warehouse"]
    out = tmp_path_factory.mktemp("report")
    before = sha256(warehouse)
    result = runner.invoke(app, ["report", "--out", str(out), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    return {
        "out": out,
        "warehouse": warehouse,
        "output": result.output,
        "unchanged": sha256(warehouse) == before,
    }


def test_report_has_every_section_with_its_tables_and_charts(sample_report):
    page = (sample_report["out"] / "index.html").read_text(encoding="utf-8")
    parts = parse(page)
    assert tuple(parts.sections) == SECTIONS
    expected = expected_charts(sample_report["warehouse"])
    assert {key: s["html_charts"] for key, s in parts.sections.items()} == expected
    assert {key: s["charts"] for key, s in parts.sections.items()} == expected
    documents = query(sample_report["warehouse"], "select count(*) from current_documents")[0][0]
    assert expected == {"headline": 1, "achievement": 1, "quality": 1, "keywords": documents}
    for table, relation in (
        ("Headline targets", "headline_targets"),
        ("Target vs achievement", "target_vs_achievement"),
    ):
        rows = query(sample_report["warehouse"], f"select count(*) from {relation}")[0][0]
        assert rows > 0 and parts.tables[table] == rows
    assert "德州市" in page and "地区生产总值" in page  # Chinese written as text, not escaped to entities
    assert "wrote" in sample_report["output"] and "headline" in sample_report["output"]


def test_report_loads_nothing_from_the_network_and_leaves_the_warehouse_alone(sample_report):
    page = (sample_report["out"] / "index.html").read_text(encoding="utf-8")
    assert parse(page).script_sources == [report.PLOTLY_JS]
    assert (sample_report["out"] / report.PLOTLY_JS).stat().st_size > 1_000_000
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert sample_report["unchanged"]


def test_sections_without_rows_say_so_and_warehouse_text_is_escaped(tmp_path):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    db.migrate(con)
    con.execute(
        "insert into runs (run_id, started_at, status, input_path) values ('r1', now(), 'completed', '<i>in</i>')"
    )
    con.execute(
        """insert into validation_results (run_id, suite, expectation, column_name, severity, success,
                                           unexpected_count, element_count, details) values
           ('r1', 'targets_rows', 'expect_column_values_to_be_between', 'value', 'row', false, 1, 3,
            '<b>bad</b> value'),
           ('r1', 'targets_rows', 'expect_column_values_to_not_be_null', 'unit', 'row', true, 0, 3, null)"""
    )
    con.execute(
        """insert into quarantine (record_id, doc_id, source_name, region, year, kind, indicator, value, unit,
                                   evidence, expectation, column_name, reason, run_id)
           values ('q1', 'd1', 'x.txt', '德州市', 2024, 'target', '地区生产总值', 999, '%',
                   '<script>alert("x")</script>增长999%,力争1000%', 'expect_column_values_to_be_between',
                   'value', 'value out of range', 'r1')"""
    )
    con.close()
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", "--out", str(out), "--warehouse", str(path)])
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    parts = parse(page)
    assert {key: s["html_charts"] for key, s in parts.sections.items()} == {
        "headline": 0, "achievement": 0, "quality": 1, "keywords": 0,
    }  # fmt: skip
    assert page.count('class="no-data"') >= 2
    assert "No data: the warehouse has no headline targets." in page
    assert (
        "<script>alert" not in page
        and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;增长999%,力争1000%" in page
    )
    assert "<b>bad</b>" not in page and "&lt;b&gt;bad&lt;/b&gt; value" in page
    assert "<i>in</i>" not in page
    assert parts.tables["Failed expectations"] == 1
    assert parts.tables["Quarantined rows"] == 1


def test_missing_warehouse_fails_with_a_clear_message(tmp_path):
    result = runner.invoke(
        app, ["report", "--out", str(tmp_path / "r"), "--warehouse", str(tmp_path / "no.duckdb")]
    )
    assert result.exit_code == 1 and "no warehouse here yet" in result.output


# ------------------------------------------------------------------------ frames -> figures (pure)


def test_cell_text_drops_float_noise_and_none():
    assert [report.cell_text(v) for v in (None, 6.0, 6.5, 0.1 + 0.2, 13496.0, True, "文")] == [
        "", "6", "6.5", "0.3", "13496", "yes", "文",
    ]  # fmt: skip


def test_headline_chart_rows_are_percent_targets_labelled_with_qualifier_and_stretch():
    headline = pl.DataFrame(
        {
            "region": ["德州市", "德州市", "聊城市"],
            "year": [2020, 2020, 2020],
            "indicator_code": ["GDP", "NEW_URBAN_JOBS", "CPI"],
            "indicator": ["生产总值", "城镇新增就业", "居民消费价格"],
            "value": [6.0, 6.1, 3.5],
            "unit": ["%", "万人", "%"],
            "qualifier": ["", "", "左右"],
            "stretch_value": [6.5, None, None],
            "evidence": ["地区生产总值增长6%,力争6.5%", "", "<涨幅>"],
        }
    )
    frame = report.headline_chart_frame(headline, report.indicator_names())
    assert frame.select("indicator_label", "region_year", "bar_text").rows() == [
        ("地区生产总值", "德州市 2020", "6 力争6.5"),
        ("居民消费价格涨幅", "聊城市 2020", "3.5左右"),
    ]
    assert frame["evidence_hover"].to_list()[1] == "&lt;涨幅&gt;"


def achievement_rows(rows: list[dict]) -> pl.DataFrame:
    """Rows with exactly the columns of the view target_vs_achievement."""
    columns = {
        "region": pl.Utf8, "year": pl.Int32, "indicator_code": pl.Utf8, "indicator": pl.Utf8, "unit": pl.Utf8,
        "metric": pl.Utf8, "target_value": pl.Float64, "target_qualifier": pl.Utf8, "target_stretch": pl.Float64,
        "achieved_value": pl.Float64, "gap": pl.Float64, "met": pl.Boolean, "target_source": pl.Utf8,
        "achievement_source": pl.Utf8, "target_record_id": pl.Utf8, "achievement_record_id": pl.Utf8,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=columns)


def test_target_vs_achievement_bars_carry_the_gap_and_whether_it_was_met():
    base = {"region": "德州市", "indicator": "x", "metric": "growth", "target_qualifier": "左右"}
    frame = achievement_rows(
        [
            {**base, "year": 2023, "indicator_code": "GDP", "unit": "%", "target_value": 5.0,
             "achieved_value": 6.3, "gap": 1.3, "met": True},
            {**base, "year": 2023, "indicator_code": "CPI", "unit": "%", "target_value": 3.0,
             "achieved_value": 3.4, "gap": 0.4, "met": False},
            {**base, "year": 2023, "indicator_code": "NEW_URBAN_JOBS", "unit": "万人", "target_value": 6.0,
             "achieved_value": 6.2, "gap": 0.2, "met": None},
            {**base, "year": 2024, "indicator_code": "GDP", "unit": "%", "target_value": 5.5,
             "achieved_value": None, "gap": None, "met": None},
        ]
    )  # fmt: skip
    bars = report.achievement_long_frame(frame, report.indicator_names())
    assert bars.select("panel", "series", "text").rows() == [
        ("德州市 2023 地区生产总值 (%)", report.SERIES_TARGET, "5左右"),
        ("德州市 2023 居民消费价格涨幅 (%)", report.SERIES_TARGET, "3左右"),
        ("德州市 2023 城镇新增就业 (万人)", report.SERIES_TARGET, "6左右"),
        ("德州市 2023 地区生产总值 (%)", report.SERIES_MET, "6.3 (+1.3)"),
        ("德州市 2023 居民消费价格涨幅 (%)", report.SERIES_MISSED, "3.4 (+0.4)"),
        ("德州市 2023 城镇新增就业 (万人)", report.SERIES_UNKNOWN, "6.2 (+0.2)"),
    ]
    section = report.achievement_section(frame, report.indicator_names())
    assert section.rows == 4 and len(section.charts) == 1
    figure = section.charts[0].figure
    panel_titles = [note.text for note in figure.layout.annotations]
    assert sorted(panel_titles) == sorted({row[0] for row in bars.rows()})
    assert len(section.blocks) == 2  # the chart and the table: no "N of M" note for three panels


def test_target_vs_achievement_chart_keeps_headline_indicators_when_there_are_too_many_panels():
    base = {"region": "德州市", "year": 2023, "metric": "level", "unit": "个", "target_value": 1.0,
            "achieved_value": 2.0, "gap": 1.0, "met": True}  # fmt: skip
    rows = [{**base, "indicator": f"项目{n}", "indicator_code": None} for n in range(report.MAX_PANELS)]
    rows.append({**base, "indicator": "城镇新增就业", "indicator_code": "NEW_URBAN_JOBS"})
    frame = achievement_rows(rows)
    bars = report.achievement_long_frame(frame, report.indicator_names())
    panels = bars["panel"].unique(maintain_order=True).to_list()
    assert len(panels) == report.MAX_PANELS and panels[0] == "德州市 2023 城镇新增就业 (个)"
    section = report.achievement_section(frame, report.indicator_names())
    notes = [b.text for b in section.blocks if isinstance(b, report.Note)]
    assert notes == [
        f"The chart shows {report.MAX_PANELS} of {report.MAX_PANELS + 1} targets; the table has all."
    ]


def test_keyword_section_draws_one_chart_per_document_rank_one_on_top():
    keywords = pl.DataFrame(
        {
            "doc_id": ["a", "a", "b"],
            "source_name": ["003.txt", "003.txt", "004.txt"],
            "region": ["德州市", "德州市", None],
            "year": [2024, 2024, None],
            "rank": [2, 1, 1],
            "keyword": ["消费", "高质量发展", "农业"],
            "weight": [0.4, 0.9, 0.7],
        }
    )
    section = report.keyword_section(keywords)
    assert [c.title for c in section.charts] == ["003.txt (德州市 2024)", "004.txt"]
    bars = section.charts[0].figure.data[0]
    assert list(bars.y) == ["高质量发展", "消费"]
    # a category axis draws its last category at the top
    assert list(section.charts[0].figure.layout.yaxis.categoryarray) == ["消费", "高质量发展"]


def test_missing_views_become_a_no_data_line():
    section = report.keyword_section(None)
    assert not section.charts
    assert section.blocks[0].no_data and "doc_keywords" in section.blocks[0].text


# ---------------------------------------------------------------------------- in a real browser


def test_every_chart_is_drawn_in_headless_chromium(sample_report, tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium): cannot check the charts render")
    index = sample_report["out"] / "index.html"
    dom = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
         "--dump-dom", index.as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    ).stdout  # fmt: skip
    parts = parse(dom)
    expected = expected_charts(sample_report["warehouse"])
    assert len(parts.charts) == sum(expected.values())
    undrawn = [chart for chart, svgs in parts.charts.items() if svgs == 0]
    assert not undrawn, f"plotly.js drew nothing in {undrawn}"
    drawn_text = "".join(parts.svg_text)
    assert "德州市" in drawn_text and "地区生产总值" in drawn_text  # Chinese labels drawn into the SVG
