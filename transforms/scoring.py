"""Score extracted records against hand-checked gold records (samples/gold/FORMAT.md format).

Two levels:
- value level: the same document, value (or both missing) and unit;
- record level: also indicator (see `indicators_match`), kind, year, qualifier and stretch_value.
Precision is judged only inside each gold file's annotated scope (`scopes`: document name -> the
spans annotated, as (first words, words that end the span) in the normalized text; a document
without an entry is annotated whole), since a gold file that covers part of a document says
nothing about records elsewhere in it.

Besides precision and recall, a score says per document how it went and, for the values found,
which fields were wrong: the failure classes a rule should address.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import polars as pl

INDICATOR_NOISE = re.compile(r"[“”\"《》()、的\s]")
# The fields a value-level match can still get wrong, in the order reports list them.
RECORD_FIELDS = ("kind", "year", "indicator", "qualifier", "stretch_value")
Scopes = dict[str, list[tuple[str, str | None]] | None]


def parse_scopes(raw: dict) -> Scopes:
    """A gold folder's scopes.json ({document: null | [{"from": …, "until": …}, …]}) as Scopes."""
    return {
        doc: None if spans is None else [(span["from"], span["until"]) for span in spans]
        for doc, spans in raw.items()
    }


def scope_spans(source_name: str, text: str, scopes: Scopes) -> list[tuple[int, int]]:
    markers = scopes.get(source_name)
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


def wrong_fields(pred: dict, gold: dict) -> list[str]:
    """The RECORD_FIELDS in which a value-level match differs from its gold record."""
    same = {
        "kind": pred["kind"] == gold["kind"],
        "year": pred["year"] == gold["year"],
        "indicator": indicators_match(pred["indicator"], gold["indicator"]),
        "qualifier": (pred["qualifier"] or "") == (gold["qualifier"] or ""),
        "stretch_value": _same_number(pred["stretch_value"], gold["stretch_value"]),
    }
    return [name for name in RECORD_FIELDS if not same[name]]


def record_match(pred: dict, gold: dict) -> bool:
    return value_key_match(pred, gold) and not wrong_fields(pred, gold)


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


@dataclass
class Score:
    """The two levels, a row per document, and the failure counts by field."""

    value: LevelScore
    record: LevelScore
    documents: pl.DataFrame
    errors: dict[str, int] = field(default_factory=dict)
    wrong: list[tuple[dict, dict, list[str]]] = field(default_factory=list)  # (gold, predicted, fields)


def _greedy_match(
    predicted: list[dict], gold: list[dict], same
) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """One-to-one matching: each gold record takes an unused prediction that matches, preferring
    one whose evidence contains, or is contained in, the gold evidence. Returns (gold,
    prediction) pairs, the gold records missed, the predictions left over."""
    used: set[int] = set()
    pairs, misses = [], []
    for g in gold:
        candidates = [i for i, p in enumerate(predicted) if i not in used and same(p, g)]
        if not candidates:
            misses.append(g)
            continue
        best = next((i for i in candidates if _evidence_overlaps(predicted[i], g)), candidates[0])
        used.add(best)
        pairs.append((g, predicted[best]))
    false_hits = [p for i, p in enumerate(predicted) if i not in used]
    return pairs, misses, false_hits


def _evidence_overlaps(pred: dict, gold: dict) -> bool:
    a = re.sub(r"\s", "", pred.get("evidence") or "")
    b = re.sub(r"\s", "", gold.get("evidence") or "")
    return bool(a and b) and (a in b or b in a)


def in_scope(
    predicted: pl.DataFrame, texts: pl.DataFrame, gold_docs: set[str], scopes: Scopes
) -> pl.DataFrame:
    """Predicted records of gold documents whose position lies inside the annotated scope."""
    keep = []
    for source_name, text in texts.select("source_name", "text").iter_rows():
        if source_name not in gold_docs:
            continue
        for start, end in scope_spans(source_name, text, scopes):
            keep.append({"source_name": source_name, "scope_start": start, "scope_end": end})
    spans = pl.DataFrame(
        keep, schema={"source_name": pl.Utf8, "scope_start": pl.Int64, "scope_end": pl.Int64}
    )
    return (
        predicted.join(spans, on="source_name", how="inner")
        .filter(
            (pl.col("char_start") >= pl.col("scope_start")) & (pl.col("char_start") < pl.col("scope_end"))
        )
        .drop("scope_start", "scope_end")
        .unique(subset="record_id", maintain_order=True)
    )


def _level(level: str, pairs, misses, false_hits, n_predicted: int, n_gold: int) -> LevelScore:
    return LevelScore(level, len(pairs), n_predicted, n_gold, misses, false_hits)


DOCUMENT_SCHEMA = {
    "document": pl.Utf8, "gold": pl.Int64, "predicted": pl.Int64, "values_found": pl.Int64,
    "records_right": pl.Int64, "value_recall": pl.Float64, "record_recall": pl.Float64,
    "precision": pl.Float64,
}  # fmt: skip


def _per_document(gold: list[dict], scoped: list[dict], value_pairs, record_pairs) -> pl.DataFrame:
    def count(rows, key) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in rows:
            counts[row[key]] = counts.get(row[key], 0) + 1
        return counts

    n_gold, n_predicted = count(gold, "doc"), count(scoped, "source_name")
    n_values, n_records = (
        count([g for g, _ in value_pairs], "doc"),
        count([g for g, _ in record_pairs], "doc"),
    )
    rows = []
    for document in sorted(n_gold):
        g, p, v, r = (
            n_gold[document],
            n_predicted.get(document, 0),
            n_values.get(document, 0),
            n_records.get(document, 0),
        )
        rows.append((document, g, p, v, r, v / g, r / g, r / p if p else None))
    return pl.DataFrame(rows, schema=DOCUMENT_SCHEMA, orient="row")


def score(
    predicted: pl.DataFrame, texts: pl.DataFrame, gold: pl.DataFrame, scopes: Scopes | None = None
) -> Score:
    """Value-level and record-level precision/recall of `predicted` (targets rows with
    source_name, char_start) against `gold` rows; `texts` has source_name and normalized text."""
    gold_rows = gold.to_dicts()
    scoped = (
        in_scope(predicted, texts, set(gold["doc"].to_list()), scopes or {})
        .sort("source_name", "char_start")
        .to_dicts()
    )
    value_pairs, value_misses, value_false = _greedy_match(scoped, gold_rows, value_key_match)
    record_pairs, record_misses, record_false = _greedy_match(scoped, gold_rows, record_match)
    wrong = [(g, p, fields) for g, p in value_pairs if (fields := wrong_fields(p, g))]
    errors = {"missed value": len(value_misses), "false record": len(value_false)}
    errors |= {f"wrong {name}": sum(name in fields for *_, fields in wrong) for name in RECORD_FIELDS}
    return Score(
        value=_level("value", value_pairs, value_misses, value_false, len(scoped), len(gold_rows)),
        record=_level("record", record_pairs, record_misses, record_false, len(scoped), len(gold_rows)),
        documents=_per_document(gold_rows, scoped, value_pairs, record_pairs),
        errors=errors,
        wrong=wrong,
    )
