"""GX Data Docs: a static HTML site of every suite's results, run after run, in a reports folder.

The reports folder holds a file-mode GX project (`gx/`: the suites and every run's validation
results, as GX stores them) and the site GX's SiteBuilder renders from it (`data_docs/`). Each run
stores its suite results under its run id and rebuilds only its own pages and the index, so the
index lists all runs.

GX's page templates load bootstrap, bootstrap-table, jQuery and Font Awesome from CDNs, and the
index's tables are drawn by that JavaScript. The views below are the site's configured view classes
(the `view` option of the site's section and index builders): GX's templates, with each CDN asset
pointed at the copy vendored in `data_docs_vendor/` (see its README), so the site works offline.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import great_expectations as gx
from govtargets.expectations import suites
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationSuiteValidationResultSchema,
)
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BaseLoader

GX_PROJECT_DIR = "gx"
SITE_DIR = "data_docs"
SITE_NAME = "govtargets"
GX_TEMPLATE_SITE = "local_site"  # the site a new file-mode project is created with; ours replaces it
VENDOR_DIR = Path(__file__).parent / "data_docs_vendor"
STATIC_VENDOR = "static/vendor/"
# A template variable, set per page: the relative path from the page up to the site's root.
SITE_ROOT = "govtargets_site_root"

# Every remote asset GX 1.24.1's templates load, and the vendored file that replaces it.
LOCAL_ASSETS = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-prefers-dark.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
}
# Chart libraries (~1 MB) for graph blocks, which none of our expectations renders: not loaded.
DROPPED_ASSETS = frozenset(
    {
        "https://cdn.jsdelivr.net/npm/vega@5",
        "https://cdn.jsdelivr.net/npm/vega-lite@5",
        "https://cdn.jsdelivr.net/npm/vega-embed@6",
    }
)
# The navbar logo comes from GX's web server; GX ships the same image in the site's static/images.
REMOTE_IMAGES = '"https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"'
LOCAL_IMAGES = f'{SITE_ROOT} ~ "static/images/"'
# GX's favicon template counts one folder too few on validation result pages.
GX_FAVICON = '{{ static_images_dir + "favicon.ico" }}'
LOCAL_FAVICON = "{{ " + SITE_ROOT + " }}static/images/favicon.ico"
# The dark-mode stylesheet swaps in a logo GX does not ship: offline, dark mode shows no logo.
REMOTE_DARK_LOGO = (
    "url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png')"
)

# A <script src=…></script> or <link … href=…> tag with a remote address.
REMOTE_ASSET_TAG = re.compile(
    r'<script\b[^>]*\bsrc="(?P<script>https://[^"]+)"[^>]*>\s*</script>'
    r'|<link\b[^>]*\bhref="(?P<link>https://[^"]+)"[^>]*>'
)


def build_data_docs(
    reports_dir: Path,
    run_name: str,
    results: Iterable[ExpectationSuiteValidationResult],
    batch_labels: Sequence[str] | None = None,
    run_time: datetime | None = None,
) -> Path:
    """Store one run's suite results in the reports folder's GX project, render them; the index.html.

    batch_labels name the batch of the run each result is about (a run validates its documents
    in batches), so that results of the same suite in one run are kept apart. results may be an
    iterator (read_suite_results): each is stored as it comes, none needs to be held.
    """
    context = _gx_project(reports_dir)
    run_id = RunIdentifier(run_name=run_name, run_time=run_time or datetime.now(UTC))
    changed: list = []
    results = list(results) if batch_labels is None else results
    labels = batch_labels or [None] * len(results)
    for result, label in zip(results, labels, strict=True):
        suite_id = ExpectationSuiteIdentifier(name=result.suite_name)
        batch_name = f"{_batch_name(result)}-{label}" if label else _batch_name(result)
        result_id = ValidationResultIdentifier(
            expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch_name
        )
        context.validation_results_store.store_validation_results(
            _for_run(result, run_id, batch_name), result_id, suite_id
        )
        # The suite page shows the suite as this version of the code declares it.
        context.suites.add_or_update(suites.BUILDERS[result.suite_name]())
        changed += [result_id, suite_id]
    # Only this run's pages are rendered; the index is rebuilt from every stored result.
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=changed)
    site = site_dir(reports_dir)
    shutil.copytree(VENDOR_DIR, site / STATIC_VENDOR, dirs_exist_ok=True)
    return site / "index.html"


def write_suite_results(path: Path, results: Sequence[ExpectationSuiteValidationResult]) -> None:
    """Suite results in GX's own JSON form, kept in a file until the run's Data Docs are built, so
    that a run holds in memory the results of the batches in flight, not of all its batches."""
    path.write_text(json.dumps([result.to_json_dict() for result in results]), encoding="utf-8")


def read_suite_results(paths: Iterable[Path]) -> Iterator[ExpectationSuiteValidationResult]:
    """The suite results write_suite_results wrote, file by file, as GX's objects again."""
    schema = ExpectationSuiteValidationResultSchema()
    for path in paths:
        yield from (schema.load(item) for item in json.loads(path.read_text(encoding="utf-8")))


