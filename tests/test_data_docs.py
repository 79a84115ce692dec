"""GX Data Docs built from a real validation run over the sample corpus, and how they render."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from conftest import SAMPLE_CORPUS
from govtargets.expectations import data_docs, suites
from govtargets.expectations.validate import validate_coverage, validate_documents, validate_targets
from govtargets.transforms.documents import document_row, documents_frame
from govtargets.transforms.records import sentence_frame, target_frame
from typer.testing import CliRunner

RUNS = ("run-a", "run-b")
SUITES = (
    suites.DOCUMENTS,
    suites.TARGETS_STRUCTURAL,
    suites.TARGETS_ROWS,
    suites.TARGETS_WARNINGS,
    suites.CORPUS_COVERAGE,
)
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium): Data Docs rendering not checked",
)
# Anything a browser would fetch from elsewhere: scripts, stylesheets, images, CSS url()s.
REMOTE_LOAD = re.compile(
    r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(https?://[^"]+)"|url\(\s*[\'"]?(https?://[^\'")]+)'
)
LOCAL_REFERENCE = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="((?:\.\./|\./)*static/[^"?]+)')


@pytest.fixture(scope="module")
def suite_results() -> list:
    """Every suite's GX result for the sample corpus, as the pipeline's validate step produces them."""
    rows = [document_row(path.name, path.read_bytes()) for path in sorted(SAMPLE_CORPUS.glob("*.txt"))]
    documents = documents_frame(rows).with_columns(ingested_at=pl.lit(datetime(2024, 3, 1)))
    targets = target_frame(documents, sentence_frame(documents))
    target_check = validate_targets(targets)
    checks = (
        validate_documents(documents.drop("text")),
        target_check,
        validate_coverage(documents, targets, target_check.passed),
    )
    return [result for check in checks for result in check.suite_results]


@pytest.fixture(scope="module")
def site(suite_results, tmp_path_factory) -> Path:
    """Data Docs of two runs built one after the other into one reports folder."""
    reports = tmp_path_factory.mktemp("reports")
    for hour, run in enumerate(RUNS):
        index = data_docs.build_data_docs(
            reports, run, suite_results, run_time=datetime(2024, 3, 1, hour, tzinfo=UTC)
        )
    assert index == reports.resolve() / "data_docs" / "index.html"
    return index


def test_suite_results_written_to_files_read_back_as_they_were(suite_results, tmp_path):
    """The flow keeps each batch's results in a file until the run's Data Docs are built."""
    first, second = tmp_path / "batch-0000.json", tmp_path / "batch-0001.json"
    data_docs.write_suite_results(first, suite_results[:1])
    data_docs.write_suite_results(second, suite_results[1:])
    read_back = list(data_docs.read_suite_results([first, second]))
    assert [r.to_json_dict() for r in read_back] == [r.to_json_dict() for r in suite_results]
    assert [r.success for r in read_back] == [r.success for r in suite_results]


def test_every_suite_of_every_run_has_a_page(site):
    root = site.parent
    for suite in SUITES:
        assert (root / "expectations" / f"{suite}.html").is_file()
        for run in RUNS:
            pages = list((root / "validations" / suite / run).glob("*/*.html"))
            assert len(pages) == 1, (suite, run, pages)


def test_result_pages_name_the_frame_and_show_failures(site):
    page = next((site.parent / "validations" / suites.CORPUS_COVERAGE / RUNS[0]).glob("*/*.html"))
    assert page.name == "document_coverage.html"
    html = page.read_text(encoding="utf-8")
    assert "corpus_coverage" in html and "n_headline_targets" in html


def test_pages_load_nothing_from_the_internet(site):
    pages = sorted(site.parent.rglob("*.html"))
    assert len(pages) == 1 + len(SUITES) * (1 + len(RUNS))
    remote = {
        (page.name, url)
        for page in pages
        for match in REMOTE_LOAD.finditer(page.read_text())
        for url in match.groups()
        if url
    }
    assert remote == set()


def test_local_assets_are_where_each_page_points(site):
    for page in site.parent.rglob("*.html"):
        references = LOCAL_REFERENCE.findall(page.read_text(encoding="utf-8"))
        assert any("vendor/jquery.min.js" in ref for ref in references), page
        missing = [ref for ref in references if not (page.parent / ref).resolve().is_file()]
        assert missing == [], (page, missing)


def test_with_local_assets_replaces_known_cdn_tags_only():
    source = (
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>\n'
        '<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" '
        'integrity="sha384-x" crossorigin="anonymous"></script>\n'
        '<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>\n'
        '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>\n'
        '<script src="https://example.org/unknown.js"></script>\n'
        '<a href="https://greatexpectations.io">GX</a>'
    )
    root = "{{ govtargets_site_root }}static/vendor/"
    assert data_docs.with_local_assets(source).splitlines() == [
        f'<script src="{root}jquery.min.js"></script>',
        f'<script src="{root}bootstrap.min.js"></script>',
        "",
        f'<link rel="stylesheet" href="{root}bootstrap.min.css">',
        '<script src="https://example.org/unknown.js"></script>',
        '<a href="https://greatexpectations.io">GX</a>',
    ]


def test_every_vendored_asset_exists():
    for name in data_docs.LOCAL_ASSETS.values():
        assert (data_docs.VENDOR_DIR / name).is_file(), name


def test_a_rebuild_keeps_one_project_and_one_site(site, suite_results):
    reports = site.parent.parent
    data_docs.build_data_docs(reports, RUNS[-1], suite_results, run_time=datetime(2024, 3, 1, 1, tzinfo=UTC))
    assert sorted(p.name for p in reports.iterdir()) == ["data_docs", "gx"]
    config = (reports / "gx" / "great_expectations.yml").read_text(encoding="utf-8")
    assert "govtargets:" in config and "local_site:" not in config
    for suite in SUITES:  # the same run rebuilt overwrites its pages
        assert len(list((site.parent / "validations" / suite / RUNS[-1]).glob("*/*.html"))) == 1


# --- headless Chromium ------------------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """Text a reader sees, and the rows bootstrap-table drew (they carry data-index)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.drawn_rows = 0
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "tr" and any(name == "data-index" for name, _ in attrs):
            self.drawn_rows += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def rendered(page: Path, tmp_path: Path) -> _VisibleText:
    """The page's DOM after its scripts ran in headless Chromium, offline."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    text = _VisibleText()
    text.feed(dom)
    return text


@needs_chromium
def test_index_lists_every_suite_result_of_both_runs(site, tmp_path):
    page = rendered(site, tmp_path)
    assert page.drawn_rows == len(SUITES) * len(RUNS) + len(SUITES)  # results table + suites table
    visible = set(page.parts)
    assert set(SUITES) <= visible and set(RUNS) <= visible
    assert {"Validation Results", "Expectation Suites"} <= visible


@needs_chromium
def test_a_result_page_shows_the_suite_and_its_expectations(site, tmp_path):
    page_file = next((site.parent / "validations" / suites.TARGETS_ROWS / RUNS[-1]).glob("*/*.html"))
    text = " ".join(rendered(page_file, tmp_path).parts)
    assert "Expectation Validation Result" in text and "targets_rows" in text
    assert "Evaluated Expectations" in text
    assert "values must belong to this set" in text
    assert "Data asset: targets" in text


# --- the command line -----------------------------------------------------------------------------


def test_run_prints_where_the_data_docs_are(prefect_harness, sample_corpus, tmp_path):
    from govtargets.flows.cli import app

    reports = tmp_path / "my reports"
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--input",
            str(sample_corpus),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--reports",
            str(reports),
        ],
    )
    assert result.exit_code == 0, result.output
    index = reports.resolve() / "data_docs" / "index.html"
    assert f"Data Docs: {index}" in result.output.splitlines()
    assert index.is_file()
    # every batch has its pages, built from the suite results the run kept in its folder, now gone
    assert len(list((reports / "gx" / "uncommitted" / "validations").rglob("*.json"))) >= 4
    assert not (tmp_path / "w.duckdb.work").exists()


def test_an_unusable_reports_folder_fails_before_the_run(tmp_path):
    from govtargets.flows.cli import app

    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--input",
            str(tmp_path),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--reports",
            str(blocker),
        ],
    )
    assert result.exit_code == 1
    assert "reports folder" in result.output and str(blocker) in result.output
