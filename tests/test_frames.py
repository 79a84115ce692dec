"""Frames built from sentences and records: clause spans, responsible units."""

from __future__ import annotations

import polars as pl
from govtargets.transforms.records import CLAUSE, SENTENCE_SCHEMA, clause_frame, target_units_frame

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


NOTICE = (
    "重点任务如下。\n"
    "1.新开工棚户区改造1000套。(牵头单位:市住房城乡建设局;参与单位:市财政局、市自然资源局)\n"
    "说明文字,新增5个项目。\n"
    "2.新建学校3所。(牵头单位:市教育体育局)\n"
)


def test_records_get_the_units_of_the_task_they_are_in():
    documents = pl.DataFrame({"doc_id": ["a", "b"], "text": [NOTICE, "2.其他文件3家。(牵头单位:市商务局)"]})
    first, between, second = NOTICE.index("1000"), NOTICE.index("5个"), NOTICE.index("3所")
    closing = NOTICE.index("(牵头单位:市教育")
    targets = pl.DataFrame(
        {
            "doc_id": ["a", "b", "a", "a", "a", "a"],
            "record_id": ["first", "other", "between", "second", "note", "after"],
            "char_start": [first, 2, between, second, closing, len(NOTICE) - 1],
        }
    )
    units = target_units_frame(documents, targets)
    assert units.rows() == [
        ("first", "市住房城乡建设局", "lead"),
        ("first", "市财政局", "partner"),
        ("first", "市自然资源局", "partner"),
        ("other", "市商务局", "lead"),
        ("second", "市教育体育局", "lead"),
        ("note", "市教育体育局", "lead"),
    ]


def test_a_batch_extracted_a_slice_at_a_time_gives_what_it_gives_at_once(monkeypatch):
    from pathlib import Path

    from govtargets.flows import batch
    from govtargets.transforms.documents import document_row, documents_frame

    corpus = Path(__file__).resolve().parent.parent / "samples" / "corpus"
    documents = documents_frame([document_row(p.name, p.read_bytes()) for p in sorted(corpus.glob("*.txt"))])
    monkeypatch.setattr(batch, "EXTRACT_SLICE_CHARACTERS", 10**9)
    at_once = batch.extract_records(documents)
    monkeypatch.setattr(batch, "EXTRACT_SLICE_CHARACTERS", 1)  # a document a slice
    sliced = batch.extract_records(documents)
    for name in ("targets", "qualitative", "units", "clauses", "keywords"):
        assert getattr(sliced, name).equals(getattr(at_once, name)), name
    assert at_once.targets["doc_id"].n_unique() == documents.height  # every document has records


def test_no_documents_extract_to_empty_frames_with_their_columns():
    from govtargets.flows.batch import extract_records
    from govtargets.transforms.documents import DOCUMENT_SCHEMA

    extracted = extract_records(pl.DataFrame(schema=DOCUMENT_SCHEMA))
    assert extracted.targets.is_empty() and "record_id" in extracted.targets.columns
    assert extracted.clauses.is_empty() and extracted.keywords.columns == [
        "doc_id",
        "rank",
        "keyword",
        "weight",
    ]
