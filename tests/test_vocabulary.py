"""The vocabularies in transforms/vocab/: every file well formed, every pattern a regex."""

from __future__ import annotations

import csv
import re

import pytest
from govtargets.transforms.vocabulary import VOCAB_DIR, qualifiers, rows, words

CSV_FILES = sorted(path.stem for path in VOCAB_DIR.glob("*.csv"))
PATTERN_COLUMNS = ("pattern", "also")


@pytest.mark.parametrize("name", CSV_FILES)
def test_every_row_has_the_columns_of_its_header(name):
    with (VOCAB_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        header, *body = list(csv.reader(handle))
    assert body, name
    assert [line for line, row in enumerate(body, start=2) if len(row) != len(header)] == []


@pytest.mark.parametrize("name", CSV_FILES)
def test_every_pattern_compiles(name):
    for row in rows(name):
        for column in PATTERN_COLUMNS:
            if row.get(column):
                re.compile(row[column])


def test_word_classes_are_asked_for_by_name():
    assert "同比" in words("comparison")
    with pytest.raises(KeyError, match="no word class"):
        words("no such class")


def test_qualifiers_by_position_and_bound():
    assert "以上" in qualifiers(position="after", bound="floor")
    assert "以内" in qualifiers(bound="ceiling")
    assert set(qualifiers(position="inside")) == {"多", "余"}


def test_a_malformed_vocabulary_row_names_its_line(tmp_path, monkeypatch):
    from govtargets.transforms import vocabulary

    (tmp_path / "broken.csv").write_text(
        "cls,pattern,note\nyear,\\d{1,2}年,unquoted comma\n", encoding="utf-8"
    )
    monkeypatch.setattr(vocabulary, "VOCAB_DIR", tmp_path)
    with pytest.raises(vocabulary.VocabularyError, match="broken.csv, line 2"):
        vocabulary.rows("broken")
