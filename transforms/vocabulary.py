"""The one loader of the project's vocabularies (`transforms/vocab/`).

Every word list the extraction, the time resolver, the Great Expectations suites and the warehouse
views rely on lives in a file there (see vocab/README.md); code asks this module for it and never
spells a vocabulary word itself. Patterns in the files are regex fragments (most are plain words);
`alternation` joins them longest first, so that "比上年同期" wins over "比上年".
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from pathlib import Path

VOCAB_DIR = Path(__file__).parent / "vocab"


class VocabularyError(ValueError):
    """A vocabulary file that cannot be read as its header says; the message names the line."""


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of vocab/<name>.csv, in file order, as dicts of its header's columns."""
    path = VOCAB_DIR / f"{name}.csv"
    found = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if None in row or None in row.values():  # more or fewer fields than the header
                raise VocabularyError(
                    f"{path}, line {len(found) + 2}: not the columns of its header (quote a pattern with commas)"
                )
            found.append({key: value.strip() for key, value in row.items()})
    return tuple(found)


def column(name: str, field: str, **where: str) -> tuple[str, ...]:
    """One column of a vocabulary, for the rows whose other columns equal `where`."""
    return tuple(
        row[field] for row in rows(name) if all(row.get(key) == value for key, value in where.items())
    )


def words(cls: str) -> tuple[str, ...]:
    """The patterns of one word class of vocab/words.csv."""
    found = column("words", "pattern", cls=cls)
    if not found:
        raise KeyError(f"vocab/words.csv has no word class {cls!r}")
    return found


def alternation(patterns: tuple[str, ...] | list[str], escape: bool = False) -> str:
    """`(?:a|b|…)`, longest first, so that a longer word is preferred where two start alike."""
    ordered = sorted(set(patterns), key=lambda p: (-len(p), p))
    return "(?:" + "|".join(re.escape(p) if escape else p for p in ordered) + ")"


@cache
def word_pattern(cls: str) -> str:
    return alternation(words(cls))


@cache
def area_name_pattern() -> str:
    """An area's full name, the name a text calls it by as group 1: 德州市 -> 德州, 广西壮族自治区 ->
    广西, 德宏傣族景颇族自治州 -> 德宏 (two characters at least stay: 北京市 -> 北京)."""
    return rf"^(.{{2,}}?)(?:{word_pattern('ethnic_group')}族?)*{word_pattern('area_suffix')}$"


# ---------------------------------------------------------------- qualifiers


def qualifiers(position: str | None = None, bound: str | None = None) -> tuple[str, ...]:
    """Bound words ("以上", "左右", "突破" …), filtered by where they stand and what they bound."""
    return tuple(
        row["word"]
        for row in rows("qualifiers")
        if (position is None or row["position"] == position) and (bound is None or row["bound"] == bound)
    )


def qualifier_patterns(position: str, bounds: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """How each bound word of a position (and of the given bounds) is matched: its own pattern
    where the file gives one ("过" but not in "通过"), else the word itself."""
    return tuple(
        row["pattern"] or re.escape(row["word"])
        for row in rows("qualifiers")
        if row["position"] == position and (bounds is None or row["bound"] in bounds)
    )


def qualifier_pattern(word: str) -> str:
    """How one bound word is matched (see qualifier_patterns)."""
    row = next(row for row in rows("qualifiers") if row["word"] == word)
    return row["pattern"] or re.escape(word)


RANGE_QUALIFIER = "区间"


# ---------------------------------------------------------------- units


def units(kind: str) -> tuple[str, ...]:
    """Units of one kind (classifier, measure, percent, time, magnitude; word: a word a unit starts,
    no unit), longest first."""
    return tuple(sorted(column("units", "unit", kind=kind), key=len, reverse=True))


@lru_cache(maxsize=1)
def magnitudes() -> dict[str, float]:
    """万 -> 1e4, 亿 -> 1e8 …: the multipliers written before a unit."""
    return {row["unit"]: float(row["factor"]) for row in rows("units") if row["kind"] == "magnitude"}


# ---------------------------------------------------------------- indicators


def indicator_codes(flag: str) -> tuple[str, ...]:
    """Headline indicator codes with a property set in vocab/indicators.csv (is_rate, is_ceiling)."""
    return tuple(row["code"] for row in rows("indicators") if row[flag] == "1")
