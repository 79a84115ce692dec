"""The input folder, walked: every file govtargets reads, and every entry it meets and does not read.

A file's identity is its path relative to the input folder (`source_path`, always with `/`), so
`德州市/2021.txt` and `聊城市/2021.txt` are two documents. Nothing the walk meets is skipped
without a trace: what is not read (a format govtargets does not read, a hidden file, a symbolic link
that loops or points nowhere, a pipe) is a rejected entry with its reason, recorded like a file
that fails to decode.

Symbolic links are followed, to files and to folders alike; a link back to a folder being walked is
a `symlink_loop`, and a second way into a folder already walked is a `duplicate` of the first.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from govtargets.transforms.formats import source_format, unsupported_detail


@dataclass
class Inventory:
    """root: the input folder. files: the report files to read, by source path, in the walk's order
    (a file's path is `root / source_path`, symbolic links followed as the walk followed them): one
    short string per file, since a run holds the inventory of the whole corpus."""

    root: Path
    files: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # path, source_path, doc_id, reason, detail

    def reject(self, path: Path, source_path: str, reason: str, detail: str) -> None:
        self.rejected.append(
            {
                "path": str(path),
                "source_path": source_path,
                "doc_id": None,
                "reason": reason,
                "detail": detail,
            }
        )


def walk_input(root: Path) -> Inventory:
    """Every entry under `root`, in a stable order (by path)."""
    inventory = Inventory(root)
    root_stat = root.stat()
    _walk(root, "", {(root_stat.st_dev, root_stat.st_ino): "."}, {}, inventory)
    return inventory


def _walk(folder: Path, prefix: str, ancestors: dict, walked: dict, inventory: Inventory) -> None:
    """ancestors: the folders on the way down (a link to one of them loops); walked: every folder
    walked so far, by (device, inode), with its source path."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        inventory.reject(folder, prefix.rstrip("/") or ".", "unreadable", f"cannot list the folder: {error}")
        return
    for entry in entries:
        path, source_path = Path(entry.path), prefix + entry.name
        if entry.name.startswith("."):
            inventory.reject(path, source_path, "hidden", "hidden files and folders are not read")
            continue
        try:
            info = os.stat(path)  # follows symbolic links
        except OSError as error:
            _reject_unstattable(inventory, path, source_path, entry, error)
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                inventory.reject(path, source_path, "symlink_loop", f"links back to {ancestors[key]}")
            elif key in walked:
                inventory.reject(path, source_path, "duplicate", f"the same folder as {walked[key]}")
            else:
                walked[key] = source_path
                _walk(path, source_path + "/", ancestors | {key: source_path}, walked, inventory)
        elif not stat.S_ISREG(info.st_mode):
            inventory.reject(
                path, source_path, "special_file", "not a regular file (a pipe, socket or device)"
            )
        elif source_format(entry.name) is None:
            inventory.reject(path, source_path, "unsupported_format", unsupported_detail(entry.name))
        else:
            inventory.files.append(source_path)


def _reject_unstattable(inventory: Inventory, path: Path, source_path: str, entry, error: OSError) -> None:
    if error.errno == errno.ELOOP:
        inventory.reject(path, source_path, "symlink_loop", "a symbolic link that leads back to itself")
    elif entry.is_symlink():
        inventory.reject(
            path, source_path, "unreadable", f"a symbolic link to {os.readlink(path)}, which is missing"
        )
    else:
        inventory.reject(path, source_path, "unreadable", str(error))


def read_once(path: Path) -> tuple[bytes, int]:
    """The file's bytes, read in one go, and its size just after: a size that differs says the file
    was being written while it was read (what was read is what is loaded, and hashed)."""
    with open(path, "rb") as handle:
        data = handle.read()
        return data, os.fstat(handle.fileno()).st_size


# --- batches: the unit of parallel work ------------------------------------------------------


@dataclass(frozen=True)
class FileBatch:
    """Consecutive input files, a few MB in all: the unit of parallel work."""

    number: int
    root: Path  # the input folder
    source_paths: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.number:04d} ({len(self.source_paths)} files)"

    def files(self) -> Iterator[tuple[Path, str]]:
        """Each file's path and source path."""
        for source_path in self.source_paths:
            yield self.root / source_path, source_path


def plan_batches(root: Path, source_paths: list[str], batch_mb: float) -> list[FileBatch]:
    """Consecutive files under `root` grouped to about `batch_mb` each (a file larger than that is
    a batch)."""
    limit = batch_mb * 1e6
    batches, current, size = [], [], 0
    for source_path in source_paths:
        try:
            length = os.stat(root / source_path).st_size
        except OSError:
            length = 0  # ingest records why it cannot be read
        if current and size + length > limit:
            batches.append(FileBatch(len(batches), root, tuple(current)))
            current, size = [], 0
        current.append(source_path)
        size += length
    if current:
        batches.append(FileBatch(len(batches), root, tuple(current)))
    return batches
