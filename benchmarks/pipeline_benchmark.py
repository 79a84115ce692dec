"""Pipeline benchmark on synthetic corpora: per-stage throughput, end-to-end, memory, re-runs.

A script, not a test (speed is never asserted in tests). For each corpus size it:

1. builds (or reuses) a corpus of the five sample documents repeated with their numbers varied,
   written in a mix of encodings (UTF-8, UTF-8 with BOM, GB18030, UTF-16, Big5) and scripts
   (simplified, traditional), cached under --workdir per size and seed;
2. times each stage by calling the functions the flow's tasks call, in the flow's order (ingest:
   document_row; extract and validate: flows/batch.py; Data Docs; load: staging + publish),
   without Prefect, batch by batch in a fresh process of its own, with the peak RSS during each
   stage; each a median of --runs;
3. runs the real CLI (`govtargets run`) in a subprocess: wall time, the fixed Prefect start-up
   (an empty input folder, median), peak memory of the pipeline process, its workers and the Prefect server
   it starts, and the incremental re-run on the unchanged corpus (a run whose processes outgrow
   --max-rss-gb is stopped and reported);
4. runs, in the same process and on the same text, what a user would reach for instead:
   jieba.posseg / jieba.lcut / rjieba against the project's tagging, JioNLP's money extraction
   against the project's number extraction, and rjieba's agreement with jieba.posseg.

Every MB/s figure divides the corpus's raw bytes on disk (stages) or the UTF-8 bytes of the text
handed to a tool (alternatives) by the median seconds.

    python benchmarks/pipeline_benchmark.py --sizes 10,50,200 --runs 3 --json bench.json

Needs the `bench` extra: pip install -c constraints.txt -e '.[dev,bench]'
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Self

import duckdb
import govtargets.transforms.documents as documents_module
import govtargets.transforms.extract as extract_module
import opencc
import polars as pl
from govtargets.expectations.data_docs import build_data_docs
from govtargets.expectations.validate import validate_documents
from govtargets.flows.batch import extract_records, validate_records
from govtargets.transforms.decode import RejectedInput, decode_bytes
from govtargets.transforms.documents import document_row, documents_frame
from govtargets.transforms.extract import EXTRACTOR_VERSION, find_mentions
from govtargets.transforms.lexicon import VOCAB_DIR
from govtargets.transforms.normalize import normalize_text
from govtargets.transforms.numbers import MENTION, parse_number
from govtargets.transforms.records import (
    sentence_frame,
    target_frame,
)
from govtargets.warehouse import db

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "corpus"
CORPUS_FORMAT = 1  # bump when the corpus builder changes, so cached corpora are rebuilt

# How copies are written: (encoding, OpenCC config or None to keep the document's script), weight.
# Big5 copies use s2tw, not s2t: s2t writes OpenCC's standard glyphs (爲, 羣, 衆, 啓), which Big5
# does not have; s2tw writes the Taiwan glyphs Big5 was made for. Both convert characters only.
VARIANTS = (
    (("utf-8", None), 4),
    (("utf-8-sig", None), 1),
    (("gb18030", None), 2),
    (("utf-16", None), 1),
    (("utf-8", "s2t"), 1),
    (("big5", "s2tw"), 1),
)
# Years and day/month numbers stay as written, so plan years and dates remain real ones.
NUMBER = re.compile(r"\d+")
YEAR = re.compile(r"(?:19|20)\d\d")

GOALS = {
    "e2e_mb_per_s": 5.0,
    "peak_tree_gb": 2.0,
    "incremental_work_s": 5.0,
    "one_file_s": 8.0,
    "goal_size_mb": 200,
}
POLL_SECONDS = 0.05


# ---------------------------------------------------------------- corpus


@dataclass
class Corpus:
    path: Path
    files: list[Path]
    raw_bytes: int
    manifest: dict

    @property
    def megabytes(self) -> float:
        return self.raw_bytes / 1e6


def vary_numbers(text: str, rng: random.Random) -> str:
    """Every number gets new digits of the same length (no leading zero); years and dates are kept."""

    def new_digits(match: re.Match) -> str:
        digits = match.group(0)
        is_date_part = len(digits) <= 2 and match.string[match.end() : match.end() + 1] in ("月", "日")
        if YEAR.fullmatch(digits) or is_date_part:
            return digits
        first = str(rng.randint(1, 9)) if len(digits) > 1 else str(rng.randint(0, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    return NUMBER.sub(new_digits, text)


def encoded_copy(text: str, encoding: str, script: str | None) -> bytes | None:
    """The copy's bytes, or None when the text has characters the encoding cannot hold."""
    if script:
        text = opencc.OpenCC(script).convert(text)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None  # skipped: replacing characters would corrupt the copy


def build_corpus(workdir: Path, size_mb: int, seed: int) -> Corpus:
    """Write copies of the samples until the raw bytes on disk reach size_mb (cached per size and seed)."""
    folder = workdir / f"corpus-{size_mb}mb-seed{seed}-v{CORPUS_FORMAT}"
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        files = [folder / "files" / name for name in manifest["files"]]
        return Corpus(folder / "files", files, manifest["raw_bytes"], manifest)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "files").mkdir(parents=True)
    rng = random.Random(seed)
    originals = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.txt"))]
    variants, weights = zip(*VARIANTS)
    names, seen, mix, skipped, total = [], set(), Counter(), Counter(), 0
    copy = 0
    while total < size_mb * 1e6:
        stem, text = originals[copy % len(originals)]
        encoding, script = rng.choices(variants, weights)[0]
        data = encoded_copy(vary_numbers(text, rng), encoding, script)
        copy += 1
        label = f"{encoding}/{script or 'as-written'}"
        if data is None or hashlib.sha256(data).digest() in seen:
            skipped[label] += 1
            continue
        seen.add(hashlib.sha256(data).digest())
        name = f"{copy:06d}_{stem}_{encoding}{'_' + script if script else ''}.txt"
        (folder / "files" / name).write_bytes(data)
        names.append(name)
        mix[label] += 1
        total += len(data)
    manifest = {
        "size_mb": size_mb,
        "seed": seed,
        "raw_bytes": total,
        "n_files": len(names),
        "mix": dict(sorted(mix.items())),
        "skipped_unencodable_or_duplicate": dict(sorted(skipped.items())),
        "files": names,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))  # written last: marks the corpus complete
    return Corpus(folder / "files", [folder / "files" / n for n in names], total, manifest)


