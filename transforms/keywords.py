"""Documents -> their top keywords by jieba's TF-IDF extractor, the policy vocabulary kept whole."""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import polars as pl
from govtargets.transforms.lexicon import words
from govtargets.transforms.numbers import ARABIC, BASE_UNITS, CHINESE, MAGNITUDES, PERCENT_UNITS, TIME_UNITS
from govtargets.transforms.vocabulary import VOCAB_DIR, word_pattern

if TYPE_CHECKING:
    import jieba.analyse

TOP_K = 20
STOP_WORDS = VOCAB_DIR / "stop_words.txt"
KEYWORD_SCHEMA = {"doc_id": pl.Utf8, "rank": pl.Int32, "keyword": pl.Utf8, "weight": pl.Float64}
DOCUMENT_COLUMNS = {"doc_id": pl.Utf8, "region": pl.Utf8, "text": pl.Utf8}  # what keywords_frame reads
# "100", "三年", "万亩", "亿元": an amount or a unit says nothing about what a document is about.
QUANTITY = re.compile(
    rf"(?:{ARABIC}|{CHINESE})?(?:{'|'.join(MAGNITUDES)})?"
    rf"(?:{'|'.join(re.escape(unit) for unit in PERCENT_UNITS + BASE_UNITS + TIME_UNITS)})?"
)
REGION_SUFFIX = re.compile(word_pattern("area_suffix") + "$")


class FastCutter:
    """What jieba.analyse needs of a tokenizer (`cut`), done by the project's segmenter: the same
    dictionary and user words as jieba without its HMM guesses, at a tenth of jieba.cut's cost.
    The HMM's new words are mostly fragments ("至京台") that would only be noise among keywords."""

    @staticmethod
    def cut(text: str) -> list[str]:
        return words(text)


@lru_cache(maxsize=1)
def extractor() -> jieba.analyse.TFIDF:
    """jieba's TF-IDF extractor (its default IDF table) with the policy stop words.

    An instance of our own, so the stop words do not leak into jieba's module-level default; a
    copy of that default, so the two share its IDF table (~35 MB per process, read only) instead
    of jieba loading it again.
    """
    import jieba.analyse  # here: importing it loads its IDF table, which only extraction needs

    keyword_extractor = copy.copy(jieba.analyse.default_tfidf)
    keyword_extractor.stop_words = jieba.analyse.TFIDF.STOP_WORDS.copy()
    keyword_extractor.tokenizer = FastCutter()
    keyword_extractor.set_stop_words(str(STOP_WORDS))
    return keyword_extractor


def own_region_names(region: str | None) -> set[str]:
    """The region with and without its suffix (德州市, 德州): the region column already says it."""
    if not region:
        return set()
    return {region, REGION_SUFFIX.sub("", region)}


def document_keywords(text: str, region: str | None, top_k: int = TOP_K) -> list[tuple[str, float]]:
    """The top_k (keyword, weight) pairs of one text, heaviest first; ties broken by the keyword."""
    documents = pl.DataFrame(
        {"doc_id": ["text"], "region": [region], "text": [text]}, schema=DOCUMENT_COLUMNS
    )
    return keywords_frame(documents, top_k).select("keyword", "weight").rows()


def keywords_frame(documents: pl.DataFrame, top_k: int = TOP_K) -> pl.DataFrame:
    """One row per document and keyword rank, in the documents' order (documents need doc_id,
    region, text).

    The weights are jieba's `extract_tags` weights (a word's count in the document times its IDF,
    over the number of words the document counts), worked out for the whole batch at once: jieba
    does it in a Python loop over every word of every document, a sixth of extraction's time.
    Python is left with what is decided once per distinct word (`counted_words`);
    test_keywords.py checks the weights against jieba's own.
    """
    counts = word_counts(documents)
    order = documents.select("doc_id").with_row_index("document")
    return (
        counts.join(counted_words(counts.get_column("keyword").unique()), on="keyword", how="inner")
        .with_columns(weight=pl.col("count") * (pl.col("idf") / pl.col("count").sum().over("doc_id")))
        .filter(~pl.col("quantity"))
        .join(own_region_words(documents), on=["doc_id", "keyword"], how="anti")
        .join(order, on="doc_id", how="left")
        .sort(["document", "weight", "keyword"], descending=[False, True, False])
        .group_by("document", maintain_order=True)
        .head(top_k)
        .select(
            "doc_id",
            rank=pl.int_range(1, pl.len() + 1).over("document"),
            keyword="keyword",
            weight="weight",
        )
        .cast(KEYWORD_SCHEMA)
    )


def word_counts(documents: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, keyword, count): how often each word of the segmenter's cut occurs in its document."""
    cut = [words(text or "") for text in documents.get_column("text")]
    return (
        pl.DataFrame(
            {"doc_id": documents.get_column("doc_id"), "keyword": cut},
            schema={"doc_id": pl.Utf8, "keyword": pl.List(pl.Utf8)},
        )
        .explode("keyword")
        .drop_nulls("keyword")
        .group_by("doc_id", "keyword")
        .agg(count=pl.len().cast(pl.Float64))
    )


def counted_words(distinct: pl.Series) -> pl.DataFrame:
    """(keyword, idf, quantity) for the words jieba counts, as `extract_tags` decides it: two or more
    characters besides white space, not a stop word (compared lower-cased), the IDF of its table or
    the table's median; `quantity` marks an amount or unit, which is counted but never a keyword."""
    tfidf = extractor()
    rows = [
        (word, tfidf.idf_freq.get(word, tfidf.median_idf), QUANTITY.fullmatch(word) is not None)
        for word in distinct
        if len(word.strip()) >= 2 and word.lower() not in tfidf.stop_words
    ]
    return pl.DataFrame(
        rows, schema={"keyword": pl.Utf8, "idf": pl.Float64, "quantity": pl.Boolean}, orient="row"
    )


def own_region_words(documents: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, keyword) of each document's own region names: counted, but never its keywords."""
    rows = [
        (doc_id, name)
        for doc_id, region in documents.select("doc_id", "region").iter_rows()
        for name in own_region_names(region)
    ]
    return pl.DataFrame(rows, schema={"doc_id": pl.Utf8, "keyword": pl.Utf8}, orient="row")
