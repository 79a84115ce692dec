"""Frames built from sentences: clause spans."""

from __future__ import annotations

import polars as pl

from transforms.records import CLAUSE, SENTENCE_SCHEMA, clause_frame

SENTENCES = [
    "城镇新增就业5万人,登记失业率控制在3%以内。",
    ",,开头的分隔符;;和连续的分隔符:,不成子句。",
    "含扩展汉字𠀀的子句,长度按字符计!",
    ",;:",
    "没有分隔符",
]


def sentence_rows() -> pl.DataFrame:
    rows = [
        {
            "doc_id": "d",
            "paragraph": i,
            "char_start": 100 * i,
            "sentence": sentence,
            "section": None,
            "section_kind": "plan",
            "section_year": 2024,
        }
        for i, sentence in enumerate(SENTENCES)
    ]
    return pl.DataFrame(rows, schema=SENTENCE_SCHEMA)


def test_clauses_are_the_clause_matches_of_each_sentence_with_text_offsets():
    expected = [
        (100 * i + m.start(), 100 * i + m.end(), 100 * i, m.group(0))
        for i, sentence in enumerate(SENTENCES)
        for m in CLAUSE.finditer(sentence)
    ]
    clauses = clause_frame(sentence_rows())
    assert clauses.select("char_start", "char_end", "sentence_start", "text").rows() == expected
    # delimiters that open a sentence or follow another delimiter belong to no clause
    assert tuple(clauses["text"][2:5]) == ("开头的分隔符;", "和连续的分隔符:", "不成子句。")


def test_no_sentences_no_clauses():
    assert clause_frame(pl.DataFrame(schema=SENTENCE_SCHEMA)).is_empty()
