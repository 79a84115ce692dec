"""Top keywords of a document by jieba's TF-IDF, with the policy stop words and vocabulary."""

from __future__ import annotations

import copy

import jieba.analyse
import polars as pl
from govtargets.transforms.keywords import (
    JIEBA_STOP_WORDS,
    QUANTITY,
    STOP_WORDS,
    document_keywords,
    idf_table,
    keywords_frame,
    own_region_names,
)
from govtargets.transforms.lexicon import words

REPORT = (
    "今年以来,我们坚持发展第一要务,全面推进棚户区改造,新开工棚户区改造13496套,"
    "老旧小区整治改造136个,高标准农田建设50万亩。棚户区改造惠及群众3万户,"
    "德州市科技型中小企业达到900家,高新技术企业新增100家,德州工业技改项目200个。"
)


def stop_words() -> set[str]:
    return set(STOP_WORDS.read_text(encoding="utf-8").split())


def test_policy_terms_stay_whole_and_lead_the_list():
    words = [word for word, _ in document_keywords(REPORT, "德州市")]
    assert words[0] == "棚户区改造"  # one term of the user dictionary, not 棚户区 + 改造
    assert {"科技型中小企业", "高新技术企业", "技改项目", "高标准农田"} <= set(words)


def test_no_stop_word_amount_unit_or_own_region_name():
    words = {word for word, _ in document_keywords(REPORT, "德州市")}
    assert not words & stop_words()
    assert not words & {"13496", "136", "万亩", "万户", "德州", "德州市"}


def test_weights_descend_and_ties_are_broken_by_the_word():
    pairs = document_keywords(REPORT * 3, None, top_k=50)
    assert pairs == sorted(pairs, key=lambda pair: (-pair[1], pair[0]))


def test_frame_has_top_k_ranked_rows_per_document():
    documents = pl.DataFrame(
        {
            "doc_id": ["a", "b"],
            "region": ["德州市", "聊城市"],
            "text": [REPORT, REPORT.replace("德州", "聊城")],
        }
    )
    frame = keywords_frame(documents, top_k=5)
    assert frame.columns == ["doc_id", "rank", "keyword", "weight"]
    assert frame.group_by("doc_id").agg(pl.col("rank")).sort("doc_id")["rank"].to_list() == [
        [1, 2, 3, 4, 5],
        [1, 2, 3, 4, 5],
    ]
    assert keywords_frame(documents, top_k=5).equals(frame)  # deterministic


def test_empty_documents_give_an_empty_frame_with_its_columns():
    frame = keywords_frame(pl.DataFrame(schema={"doc_id": pl.Utf8, "region": pl.Utf8, "text": pl.Utf8}))
    assert frame.is_empty() and frame.columns == ["doc_id", "rank", "keyword", "weight"]


class ProjectCutter:
    """What jieba.analyse needs of a tokenizer, done by the project's segmenter (`words`)."""

    @staticmethod
    def cut(text: str) -> list[str]:
        return words(text)


def jiebas_extractor() -> jieba.analyse.TFIDF:
    """jieba's own TF-IDF extractor, cutting as the project cuts, with the policy stop words: the
    reference keywords_frame must agree with."""
    extractor = copy.copy(jieba.analyse.default_tfidf)
    extractor.stop_words = jieba.analyse.TFIDF.STOP_WORDS.copy()
    extractor.tokenizer = ProjectCutter()
    extractor.set_stop_words(str(STOP_WORDS))
    return extractor


def test_the_idf_table_and_stop_words_are_jiebas():
    table, median = idf_table()
    assert table.height == len(jieba.analyse.default_tfidf.idf_freq)  # a line per word: nothing overridden
    assert dict(table.iter_rows()) == jieba.analyse.default_tfidf.idf_freq
    assert median == jieba.analyse.default_tfidf.median_idf
    assert jieba.analyse.TFIDF.STOP_WORDS == JIEBA_STOP_WORDS


def test_weights_are_jiebas_own_for_every_word_of_a_batch():
    # keywords_frame computes extract_tags' weights for a whole batch in Polars: they must be
    # jieba's, to the last bit, and the words the same (less amounts and the own region's names)
    texts = {"a": (REPORT, "德州市"), "b": (REPORT.replace("德州", "聊城") * 2, "聊城市"), "c": ("", None)}
    documents = pl.DataFrame(
        {
            "doc_id": list(texts),
            "region": [r for _, r in texts.values()],
            "text": [t for t, _ in texts.values()],
        }
    )
    frame = keywords_frame(documents, top_k=1000)
    for doc_id, (text, region) in texts.items():
        expected = sorted(
            (
                (word, weight)
                for word, weight in jiebas_extractor().extract_tags(text, topK=None, withWeight=True)
                if word not in own_region_names(region) and not QUANTITY.fullmatch(word)
            ),
            key=lambda pair: (-pair[1], pair[0]),
        )
        assert frame.filter(pl.col("doc_id") == doc_id).select("keyword", "weight").rows() == expected
    assert frame["doc_id"].unique(maintain_order=True).to_list() == ["a", "b"]  # in the documents' order


def test_a_batch_weighed_a_slice_at_a_time_gives_what_it_gives_at_once(monkeypatch):
    from govtargets.transforms import keywords

    texts = [REPORT, "", REPORT.replace("德州", "聊城") * 2, REPORT[:40], REPORT * 3]
    documents = pl.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(len(texts))],
            "region": ["德州市", None, "聊城市", None, "德州市"],
            "text": texts,
        }
    )
    monkeypatch.setattr(keywords, "KEYWORD_SLICE_CHARACTERS", 10**9)
    at_once = keywords_frame(documents)
    monkeypatch.setattr(keywords, "KEYWORD_SLICE_CHARACTERS", 1)  # a document a slice
    assert keywords_frame(documents).equals(at_once)
    assert at_once["doc_id"].unique(maintain_order=True).to_list() == ["d0", "d2", "d3", "d4"]


def test_word_counts_are_the_same_made_into_one_frame_or_many(monkeypatch):
    from govtargets.transforms import keywords

    texts = [REPORT, "", REPORT.replace("德州", "聊城"), "棚户区改造", REPORT[:40]]
    documents = pl.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    one_frame = keywords.word_counts(documents)
    monkeypatch.setattr(keywords, "PAIRS_PER_FRAME", 1)  # a frame per document with words
    assert keywords.word_counts(documents).equals(one_frame)
    assert one_frame["doc_id"].unique(maintain_order=True).to_list() == ["d0", "d2", "d3", "d4"]
    counts = dict(one_frame.filter(pl.col("doc_id") == "d3").select("keyword", "count").rows())
    assert counts == {"棚户区改造": 1.0}