def site_dir(reports_dir: Path) -> Path:
    return reports_dir.resolve() / SITE_DIR


def _gx_project(reports_dir: Path):
    reports_dir.mkdir(parents=True, exist_ok=True)
    # A file-mode project: created on first use, opened as it is afterwards.
    context = gx.get_context(mode="file", project_root_dir=reports_dir)
    sites = context.list_data_docs_sites()
    if GX_TEMPLATE_SITE in sites:
        context.delete_data_docs_site(GX_TEMPLATE_SITE)
    # Set on every run, so a project made by an older version gets the current site settings.
    if SITE_NAME in sites:
        context.update_data_docs_site(SITE_NAME, _site_config())
    else:
        context.add_data_docs_site(SITE_NAME, _site_config())
    return context


def _site_config() -> dict:
    page_view = {"module_name": __name__, "class_name": LocalAssetsPageView.__name__}
    index_view = {"module_name": __name__, "class_name": LocalAssetsIndexPageView.__name__}
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        # relative to the gx/ project folder, so the reports folder can be moved as a whole
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": f"../{SITE_DIR}/"},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "view": index_view},
        "site_section_builders": {
            "expectations": {"view": page_view},
            "validations": {"view": page_view},
            "profiling": "None",  # we never profile; GX reads the string "None" as "no section"
        },
    }


def _batch_name(result: ExpectationSuiteValidationResult) -> str:
    # The GX data asset the frame was validated as (targets, documents, document_coverage).
    definition = result.meta.get("active_batch_definition") or {}
    return str(definition["data_asset_name"]) if "data_asset_name" in definition else "frame"


def _for_run(
    result: ExpectationSuiteValidationResult, run_id: RunIdentifier, batch_name: str
) -> ExpectationSuiteValidationResult:
    # A checkpoint would set the run; the result pages show it. A copy: the caller's result stays as it was.
    stored = copy.deepcopy(result)
    stored.meta["run_id"] = run_id
    stored.meta["validation_time"] = run_id.run_time
    # the page's "Data asset:" line reads the batch spec, which says nothing for an in-memory frame
    stored.meta["batch_spec"] = {
        **(stored.meta.get("batch_spec") or {}),
        "data_asset_name": batch_name,
    }
    return stored


# --- offline views -------------------------------------------------------------------------------


def with_local_assets(source: str) -> str:
    """A GX template's source with its CDN assets replaced by the vendored copies."""

    def local_tag(match: re.Match) -> str:
        url = match.group("script") or match.group("link")
        if url in DROPPED_ASSETS:
            return ""
        if url not in LOCAL_ASSETS:
            return match.group(0)  # unknown: left as it is, and the Data Docs tests say so
        path = "{{ " + SITE_ROOT + " }}" + STATIC_VENDOR + LOCAL_ASSETS[url]
        if match.group("script"):
            # integrity/crossorigin attributes dropped: a CORS fetch of a file:// page fails
            return f'<script src="{path}"></script>'
        return f'<link rel="stylesheet" href="{path}">'

    local = REMOTE_ASSET_TAG.sub(local_tag, source)
    for remote, replacement in (
        (REMOTE_IMAGES, LOCAL_IMAGES),
        (REMOTE_DARK_LOGO, "none"),
        (GX_FAVICON, LOCAL_FAVICON),
    ):
        local = local.replace(remote, replacement)
    return local


class _LocalAssetsLoader(BaseLoader):
    """Wraps GX's template loader and rewrites every template it loads with with_local_assets()."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        return with_local_assets(source), filename, uptodate


def site_root(document) -> str:
    """The path from a page up to the site's root, the way GX's own navbar template works it out."""
    page = document.to_json_dict() if hasattr(document, "to_json_dict") else dict(document)
    renderer_type = page.get("renderer_type") or ""
    # GX stores a suite named a.b under a/b: each dot is one more folder level.
    dots = (page.get("expectation_suite_name") or "").count(".")
    if "ValidationResults" in renderer_type or "ProfilingResults" in renderer_type:
        return "../" * (dots + 4)  # validations/<suite>/<run name>/<run time>/<batch>.html
    if "ExpectationSuite" in renderer_type:
        return "../" * (dots + 1)  # expectations/<suite>.html
    return ""


class _LocalAssets:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.loader = _LocalAssetsLoader(self.env.loader)

    def render(self, document, template=None, **kwargs):
        return super().render(document, template, **{SITE_ROOT: site_root(document), **kwargs})


class LocalAssetsPageView(_LocalAssets, DefaultJinjaPageView):
    """GX's page view (suite and validation result pages) with local assets."""


class LocalAssetsIndexPageView(_LocalAssets, DefaultJinjaIndexPageView):
    """GX's index page view with local assets."""
