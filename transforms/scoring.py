"""Score extracted records against hand-checked gold records (../shared/gold format).

Two levels:
- value level: the same document, value (or both missing) and unit;
- record level: also indicator (see `indicators_match`), kind, year, qualifier and stretch_value.
Precision is judged only inside each gold file's annotated scope (SCOPES), since a gold file
that covers part of a document says nothing about records elsewhere in it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import polars as pl

# Where each gold file was annotated: (first words, words that end the span) in the normalized
# text; None for the whole document. Taken from the gold README's scope table.
SCOPES: dict[str, list[tuple[str, str | None]] | None] = {
    "000_c188ddf000de3018.txt": None,
    "001_d279b01489ee9dff.txt": None,
    "002_02eb02d9f6deeb92.txt": [("日前,德州市人民政府", "\n21.")],
    "003_62f548a5d263e92b.txt": [
        ("(一)经济运行承压稳进", "\n(二)"),
        ("综合分析,建议今年经济社会发展主要预期目标", "\n"),
        ("(八)", "\n(九)"),
    ],
    "004_b893e66079dd5f93.txt": [
        ("2019年,是全市上下砥砺前行", "\n"),
        ("全市经济社会发展主要预期目标是", "\n"),
    ],
}
INDICATOR_NOISE = re.compile(r"[“”\"《》()、的\s]")


def scope_spans(source_name: str, text: str) -> list[tuple[int, int]]:
    markers = SCOPES.get(source_name)
    if markers is None:
        return [(0, len(text))]
    spans = []
    for first, until in markers:
        start = text.find(first)
        if start == -1:
            continue
        end = text.find(until, start + len(first)) if until else -1
        spans.append((start, end if end != -1 else len(text)))
    return spans


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def indicators_match(predicted: str | None, gold: str | None) -> bool:
    """Same indicator, allowing the wording differences the gold itself shows ("建设高标准农田" vs
    "高标准农田"): equal, or one inside the other covering at least half of it, or character
    bigram Dice >= 0.5."""
    a, b = INDICATOR_NOISE.sub("", predicted or ""), INDICATOR_NOISE.sub("", gold or "")
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if short in long and len(short) >= 0.5 * len(long):
        return True
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) >= 0.5


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and b is None
    return abs(a - b) < 1e-9


def value_key_match(pred: dict, gold: dict) -> bool:
    return (
        pred["source_name"] == gold["doc"]
        and bool(pred["missing_value"]) == bool(gold["missing_value"])
        and _same_number(pred["value"], gold["value"])
        and pred["unit"] == gold["unit"]
    )


def record_match(pred: dict, gold: dict) -> bool:
    return (
        value_key_match(pred, gold)
        and pred["kind"] == gold["kind"]
        and pred["year"] == gold["year"]
        and (pred["qualifier"] or "") == (gold["qualifier"] or "")
        and _same_number(pred["stretch_value"], gold["stretch_value"])
        and indicators_match(pred["indicator"], gold["indicator"])
    )


@dataclass
class LevelScore:
    level: str
    true_positives: int
    predicted: int
    gold: int
    misses: list[dict]
    false_hits: list[dict]

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _greedy_match(predicted: list[dict], gold: list[dict], same) -> tuple[int, list[dict], list[dict]]:
    """One-to-one matching: each gold record takes an unused prediction that matches, preferring
    one whose evidence contains, or is contained in, the gold evidence."""
    used: set[int] = set()
    misses = []
    for g in gold:
        candidates = [i for i, p in enumerate(predicted) if i not in used and same(p, g)]
        if not candidates:
            misses.append(g)
            continue
        best = next((i for i in candidates if _evidence_overlaps(predicted[i], g)), candidates[0])
        used.add(best)
    false_hits = [p for i, p in enumerate(predicted) if i not in used]
    return len(used), misses, false_hits


def _evidence_overlaps(pred: dict, gold: dict) -> bool:
    a = re.sub(r"\s", "", pred.get("evidence") or "")
    b = re.sub(r"\s", "", gold.get("evidence") or "")
    return bool(a and b) and (a in b or b in a)


def in_scope(predicted: pl.DataFrame, texts: pl.DataFrame, gold_docs: set[str]) -> pl.DataFrame:
    """Predicted records of gold documents whose position lies inside the annotated scope."""
    keep = []
    for source_name, text in texts.select("source_name", "text").iter_rows():
        if source_name not in gold_docs:
            continue
        for start, end in scope_spans(source_name, text):
            keep.append({"source_name": source_name, "scope_start": start, "scope_end": end})
    scopes = pl.DataFrame(
        keep, schema={"source_name": pl.Utf8, "scope_start": pl.Int64, "scope_end": pl.Int64}
    )
    return (
        predicted.join(scopes, on="source_name", how="inner")
        .filter(
            (pl.col("char_start") >= pl.col("scope_start")) & (pl.col("char_start") < pl.col("scope_end"))
        )
        .drop("scope_start", "scope_end")
        .unique(subset="record_id", maintain_order=True)
    )


def score(predicted: pl.DataFrame, texts: pl.DataFrame, gold: pl.DataFrame) -> list[LevelScore]:
    """Value-level and record-level precision/recall of `predicted` (targets rows with
    source_name, char_start) against `gold` rows; `texts` has source_name and normalized text."""
    gold_rows = gold.to_dicts()
    scoped = (
        in_scope(predicted, texts, set(gold["doc"].to_list())).sort("source_name", "char_start").to_dicts()
    )
    results = []
    for level, same in (("value", value_key_match), ("record", record_match)):
        tp, misses, false_hits = _greedy_match(scoped, gold_rows, same)
        results.append(LevelScore(level, tp, len(scoped), len(gold_rows), misses, false_hits))
    return results
