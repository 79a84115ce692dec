"""A manifest: what the user knows of a file's region, year and type."""

from __future__ import annotations

import polars as pl
import pytest
from govtargets.transforms.documents import (
    ManifestError,
    apply_manifest,
    parse_manifest,
    unknown_metadata,
)


def table(text: str) -> pl.DataFrame:
    from io import StringIO

    return pl.read_csv(StringIO(text), infer_schema=False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name,year\na.txt,2020\n", "no column 'file'"),
        ("file,year,colour\na.txt,2020,red\n", "unknown column 'colour'"),
        ("file,year\na.txt,20x0\n", "line 2: year '20x0' is not a year"),
        ("file,doc_type\na.txt,speech\n", "line 2: doc_type 'speech' is not one of"),
        ("file,year\n,2020\n", "line 2: the file name is blank"),
        ("file,year\na.txt,2020\na.txt,2021\n", "'a.txt' is listed more than once"),
    ],
)
def test_a_bad_manifest_is_an_error_naming_the_row(text, problem):
    with pytest.raises(ManifestError, match=problem):
        parse_manifest(table(text), "m.csv")


def test_a_manifest_sets_only_what_it_gives():
    documents = pl.DataFrame(
        {
            "source_name": ["a.txt", "b.txt", "c.txt"],
            "region": [None, "德州市", None],
            "year": [None, 2020, None],
            "year_source": [None, "text", None],
            "doc_type": [None, "work_report", None],
        },
        schema_overrides={"year": pl.Int32},
    )
    manifest = parse_manifest(table("file,region,year,doc_type\na.txt,聊城市,2019,\nb.txt,,,news_summary\n"))
    out = apply_manifest(documents, manifest)
    assert out.rows() == [
        ("a.txt", "聊城市", 2019, "manifest", None),
        ("b.txt", "德州市", 2020, "text", "news_summary"),
        ("c.txt", None, None, None, None),
    ]
    assert unknown_metadata(out) == {"a.txt": ["doc_type"], "c.txt": ["region", "year", "doc_type"]}
