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


def test_an_areas_name_as_texts_call_it():
    import re

    from govtargets.transforms.vocabulary import area_name_pattern

    names = ["德州市", "北京市", "西藏自治区", "广西壮族自治区", "新疆维吾尔自治区", "西双版纳傣族自治州",
             "德宏傣族景颇族自治州", "湘西土家族苗族自治州", "柳林县", "全国"]  # fmt: skip
    assert [re.sub(area_name_pattern(), r"\1", name) for name in names] == [
        "德州", "北京", "西藏", "广西", "新疆", "西双版纳", "德宏", "湘西", "柳林", "全国",
    ]  # fmt: skip
