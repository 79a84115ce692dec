"""Which input files need work: file identity by path, document identity by bytes.

A document is the bytes of a file (doc_id, their sha256); a file is its path relative to the input
folder (source_path). Set against what the warehouse holds, each file of a run is one of:

- unchanged: its bytes are loaded, from this path, by this extractor: nothing to do;
- relocated: its bytes are loaded from another path that no longer holds them (a rename or a move),
  or were loaded from here and marked removed (the file is back): the document follows the file,
  its records are kept;
- a duplicate: another file of the run has the same bytes (the one already loaded from its path, or
  else the first by path);
- rejected before: its bytes were rejected at this path by this extractor: not read again;
- to ingest: anything else (new bytes, another extractor version, a full refresh).

A document loaded from a path that the run no longer finds, whose bytes are nowhere in the folder,
is removed (the file was deleted). Pure: the hashes come from the caller.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl

# What the warehouse knows: its current documents (superseded ones are history) ...
KNOWN_DOCUMENTS_SCHEMA = {
    "doc_id": pl.Utf8,
    "source_path": pl.Utf8,
    "extractor_version": pl.Utf8,
    "removed_in_run": pl.Utf8,
}
# ... and the files it rejected for what their bytes are (decoding, format), by this extractor.
KNOWN_REJECTIONS_SCHEMA = {"source_path": pl.Utf8, "doc_id": pl.Utf8}


@dataclass
class FilePlan:
    to_ingest: list[str] = field(default_factory=list)  # source paths
    unchanged: list[str] = field(default_factory=list)
    relocated: list[tuple[str, str, str | None]] = field(default_factory=list)  # doc_id, new path, old path
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # source path, doc_id, first path
    rejected_before: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # doc_id, its last source path

    @property
    def skipped(self) -> int:
        """Files this run does not read again."""
        return len(self.unchanged) + len(self.relocated) + len(self.duplicates) + len(self.rejected_before)


def plan_files(
    hashes: dict[str, str | None],
    known: pl.DataFrame,
    rejected: pl.DataFrame,
    extractor_version: str,
    full_refresh: bool = False,
) -> FilePlan:
    """hashes: source path -> sha256 of the file's bytes (None: could not be read; ingestion says why)."""
    plan = FilePlan()
    by_doc = {row["doc_id"]: row for row in known.iter_rows(named=True)}
    rejected_here = set(rejected.select("source_path", "doc_id").iter_rows())
    paths_by_doc: dict[str, list[str]] = defaultdict(list)
    for source_path in sorted(hashes):
        if hashes[source_path] is None:
            plan.to_ingest.append(source_path)
        else:
            paths_by_doc[hashes[source_path]].append(source_path)

    for doc_id, paths in paths_by_doc.items():
        row = by_doc.get(doc_id)
        keeper = row["source_path"] if row is not None and row["source_path"] in paths else paths[0]
        plan.duplicates += [(path, doc_id, keeper) for path in paths if path != keeper]
        if row is None and (keeper, doc_id) in rejected_here and not full_refresh:
            plan.rejected_before.append(keeper)
        elif row is None or full_refresh or row["extractor_version"] != extractor_version:
            plan.to_ingest.append(keeper)
        elif keeper != row["source_path"] or row["removed_in_run"] is not None:
            plan.relocated.append((doc_id, keeper, row["source_path"]))
        else:
            plan.unchanged.append(keeper)

    plan.removed = [
        (row["doc_id"], row["source_path"])
        for row in by_doc.values()
        if row["removed_in_run"] is None
        and row["doc_id"] not in paths_by_doc
        and row["source_path"] not in hashes
    ]
    plan.to_ingest.sort()
    return plan