# ---------------------------------------------------------------- in-process stages


class CallTimer:
    """Time (and optionally record the arguments of) calls to a function another module imported.

    Used to see how much of a stage is jieba: the project calls it through names it imported
    (transforms.extract.pos_tags, transforms.structure.words). If a name is gone, nothing is
    measured and `found` says so.
    """

    def __init__(self, module, name: str, record: bool = False):
        self.module, self.name, self.record = module, name, record
        self.found = hasattr(module, name)
        self.seconds, self.calls, self.arguments = 0.0, 0, []

    def __enter__(self) -> Self:
        if not self.found:
            return self
        original = self.original = getattr(self.module, self.name)

        def timed(text, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original(text, *args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1
                if self.record:
                    self.arguments.append(text)

        setattr(self.module, self.name, timed)
        return self

    def __exit__(self, *exc) -> None:
        if self.found:
            setattr(self.module, self.name, self.original)


@dataclass
class StageRun:
    seconds: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)  # peak RSS while the stage ran
    start_mb: dict[str, float] = field(default_factory=dict)  # RSS when it started
    counts: dict[str, int] = field(default_factory=dict)
    cleared_caches: list[str] = field(default_factory=list)


STAGE_BATCH_MB = 10.0  # the stages run batch by batch, like the flow (its batches are --batch-mb)
STAGE_INCLUDES = {
    "ingest": "the ingest task's document_row per file (sha256, decoding, normalize_text, document_metadata)"
    " + documents_frame (years inferred across the batch's documents)",
    "extract": "flows/batch.extract_records: sentences, targets (incl. POS tagging), departments, clauses,"
    " qualitative targets, TF-IDF keywords",
    "validate": "flows/batch.validate_records (GX targets + coverage suites, quarantine) + validate_documents",
    "data docs": "build_data_docs: GX Data Docs pages of the batch's suite results",
    "load": "db.load_batch: staging and the publish transaction, into a fresh DuckDB file (migrated, untimed)",
}
SUB_ROWS = {
    "ingest: of which decoding (read_text)": "ingest",
    "ingest: of which normalize_text": "ingest",
    "ingest: of which document_metadata": "ingest",
    "extract: of which POS tagging (extract.pos_tags)": "extract",
}


def _proc_status_bytes(field_name: str, pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM, so the next reading is this stage's own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


@contextlib.contextmanager
def measured(run: StageRun, name: str):
    """Add the block's seconds to `name`, and record the process's peak RSS while it ran."""
    _reset_peak_rss()
    run.start_mb.setdefault(name, _proc_status_bytes("VmRSS") / 1e6)
    start = time.perf_counter()
    try:
        yield
    finally:
        run.seconds[name] = run.seconds.get(name, 0.0) + time.perf_counter() - start
        run.peak_mb[name] = max(run.peak_mb.get(name, 0.0), _proc_status_bytes("VmHWM") / 1e6)


def clear_memo_caches() -> list[str]:
    """Empty the project's memoizing caches, so a repeated pass costs what a fresh process pays.

    A per-process singleton (jieba's tokenizer, an OpenCC converter: maxsize <= 16) is kept:
    building it again would be a one-off cost no real run pays per document.
    """
    cleared = []
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith(("transforms", "expectations", "warehouse")):
            continue
        for name, value in vars(module).items():
            info = getattr(value, "cache_info", None)
            if callable(info) and (info().maxsize is None or info().maxsize > 16):
                value.cache_clear()
                cleared.append(f"{module_name}.{name}")
    return cleared


def run_stages(raw: list[tuple[str, bytes]], workdir: Path, first: bool = True) -> StageRun:
    """One pass of the flow's own per-batch work over a batch of files, in this process, stage by
    stage: the ingest task's document_row per file and the documents of a batch as the flow
    settles them (documents_frame: years across documents), the extract-validate task's
    extract_records and validate_records (flows/batch.py) with the documents suite, the Data Docs
    the flow builds, and staging + publishing (db.load_batch)."""
    run = StageRun(cleared_caches=clear_memo_caches() if first else [])
    with (
        CallTimer(documents_module, "read_text") as decode_timer,
        CallTimer(documents_module, "normalize_text") as normalize_timer,
        CallTimer(documents_module, "document_metadata") as metadata_timer,
        measured(run, "ingest"),
    ):
        rows, rejected = [], 0
        for name, data in raw:
            try:
                rows.append(document_row(name, data))
            except RejectedInput:
                rejected += 1
        documents = documents_frame(rows).with_columns(ingested_at=pl.lit(db.now()))
    with CallTimer(extract_module, "pos_tags") as tag_timer, measured(run, "extract"):
        extracted = extract_records(documents)
    with measured(run, "validate"):
        checked = validate_records(extracted, uuid.uuid4().hex[:16], EXTRACTOR_VERSION)
        document_check = validate_documents(documents.drop("text"))
    reports = Path(tempfile.mkdtemp(dir=workdir))
    with measured(run, "data docs"):
        build_data_docs(reports, "bench", checked.suite_results + document_check.suite_results)
    shutil.rmtree(reports)
    warehouse = Path(tempfile.mkdtemp(dir=workdir)) / "stages.duckdb"
    con = db.connect(warehouse)
    db.migrate(con)
    with measured(run, "load"):
        db.load_batch(con, checked.batch)
    con.close()
    shutil.rmtree(warehouse.parent)

    for timer, label in (
        (decode_timer, "ingest: of which decoding (read_text)"),
        (normalize_timer, "ingest: of which normalize_text"),
        (metadata_timer, "ingest: of which document_metadata"),
        (tag_timer, "extract: of which POS tagging (extract.pos_tags)"),
    ):
        if timer.found:
            run.seconds[label] = timer.seconds
    run.counts |= {
        "rejected": rejected,
        "documents": documents.height,
        "sentences": extracted.clauses.select("doc_id", "sentence_start").n_unique(),
        "clauses": extracted.clauses.height,
        "records": extracted.targets.height,
        "loaded": checked.batch.targets.height,
        "quarantined_records": checked.batch.quarantine["record_id"].n_unique(),
        "structural_failures": len(checked.structural_failures + document_check.structural_failures),
        "tagging_calls": tag_timer.calls,
        "encoding_as_written": sum(_written_encoding(r["source_name"]) == r["encoding"] for r in rows),
    }
    return run


def _written_encoding(file_name: str) -> str:
    """The encoding build_corpus wrote a copy in, from its name: <n>_<stem>_<encoding>[_<script>].txt"""
    parts = file_name.removesuffix(".txt").split("_")
    return parts[-2] if parts[-1] in ("s2t", "s2tw") else parts[-1]


def warm_up(workdir: Path) -> float:
    """One-off costs per process (jieba dictionary, OpenCC, GX context), paid once and reported apart."""
    start = time.perf_counter()
    sample = [(p.name, p.read_bytes()) for p in sorted(SAMPLES.glob("*.txt"))]
    run_stages(sample, workdir)
    return time.perf_counter() - start


def file_batches(files: list[Path], batch_mb: float) -> list[list[Path]]:
    """Consecutive files of about batch_mb each: the pipeline works batch by batch, and so do the
    stages here (one pass over 200 MB at once would measure swapping, not the stages)."""
    batches, size = [[]], 0
    for path in files:
        length = path.stat().st_size
        if batches[-1] and size + length > batch_mb * 1e6:
            batches.append([])
            size = 0
        batches[-1].append(path)
        size += length
    return batches


def merged_runs(runs: list[StageRun]) -> StageRun:
    """One pass over the corpus from the passes over its batches: times and counts add up."""
    merged = StageRun(cleared_caches=runs[0].cleared_caches)
    for run in runs:
        for name, seconds in run.seconds.items():
            merged.seconds[name] = merged.seconds.get(name, 0.0) + seconds
            merged.peak_mb[name] = max(merged.peak_mb.get(name, 0.0), run.peak_mb.get(name, 0.0))
            merged.start_mb.setdefault(name, run.start_mb.get(name, 0.0))
        for name, count in run.counts.items():
            merged.counts[name] = merged.counts.get(name, 0) + count
    return merged


def stage_benchmark(corpus: Corpus, runs: int, workdir: Path) -> dict:
    batches = file_batches(corpus.files, STAGE_BATCH_MB)
    passes = []
    for i in range(runs):
        parts = []
        for number, files in enumerate(batches):
            raw = [(p.name, p.read_bytes()) for p in files]  # reading the files is not a stage
            parts.append(run_stages(raw, workdir, first=number == 0))
        run = merged_runs(parts)
        passes.append(run)
        print(
            f"  stages run {i + 1}/{runs}: "
            + ", ".join(f"{k} {v:.1f}s" for k, v in run.seconds.items() if ":" not in k),
            flush=True,
        )
    names = [
        name
        for stage in STAGE_INCLUDES
        for name in (stage, *[sub for sub, parent in SUB_ROWS.items() if parent == stage])
        if name in passes[0].seconds
    ]
    stages = {}
    for name in names:
        seconds = [p.seconds[name] for p in passes]
        median = statistics.median(seconds)
        stages[name] = {
            "seconds_median": round(median, 3),
            "mb_per_s": round(corpus.megabytes / median, 3) if median else None,
            "seconds": [round(s, 3) for s in seconds],
            # memory from the first pass only: later passes start with what the allocator kept
            "peak_rss_mb_first_run": round(passes[0].peak_mb[name], 1) if name in passes[0].peak_mb else None,
            "rss_added_mb_first_run": round(passes[0].peak_mb[name] - passes[0].start_mb[name], 1)
            if name in passes[0].peak_mb
            else None,
            "includes": STAGE_INCLUDES.get(name, f"part of {SUB_ROWS.get(name)}"),
        }
    totals = [sum(p.seconds[n] for n in STAGE_INCLUDES) for p in passes]
    return {
        "stages": stages,
        "total_seconds_median": round(statistics.median(totals), 3),
        "total_mb_per_s": round(corpus.megabytes / statistics.median(totals), 3),
        "counts": passes[0].counts,
        "memo_caches_cleared_before_each_run": passes[0].cleared_caches,
        "process_peak_rss_mb_first_run": round(max(passes[0].peak_mb.values()), 1),
    }


def _stage_job(corpus: Corpus, runs: int, workdir: Path) -> dict:
    warm = warm_up(workdir)
    return stage_benchmark(corpus, runs, workdir) | {"warm_up_s": round(warm, 3)}


def isolated_stage_benchmark(corpus: Corpus, runs: int, workdir: Path) -> dict:
    """Warm-up and stage runs in a fresh process: the memory measured is the pipeline's, not this
    script's, and goes back to the system before the end-to-end runs start."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            return pool.submit(_stage_job, corpus, runs, workdir).result()
        except BrokenProcessPool as error:  # e.g. killed by the kernel for want of memory
            return {"error": f"the stage process died: {error}"}


# ---------------------------------------------------------------- end to end (the real CLI)


@dataclass
class CliRun:
    wall: float
    exit_code: int
    pipeline_peak: int  # bytes: peak RSS (VmHWM) of the govtargets process itself
    server_peak: int  # bytes: the Prefect server (uvicorn child), sum of peaks
    workers_peak: int  # bytes: the run's worker processes (process pool / Dask), sum of their peaks
    tree_peak: int  # bytes: highest sum of current RSS over the whole process tree
    kernel_maxrss: int  # bytes: wait4's ru_maxrss (largest process of the tree), a cross-check
    cpu_seconds: float
    over_limit: bool = False  # killed because the tree outgrew --max-rss-gb


def _hwm_and_rss(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) in bytes from /proc: the high-water mark misses nothing between polls."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmHWM:", "VmRSS:")):
                key, amount, _ = line.split()
                values[key] = int(amount) * 1024
    return values.get("VmHWM:", 0), values.get("VmRSS:", 0)


def _kill_tree(root) -> None:
    """Kill the run we started and the processes it started (by pid), children first."""
    import psutil

    for member in [*root.children(recursive=True), root]:
        with contextlib.suppress(psutil.Error):
            member.kill()


def run_cli(args: list[str], env: dict, log: Path, max_tree_bytes: float) -> CliRun:
    """Run a command, polling the memory of its process tree; kill it if it outgrows max_tree_bytes
    (a 200 MB corpus must not take the shared machine down with it)."""
    import psutil  # the bench extra

    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        root = psutil.Process(proc.pid)
        peaks: dict[int, int] = {}
        servers: set[int] = set()
        tree_peak, over_limit = 0, False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            current = 0
            for member in [root, *root.children(recursive=True)]:
                with contextlib.suppress(OSError, psutil.Error):
                    hwm, rss = _hwm_and_rss(member.pid)
                    if member.pid not in peaks and "uvicorn" in " ".join(member.cmdline()):
                        servers.add(member.pid)  # the Prefect server, apart from the run's own workers
                    peaks[member.pid] = max(peaks.get(member.pid, 0), hwm)
                    current += rss
            tree_peak = max(tree_peak, current)
            if current > max_tree_bytes and not over_limit:
                over_limit = True
                _kill_tree(root)
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return CliRun(
        wall=wall,
        exit_code=proc.returncode,
        pipeline_peak=peaks.get(proc.pid, 0),
        server_peak=sum(v for k, v in peaks.items() if k in servers),
        workers_peak=sum(v for k, v in peaks.items() if k != proc.pid and k not in servers),
        tree_peak=tree_peak,
        kernel_maxrss=usage.ru_maxrss * 1024,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        over_limit=over_limit,
    )


def govtargets_command() -> str:
    return shutil.which("govtargets") or str(Path(sys.executable).parent / "govtargets")


class EndToEnd:
    """Runs `govtargets run` as a user would, with a Prefect home of its own."""

    def __init__(self, workdir: Path, max_rss_gb: float):
        self.workdir = workdir
        self.max_tree_bytes = max_rss_gb * 1e9
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.prefect_home = tempfile.mkdtemp(prefix="prefect-home-", dir=workdir)
        self.env = os.environ | {"PREFECT_HOME": self.prefect_home}
        self.counter = 0
        self.empty: Path | None = None

    def close(self) -> None:
        shutil.rmtree(self.prefect_home, ignore_errors=True)
        if self.empty:
            shutil.rmtree(self.empty, ignore_errors=True)

    def run(self, input_dir: Path, warehouse: Path, label: str) -> CliRun:
        self.counter += 1
        log = self.logs / f"{self.counter:03d}-{label}.log"
        result = run_cli(
            [govtargets_command(), "run", "--input", str(input_dir), "--warehouse", str(warehouse)],
            self.env,
            log,
            self.max_tree_bytes,
        )
        if result.over_limit:
            raise RuntimeError(
                f"govtargets run ({label}) killed: its processes outgrew {self.max_tree_bytes / 1e9:g} GB "
                f"(peak RSS of the pipeline process {result.pipeline_peak / 1e9:.1f} GB, "
                f"after {result.wall:.0f}s); log: {log}"
            )
        if result.exit_code != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"govtargets run ({label}) exited {result.exit_code}; end of {log}:\n{tail}")
        return result

    def fresh_warehouse(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="warehouse-", dir=self.workdir)) / "bench.duckdb"

    def startup(self, runs: int) -> dict:
        empty = self.empty = Path(tempfile.mkdtemp(prefix="empty-", dir=self.workdir))
        results = []
        for i in range(runs + 1):
            warehouse = self.fresh_warehouse()
            # migrated beforehand, like the warehouse of a re-run: the start-up is what every run pays
            con = db.connect(warehouse)
            db.migrate(con)
            con.close()
            try:
                result = self.run(empty, warehouse, "startup" if i else "warm-up")
            finally:
                shutil.rmtree(warehouse.parent)
            if i:  # the first run creates the Prefect database: untimed
                results.append(result)
                print(f"  start-up run {i}/{runs}: {result.wall:.1f}s", flush=True)
        return summarize_cli(results)

    def one_file(self, runs: int) -> dict:
        """A run of the smallest sample file into a new warehouse, as a user's first try is: what
        the user waits for (wall, start-up included)."""
        folder = Path(tempfile.mkdtemp(prefix="one-file-", dir=self.workdir))
        shutil.copy(min(SAMPLES.glob("*.txt"), key=lambda path: path.stat().st_size), folder)
        results = []
        for i in range(runs):
            warehouse = self.fresh_warehouse()
            try:
                results.append(self.run(folder, warehouse, "one-file"))
            finally:
                shutil.rmtree(warehouse.parent)
            print(f"  one-file run {i + 1}/{runs}: {results[-1].wall:.1f}s", flush=True)
        return summarize_cli(results)


def summarize_cli(results: list[CliRun]) -> dict:
    def median(attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in results)

    return {
        "wall_s_median": round(median("wall"), 3),
        "wall_s": [round(r.wall, 3) for r in results],
        "pipeline_peak_mb_median": round(median("pipeline_peak") / 1e6, 1),
        "prefect_server_peak_mb_median": round(median("server_peak") / 1e6, 1),
        "workers_peak_mb_median": round(median("workers_peak") / 1e6, 1),
        "tree_peak_mb_median": round(median("tree_peak") / 1e6, 1),
        "kernel_maxrss_mb_median": round(median("kernel_maxrss") / 1e6, 1),
        "cpu_s_median": round(median("cpu_seconds"), 2),
    }


def wall_with_range(summary: dict) -> str:
    """A summarize_cli median wall time with the range of its runs: "9.4 (9.1-10.2)"."""
    return f"{summary['wall_s_median']} ({min(summary['wall_s'])}-{max(summary['wall_s'])})"


def warehouse_counts(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """select (select count(*) from documents), (select count(*) from targets),
                      (select count(*) from rejected_files),
                      (select n_documents from runs order by started_at desc limit 1)"""
        ).fetchall()[0]
    finally:
        con.close()
    return dict(zip(("documents", "targets", "rejected_files", "last_run_documents"), rows))


def end_to_end(e2e: EndToEnd, corpus: Corpus, runs: int, startup: dict) -> dict:
    """Full runs on fresh warehouses, each followed by a re-run on the unchanged corpus.

    work = wall - the start-up's median wall; work_cpu_s (CPU seconds of the process tree minus the
    start-up's) is less sensitive to other jobs on a shared machine.
    """
    startup_s, startup_cpu = startup["wall_s_median"], startup["cpu_s_median"]
    full, incremental, counts = [], [], {}
    for i in range(runs):
        warehouse = e2e.fresh_warehouse()
        try:
            full.append(e2e.run(corpus.path, warehouse, f"{corpus.manifest['size_mb']}mb-full"))
            counts["full"] = warehouse_counts(warehouse)
            incremental.append(e2e.run(corpus.path, warehouse, f"{corpus.manifest['size_mb']}mb-rerun"))
            counts["rerun"] = warehouse_counts(warehouse)
        finally:
            shutil.rmtree(warehouse.parent)
        print(
            f"  end-to-end run {i + 1}/{runs}: full {full[-1].wall:.1f}s, re-run {incremental[-1].wall:.1f}s",
            flush=True,
        )
    full_summary, rerun_summary = summarize_cli(full), summarize_cli(incremental)
    work = full_summary["wall_s_median"] - startup_s
    return {
        "full": full_summary
        | {
            "work_s": round(work, 3),
            "work_cpu_s": round(full_summary["cpu_s_median"] - startup_cpu, 2),
            "mb_per_s_excl_startup": round(corpus.megabytes / work, 3),
        },
        "incremental": rerun_summary
        | {
            "work_s": round(rerun_summary["wall_s_median"] - startup_s, 3),
            "work_cpu_s": round(rerun_summary["cpu_s_median"] - startup_cpu, 2),
        },
        "warehouse_after": counts,
    }


# ---------------------------------------------------------------- alternatives


def throughput(step, texts: list[str], runs: int) -> dict:
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    step(texts[0])  # a first call may load a dictionary or compile patterns
    seconds = []
    for _ in range(runs):
        clear_memo_caches()
        start = time.perf_counter()
        for text in texts:
            step(text)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    return {
        "mb": round(megabytes, 3),
        "seconds_median": round(median, 3),
        "mb_per_s": round(megabytes / median, 3),
    }


def _user_words() -> list[tuple[str, int, str]]:
    entries = []
    for line in (VOCAB_DIR / "policy_words.txt").read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split()
        entries.append((word, int(freq), tag))
    return entries


def reference_posseg():
    """jieba.posseg with the project's user dictionary loaded (the project loads it the same way)."""
    import jieba.posseg
    from govtargets.transforms import lexicon

    if hasattr(lexicon, "tokenizer"):
        lexicon.tokenizer()
    else:
        jieba.load_userdict(str(VOCAB_DIR / "policy_words.txt"))
    return jieba.posseg


def rjieba_with_user_words():
    import rjieba

    tokenizer = rjieba.Jieba()
    for word, freq, tag in _user_words():
        tokenizer.add_word(word, freq, tag)
    return tokenizer


def _located(tokens: list[tuple[str, str]]) -> set[tuple[int, int, str, str]]:
    located, position = set(), 0
    for word, tag in tokens:
        if word.strip():
            located.add((position, position + len(word), word, tag))
        position += len(word)
    return located


def user_word_tags_not_applied(tokenizer) -> dict[str, str]:
    """User-dictionary words rjieba tags otherwise than the dictionary says (word -> its tag).

    rjieba 0.2's add_word keeps the tag of a word its own dictionary already has, where jieba's
    load_userdict replaces it: a switch would have to carry these tags over itself.
    """
    return {
        word: " ".join(tag for _, tag in tokenizer.tag(word, hmm=False))
        for word, _, tag in _user_words()
        if tokenizer.tag(word, hmm=False) != [(word, tag)]
    }


def tag_agreement(texts: list[str], reference, candidate) -> dict:
    """Share of the reference's (word, tag) tokens the candidate produces at the same place."""
    same_token = same_span = total = 0
    differences = Counter()
    for text in texts:
        expected = _located(reference(text))
        found = _located(candidate(text))
        spans = {(s, e) for s, e, _, _ in found}
        by_span = {(s, e): tag for s, e, _, tag in found}
        total += len(expected)
        same_token += len(expected & found)
        same_span += sum((s, e) in spans for s, e, _, _ in expected)
        for s, e, word, tag in expected - found:
            if (s, e) in by_span:
                differences[f"{word}: {tag} vs {by_span[(s, e)]}"] += 1
    return {
        "reference_tokens": total,
        "identical_word_and_tag_pct": round(100 * same_token / total, 2) if total else None,
        "identical_segmentation_pct": round(100 * same_span / total, 2) if total else None,
        "top_tag_differences (jieba vs rjieba)": dict(differences.most_common(10)),
    }


def alternative_texts(corpus: Corpus, alt_mb: float) -> tuple[pl.DataFrame, list[str], list[str]]:
    """The documents of the first alt_mb of the corpus (normalized text), the spans the project tags
    while extracting their records, and their sentences."""
    rows, size = [], 0
    for path in corpus.files:
        rows.append(document_row(path.name, path.read_bytes()))
        size += len(rows[-1]["text"].encode("utf-8"))
        if size >= alt_mb * 1e6:
            break
    documents = documents_frame(rows)
    sentences = sentence_frame(documents)
    with CallTimer(extract_module, "pos_tags", record=True) as tagged:
        target_frame(documents, sentences)
    return documents, tagged.arguments, sentences["sentence"].to_list()


def segmentation_alternatives(documents: pl.DataFrame, spans: list[str], runs: int) -> dict:
    import jieba

    posseg = reference_posseg()
    project = getattr(extract_module, "pos_tags", None)
    tools = {
        "project: extract.pos_tags": project,
        "jieba.posseg.lcut (default, HMM on)": posseg.lcut,
        "jieba.posseg.lcut(HMM=False)": lambda t: posseg.lcut(t, HMM=False),
        "jieba.lcut (default, HMM on)": jieba.lcut,
        "jieba.lcut(HMM=False)": lambda t: jieba.lcut(t, HMM=False),
    }
    try:
        rj = rjieba_with_user_words()
        tools |= {
            "rjieba.tag(hmm=False)": lambda t: rj.tag(t, hmm=False),
            "rjieba.tag (default, hmm on)": rj.tag,
            "rjieba.cut(hmm=False)": lambda t: rj.cut(t, hmm=False),
        }
    except ImportError:
        rj = None
    whole = documents["text"].to_list()
    result = {"spans": {}, "whole_text": {}, "n_spans": len(spans), "n_documents": len(whole)}
    for scope, texts in (("spans", spans), ("whole_text", whole)):
        if not texts:
            continue
        for name, tool in tools.items():
            if tool is not None:
                result[scope][name] = throughput(tool, texts, runs)
                print(f"  {scope}: {name} {result[scope][name]['mb_per_s']} MB/s", flush=True)
    if rj is not None:
        samples = [normalize_text(decode_bytes(p.read_bytes()).text) for p in sorted(SAMPLES.glob("*.txt"))]
        reference = lambda t: [(p.word, p.flag) for p in posseg.lcut(t, HMM=False)]
        candidate = lambda t: rj.tag(t, hmm=False)
        result["rjieba_user_word_tags_not_applied"] = user_word_tags_not_applied(rj)
        result["rjieba_agreement"] = {
            "sample documents, whole text": tag_agreement(samples, reference, candidate),
            "spans the project tags": tag_agreement(spans, reference, candidate),
        }
    return result


def _project_mentions(sentence: str) -> list:
    return [(m.span(), parse_number(m.group("num"))) for m in MENTION.finditer(sentence)]


def number_alternatives(sentences: list[str], runs: int) -> dict:
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner when imported
            import jionlp
    except ImportError:
        return {"skipped": "jionlp is not installed (pip install -e '.[bench]')"}
    extract_money = jionlp.ner.extract_money
    tools = {
        "project: extract.find_mentions": find_mentions,
        "project: numbers.MENTION regex + parse_number": _project_mentions,
        "jionlp.ner.extract_money (with parsing)": extract_money,
        "jionlp.ner.extract_money(with_parsing=False)": lambda s: extract_money(s, with_parsing=False),
    }
    result = {"n_sentences": len(sentences), "tools": {}}
    for name, tool in tools.items():
        result["tools"][name] = throughput(tool, sentences, runs)
        print(f"  numbers: {name} {result['tools'][name]['mb_per_s']} MB/s", flush=True)
    result["found"] = money_overlap(sentences, extract_money)
    return result


def money_overlap(sentences: list[str], extract_money) -> dict:
    """What each finds: JioNLP only money; the project every figure (money is a part of it)."""
    jio_money = project_money = project_all = overlapping = 0
    for sentence in sentences:
        money_spans = [tuple(item["offset"]) for item in extract_money(sentence, with_parsing=False)]
        mentions = find_mentions(sentence)
        money = [m for m in mentions if m.base_unit == "元"]
        jio_money += len(money_spans)
        project_all += len(mentions)
        project_money += len(money)
        overlapping += sum(any(a < m.end and m.start < b for a, b in money_spans) for m in money)
    return {
        "jionlp_money_mentions": jio_money,
        "project_mentions_all_units": project_all,
        "project_money_mentions (base unit 元)": project_money,
        "project_money_mentions_overlapping_jionlp": overlapping,
    }


# ---------------------------------------------------------------- report


def library_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict:
    memory = next(
        (
            int(line.split()[1]) * 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        ),
        None,
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    names = (
        "govtargets",
        "polars",
        "duckdb",
        "jieba",
        "rjieba",
        "jionlp",
        "opencc",
        "prefect",
        "great-expectations",
        "charset-normalizer",
        "psutil",
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "ram_gb": round(memory / 2**30, 1) if memory else None,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": {name: library_version(name) for name in names},
    }


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def stage_table(size: dict) -> str:
    stages = size["stages"]
    total = stages["total_seconds_median"]
    rows = [
        [
            name,
            f"{s['seconds_median']:.2f}",
            f"{s['mb_per_s']:.2f}" if s["mb_per_s"] else "",
            f"{100 * s['seconds_median'] / total:.0f}%",
            s["peak_rss_mb_first_run"] or "",
            "" if s["rss_added_mb_first_run"] is None else f"{s['rss_added_mb_first_run']:+.0f}",
            s["includes"],
        ]
        for name, s in stages["stages"].items()
    ]
    rows.append(
        [
            "all stages",
            f"{total:.2f}",
            f"{stages['total_mb_per_s']:.2f}",
            "100%",
            stages["process_peak_rss_mb_first_run"],
            "",
            "sum of the stages",
        ]
    )
    header = [
        "stage",
        "s (median)",
        "MB/s",
        "share",
        "peak RSS MB (run 1)",
        "RSS added MB (run 1)",
        "includes",
    ]
    return markdown_table(header, rows)


def e2e_table(sizes: dict, startup: dict) -> str:
    rows = []
    for size in sizes.values():
        e2e = size.get("end_to_end")
        if not e2e or "error" in e2e:
            continue
        full, rerun = e2e["full"], e2e["incremental"]
        rows.append(
            [
                f"{size['corpus']['megabytes']:.1f}",
                size["corpus"]["n_files"],
                full["wall_s_median"],
                wall_with_range(startup),
                full["work_s"],
                full["mb_per_s_excl_startup"],
                full["pipeline_peak_mb_median"],
                full["workers_peak_mb_median"],
                full["prefect_server_peak_mb_median"],
                full["tree_peak_mb_median"],
                rerun["wall_s_median"],
                rerun["work_s"],
                rerun["work_cpu_s"],
            ]
        )
    return markdown_table(
        [
            "corpus MB",
            "files",
            "wall s",
            "start-up s (min-max)",
            "work s",
            "MB/s excl. start-up",
            "peak RSS pipeline MB",
            "peak RSS workers MB (sum)",
            "peak RSS Prefect server MB",
            "peak RSS tree MB",
            "re-run wall s",
            "re-run work s",
            "re-run work CPU s",
        ],
        rows,
    )


def alternatives_tables(alternatives: dict) -> str:
    out = []
    segmentation = alternatives.get("segmentation", {})
    for scope, title in (
        ("spans", "the spans the project tags"),
        ("whole_text", "whole normalized documents"),
    ):
        tools = segmentation.get(scope)
        if not tools:
            continue
        project = tools.get("project: extract.pos_tags", {}).get("mb_per_s")
        rows = [
            [name, r["mb"], r["mb_per_s"], f"{r['mb_per_s'] / project:.2f}x" if project else ""]
            for name, r in tools.items()
        ]
        out.append(
            f"Segmentation / POS tagging on {title}:\n\n"
            + markdown_table(["tool", "MB", "MB/s", "speed vs project"], rows)
        )
    for scope, agreement in segmentation.get("rjieba_agreement", {}).items():
        out.append(
            f"rjieba.tag vs jieba.posseg (both HMM off, user dictionary loaded), {scope}: "
            f"{agreement['identical_word_and_tag_pct']}% identical (word, tag), "
            f"{agreement['identical_segmentation_pct']}% identical segmentation, "
            f"of {agreement['reference_tokens']} tokens; most frequent tag differences: "
            + json.dumps(
                dict(list(agreement["top_tag_differences (jieba vs rjieba)"].items())[:5]), ensure_ascii=False
            )
        )
    ignored = segmentation.get("rjieba_user_word_tags_not_applied")
    if ignored:
        wanted = {word: tag for word, _, tag in _user_words()}
        out.append(
            "rjieba keeps its own tag for user-dictionary words it already knows: "
            + ", ".join(f"{word} {tag} (dictionary: {wanted[word]})" for word, tag in ignored.items())
        )
    numbers = alternatives.get("numbers", {})
    if numbers.get("tools"):
        project = numbers["tools"]["project: extract.find_mentions"]["mb_per_s"]
        rows = [
            [name, r["mb"], r["mb_per_s"], f"{r['mb_per_s'] / project:.2f}x"]
            for name, r in numbers["tools"].items()
        ]
        out.append(
            f"Number extraction on {numbers['n_sentences']} sentences:\n\n"
            + markdown_table(["tool", "MB", "MB/s", "speed vs find_mentions"], rows)
            + f"\n\nfound: {json.dumps(numbers['found'], ensure_ascii=False)}"
        )
    elif numbers.get("skipped"):
        out.append(f"Number extraction: skipped: {numbers['skipped']}")
    return "\n\n".join(out)


def goal_lines(sizes: dict, startup_walls: list[float], one_file: dict | None = None) -> list[str]:
    if not sizes:
        return []
    size = sizes.get(str(GOALS["goal_size_mb"])) or sizes[max(sizes, key=int)]
    e2e = size.get("end_to_end")
    if not e2e or "error" in e2e:
        return []
    label = f"{size['corpus']['megabytes']:.0f} MB"
    full, rerun = e2e["full"], e2e["incremental"]
    checks = [
        (
            f"end-to-end >= {GOALS['e2e_mb_per_s']} MB/s excl. start-up ({label})",
            full["mb_per_s_excl_startup"],
            full["mb_per_s_excl_startup"] >= GOALS["e2e_mb_per_s"],
        ),
        (
            f"peak RSS of the whole process tree <= {GOALS['peak_tree_gb']} GB ({label})",
            f"{full['tree_peak_mb_median']} MB (the pipeline process {full['pipeline_peak_mb_median']} MB)",
            full["tree_peak_mb_median"] <= GOALS["peak_tree_gb"] * 1e3,
        ),
        (
            f"incremental re-run <= {GOALS['incremental_work_s']} s of work ({label})",
            (
                f"{rerun['work_s']} s wall ({rerun['work_cpu_s']} s CPU; start-up wall varies "
                f"{min(startup_walls)}-{max(startup_walls)} s between runs, so a small or negative wall "
                "figure is within noise)"
            ),
            rerun["work_s"] <= GOALS["incremental_work_s"],
        ),
    ]
    if one_file:
        checks.append(
            (
                f"a run of one small file <= {GOALS['one_file_s']} s",
                f"{wall_with_range(one_file)} s wall",
                one_file["wall_s_median"] <= GOALS["one_file_s"],
            )
        )
    return [f"- {'met' if ok else 'NOT met'}: {goal}: {value}" for goal, value, ok in checks]


def report(result: dict) -> str:
    machine = result["machine"]
    parts = [
        (
            f"Machine: {machine['cpu']}, {machine['cores_usable']} usable cores, {machine['ram_gb']} GB RAM, "
            f"Python {machine['python']}; load average at start {machine['load_average_at_start']}. "
            f"Medians of {result['runs']} runs."
        )
    ]
    for size_mb, size in result["sizes"].items():
        corpus = size["corpus"]
        parts.append(
            f"### {size_mb} MB corpus: {corpus['n_files']} files, {corpus['megabytes']:.2f} MB raw, "
            f"mix {json.dumps(corpus['mix'])}"
        )
        stages = size.get("stages", {})
        if "error" in stages:
            parts.append(f"Stages: {stages['error']}")
        elif stages:
            parts.append(
                stage_table(size)
                + f"\n\ncounts: {json.dumps(stages['counts'])}; one-off warm-up of the stage process (jieba "
                f"dictionary, OpenCC, GX context), not in the stage times: {stages['warm_up_s']:.2f}s"
            )
        if "error" in size.get("end_to_end", {}):
            parts.append(f"End to end, {size_mb} MB: {size['end_to_end']['error']}")
    if result.get("startup_error"):
        parts.append(f"End to end: the start-up run failed: {result['startup_error']}")
    if result.get("startup"):
        parts.append("### End to end (`govtargets run` in a subprocess; start-up = empty input folder)")
        parts.append(
            f"start-up: {result['startup']['wall_s_median']}s wall, pipeline process peak RSS "
            f"{result['startup']['pipeline_peak_mb_median']} MB"
        )
        one = result.get("one_file") or {}
        if "error" in one:
            parts.append(f"one small file: the run failed: {one['error']}")
        elif one:
            parts.append(
                f"one small file (a new warehouse): {wall_with_range(one)} s wall, "
                f"whole tree peak RSS {one['tree_peak_mb_median']} MB"
            )
        if any("full" in size.get("end_to_end", {}) for size in result["sizes"].values()):
            parts.append(e2e_table(result["sizes"], result["startup"]))
            one_file = None if "error" in one else one
            goals = goal_lines(result["sizes"], result["startup"]["wall_s"], one_file)
            parts.append("\n".join(goals))
    if result.get("alternatives"):
        parts.append(
            f"### Alternatives (same process, same text: the first {result['alt_mb']} MB of the "
            f"{min(result['sizes'], key=int)} MB corpus)"
        )
        parts.append(alternatives_tables(result["alternatives"]))
    parts.append(f"Peak RSS of this benchmark process: {peak_rss_mb():.0f} MB")
    return "\n\n".join(parts)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,200", help="corpus sizes in MB, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (medians are reported)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "govtargets-bench")
    parser.add_argument(
        "--alt-mb",
        type=float,
        default=2.0,
        help="MB of normalized text of the smallest corpus for the alternatives",
    )
    parser.add_argument(
        "--max-rss-gb",
        type=float,
        default=16.0,
        help="kill an end-to-end run whose process tree outgrows this (the machine is shared)",
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--skip-stages", action="store_true")
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--skip-alternatives", action="store_true")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    result: dict = {
        "runs": args.runs,
        "seed": args.seed,
        "machine": machine_info(),
        "goals": GOALS,
        "sizes": {},
    }
    corpora = {}
    for size_mb in sizes:
        corpora[size_mb] = build_corpus(args.workdir, size_mb, args.seed)
        manifest = {k: v for k, v in corpora[size_mb].manifest.items() if k != "files"}
        result["sizes"][str(size_mb)] = {
            "corpus": manifest | {"megabytes": round(corpora[size_mb].megabytes, 3)}
        }
        print(f"corpus {size_mb} MB: {manifest['n_files']} files in {corpora[size_mb].path}", flush=True)
    if not args.skip_stages:
        for size_mb, corpus in corpora.items():
            print(f"stages, {size_mb} MB (in a process of their own)", flush=True)
            result["sizes"][str(size_mb)]["stages"] = isolated_stage_benchmark(
                corpus, args.runs, args.workdir
            )
    if not args.skip_e2e:
        e2e = EndToEnd(args.workdir, args.max_rss_gb)
        print("end to end: start-up", flush=True)
        try:
            result["startup"] = e2e.startup(args.runs)
        except RuntimeError as error:
            result["startup_error"] = str(error)
            print(f"  {error}", flush=True)
        if "startup" in result:
            print("end to end: one small file", flush=True)
            try:
                result["one_file"] = e2e.one_file(args.runs)
            except RuntimeError as error:  # reported, and the corpus sizes still run
                result["one_file"] = {"error": str(error)}
                print(f"  {error}", flush=True)
        for size_mb, corpus in corpora.items() if "startup" in result else ():
            print(f"end to end, {size_mb} MB", flush=True)
            try:
                size_result = end_to_end(e2e, corpus, args.runs, result["startup"])
            except RuntimeError as error:  # one size failing must not lose the others' results
                size_result = {"error": str(error)}
            result["sizes"][str(size_mb)]["end_to_end"] = size_result
        e2e.close()
    if not args.skip_alternatives:
        print("alternatives", flush=True)
        documents, spans, sentences = alternative_texts(corpora[sizes[0]], args.alt_mb)
        result["alt_mb"] = args.alt_mb
        result["alternatives"] = {
            "segmentation": segmentation_alternatives(documents, spans, args.runs),
            "numbers": number_alternatives(sentences, args.runs),
        }
    result["benchmark_peak_rss_mb"] = round(peak_rss_mb(), 1)
    text = report(result)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
