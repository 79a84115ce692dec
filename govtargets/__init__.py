"""govtargets: Chinese government work reports -> validated target records in DuckDB.

The source folders `flows/`, `transforms/`, `expectations/` and `warehouse/` are installed as
subpackages of this one (pyproject.toml maps them), so the distribution claims only this name.
"""

from importlib import metadata

__version__ = metadata.version("govtargets")
