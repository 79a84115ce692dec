"""Documents -> their top keywords by TF-IDF, the policy vocabulary kept whole.

The weights are those of jieba's keyword extractor (`jieba.analyse.extract_tags`): a word's count
in its document times the word's IDF in jieba's table (the table's median for a word it lacks),
over the number of words the document counts (two characters or more, not a stop word). They are
worked out for a whole batch at once in Polars, where jieba loops over every word of every document
in Python (a sixth of extraction's time), and the IDF table is read from jieba's own file into a
frame (~8 MB) instead of the dict of Python floats jieba.analyse loads in every process that
imports it (~47 MB). tests/test_keywords.py checks words and weights against jieba's extractor,
bit for bit.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import polars as pl
from govtargets.transforms.documents import document_slices
from govtargets.transforms.lexicon import words
from govtargets.transforms.numbers import ARABIC, BASE_UNITS, CHINESE, MAGNITUDES, PERCENT_UNITS, TIME_UNITS
from govtargets.transforms.vocabulary import VOCAB_DIR, area_name_pattern

TOP_K = 20
KEYWORD_SLICE_CHARACTERS = 200_000  # of text weighed at once (a 4 MB batch is ~1.5 M characters)
STOP_WORDS = VOCAB_DIR / "stop_words.txt"
# jieba.analyse's own stop words (KeywordExtractor.STOP_WORDS), which its extractor adds to any
# list it is given; tests/test_keywords.py checks that they are still jieba's.
JIEBA_STOP_WORDS = frozenset((
    "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as", "on",
    "with", "can", "if", "from", "which", "you", "it", "this", "then", "at", "have", "all", "not",
    "one", "has", "or",
))  # fmt: skip
KEYWORD_SCHEMA = {"doc_id": pl.Utf8, "rank": pl.Int32, "keyword": pl.Utf8, "weight": pl.Float64}
DOCUMENT_COLUMNS = {"doc_id": pl.Utf8, "region": pl.Utf8, "text": pl.Utf8}  # what keywords_frame reads
IDF_SCHEMA = {"keyword": pl.Utf8, "idf": pl.Float64}
WORD_COUNT_SCHEMA = {"doc_id": pl.Utf8, "keyword": pl.Utf8, "count": pl.Float64}
PAIRS_PER_FRAME = 20_000  # (document, word) pairs counted in Python before they become a frame
# "100", "三年", "万亩", "亿元": an amount or a unit says nothing about what a document is about.
QUANTITY = re.compile(
    rf"(?:{ARABIC}|{CHINESE})?(?:{'|'.join(MAGNITUDES)})?"
    rf"(?:{'|'.join(re.escape(unit) for unit in PERCENT_UNITS + BASE_UNITS + TIME_UNITS)})?"
)
AREA_NAME = re.compile(area_name_pattern())


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """jieba's stop words and the policy ones, the file read as jieba reads one (a word a line)."""
    return JIEBA_STOP_WORDS | frozenset(STOP_WORDS.read_bytes().decode("utf-8").splitlines())


def jieba_idf_file() -> Path:
    # found, not imported: importing jieba.analyse would load the table as jieba does
    return Path(importlib.util.find_spec("jieba.analyse").submodule_search_locations[0]) / "idf.txt"


