"""govtargets: Chinese government work reports -> validated target records in DuckDB.

The source folders `flows/`, `transforms/`, `expectations/` and `warehouse/` are installed as
subpackages of this one (pyproject.toml maps them), so the distribution claims only this name.

    govtargets.extract(text_or_path, *, region=None, year=None) -> polars.DataFrame
    govtargets.connect(warehouse=None) -> a read-only DuckDB connection
"""

import os
from importlib import metadata

# Polars allocates through its own jemalloc, which keeps the pages of freed frames for reuse (~10 s):
# a process that takes batch after batch held ~60 MB more than it used (a worker between 4 MB
# batches 412 -> 348 MB, the flow validating them 575 -> 510 MB, in the same time). This is how
# Polars takes allocator settings: it puts its own defaults in front of these when it loads, and
# jemalloc reads them once, so they are set before anything here imports Polars (a process that
# imported Polars first keeps its defaults); the run's worker processes inherit them. A setting of
# the user's own wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

from govtargets.api import GovtargetsWarning, UnusableDocument, connect, extract

__version__ = metadata.version("govtargets")
__all__ = ["GovtargetsWarning", "UnusableDocument", "__version__", "connect", "extract"]
