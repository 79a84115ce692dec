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
    """The top_k (keyword, weight) pairs, heaviest first; ties broken by the keyword."""
    excluded = own_region_names(region)
    weighted = [
        (word, weight)
        for word, weight in extractor().extract_tags(text, topK=None, withWeight=True)
        if word not in excluded and not QUANTITY.fullmatch(word)
    ]
    return sorted(weighted, key=lambda pair: (-pair[1], pair[0]))[:top_k]


def keywords_frame(documents: pl.DataFrame, top_k: int = TOP_K) -> pl.DataFrame:
    """One row per document and keyword rank (documents need doc_id, region, text)."""
    rows = [
        {"doc_id": doc_id, "rank": rank, "keyword": keyword, "weight": weight}
        for doc_id, region, text in documents.select("doc_id", "region", "text").iter_rows()
        for rank, (keyword, weight) in enumerate(document_keywords(text, region, top_k), start=1)
    ]
    return pl.DataFrame(rows, schema=KEYWORD_SCHEMA)