@lru_cache(maxsize=1)
def idf_table() -> tuple[pl.DataFrame, float]:
    """jieba's IDF table ("word idf" a line, a line per word: tests/test_keywords.py checks it, as
    deduplicating here would cost ~80 MB for a moment) and its median as jieba takes it: the middle
    value of the sorted values."""
    table = pl.read_csv(jieba_idf_file(), separator=" ", has_header=False, quote_char=None, schema=IDF_SCHEMA)
    return table, table.get_column("idf").sort()[table.height // 2]


def own_region_names(region: str | None) -> set[str]:
    """The region with and without its suffix (德州市, 德州): the region column already says it."""
    if not region:
        return set()
    return {region, AREA_NAME.sub(r"\1", region)}


def document_keywords(text: str, region: str | None, top_k: int = TOP_K) -> list[tuple[str, float]]:
    """The top_k (keyword, weight) pairs of one text, heaviest first; ties broken by the keyword."""
    documents = pl.DataFrame(
        {"doc_id": ["text"], "region": [region], "text": [text]}, schema=DOCUMENT_COLUMNS
    )
    return keywords_frame(documents, top_k).select("keyword", "weight").rows()


def keywords_frame(documents: pl.DataFrame, top_k: int = TOP_K) -> pl.DataFrame:
    """One row per document and keyword rank, in the documents' order (documents need doc_id,
    region, text); the weights as the module's docstring says. Python is left with what is decided
    once per distinct word (`counted_words`). A document's weights depend on its own counts only,
    so they are worked out a slice of documents at a time: a 4 MB batch's counts joined and sorted
    at once held ~50 MB more in a worker."""
    slices = document_slices(documents, KEYWORD_SLICE_CHARACTERS)
    counts = [word_counts(part) for part in slices]
    counted = counted_words(pl.concat([part.get_column("keyword") for part in counts]).unique())
    return pl.concat(
        [_top_keywords(part, part_counts, counted, top_k) for part, part_counts in zip(slices, counts)]
    )


def _top_keywords(
    documents: pl.DataFrame, counts: pl.DataFrame, counted: pl.DataFrame, top_k: int
) -> pl.DataFrame:
    order = documents.select("doc_id").with_row_index("document")
    return (
        counts.join(counted, on="keyword", how="inner")
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
    """(doc_id, keyword, count): how often each word of the project's cut occurs in its document.
    The cut is jieba's dictionary and the user words without jieba's HMM guesses, whose new words
    are mostly fragments ("至京台") that would only be noise among keywords. Counted a document at a
    time and made a frame every PAIRS_PER_FRAME (document, word) pairs, so that few words are ever
    Python strings at once (a batch's are ~1 M: held at once they raised a worker's peak by ~0.1 GB)
    and a folder of short news stories does not pay for a frame per document (~0.3-1 ms each)."""
    frames, doc_ids, keywords, counts = [], [], [], []
    for doc_id, text in documents.select("doc_id", "text").iter_rows():
        counted = Counter(words(text or ""))
        doc_ids += [doc_id] * len(counted)
        keywords += counted
        counts += counted.values()
        if len(keywords) >= PAIRS_PER_FRAME:
            frames.append(_word_count_frame(doc_ids, keywords, counts))
            doc_ids, keywords, counts = [], [], []
    frames.append(_word_count_frame(doc_ids, keywords, counts))
    return pl.concat(frames)


def _word_count_frame(doc_ids: list[str], keywords: list[str], counts: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"doc_id": doc_ids, "keyword": keywords, "count": counts}, schema=WORD_COUNT_SCHEMA)


def counted_words(distinct: pl.Series) -> pl.DataFrame:
    """(keyword, idf, quantity) for the words jieba counts, as `extract_tags` decides it: two or more
    characters besides white space, not a stop word (compared lower-cased), the IDF of its table or
    the table's median; `quantity` marks an amount or unit, which is counted but never a keyword."""
    excluded = stop_words()
    rows = [
        (word, QUANTITY.fullmatch(word) is not None)
        for word in distinct
        if len(word.strip()) >= 2 and word.lower() not in excluded
    ]
    table, median = idf_table()
    words = pl.DataFrame(rows, schema={"keyword": pl.Utf8, "quantity": pl.Boolean}, orient="row")
    # the table's rows of these words first: a join would hash the whole table (~30 MB a batch)
    weighed = table.filter(pl.col("keyword").is_in(words.get_column("keyword").implode()))
    return words.join(weighed, on="keyword", how="left").with_columns(pl.col("idf").fill_null(median))


def own_region_words(documents: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, keyword) of each document's own region names: counted, but never its keywords."""
    rows = [
        (doc_id, name)
        for doc_id, region in documents.select("doc_id", "region").iter_rows()
        for name in own_region_names(region)
    ]
    return pl.DataFrame(rows, schema={"doc_id": pl.Utf8, "keyword": pl.Utf8}, orient="row")
