"""govtargets: Chinese government work reports -> validated target records in DuckDB.

The source folders `flows/`, `transforms/`, `expectations/` and `warehouse/` are installed as
subpackages of this one (pyproject.toml maps them), so the distribution claims only this name.

    govtargets.extract(text_or_path, *, region=None, year=None) -> polars.DataFrame
    govtargets.connect(warehouse=None) -> a read-only DuckDB connection
"""

from importlib import metadata

from govtargets.api import GovtargetsWarning, UnusableDocument, connect, extract

__version__ = metadata.version("govtargets")
__all__ = ["GovtargetsWarning", "UnusableDocument", "__version__", "connect", "extract"]
