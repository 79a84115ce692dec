"""Word segmentation and part-of-speech tags with the project's policy vocabulary.

jieba is the reference: its dictionary, its tag table and the way it reads a user dictionary. The
cutting is done by rjieba (jieba-rs: the same dictionary, the same maximum-probability route
without HMM), because jieba.posseg costs ~100 µs per call on the short phrases the extractor tags,
and that was most of the extraction time. `pos_tags` returns exactly what
`jieba.posseg.lcut(text, HMM=False)` returns with the user dictionary loaded, and `words` what
`jieba.lcut(text, HMM=False)` returns (tests/test_lexicon.py checks both on the sample corpus and
on random text). jieba's own segmenter is initialized only for what needs it (`tokenizer`).
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import jieba
import rjieba
from govtargets.transforms.vocabulary import VOCAB_DIR

if TYPE_CHECKING:
    from collections.abc import Iterator

    from jieba.posseg import POSTokenizer

USER_DICTIONARY = VOCAB_DIR / "policy_words.txt"

# jieba.posseg segments only runs of these characters (its re_han_internal); any other character
# is a word of its own tagged "x". rjieba segments a few more (%, -, rare CJK blocks), but no
# dictionary word contains them, so its words are the same and only their tags need this rule.
POSSEG_SEGMENTED = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._]")
# jieba.posseg joins a run of single letters and digits into one word tagged "eng" ("2024", "GDP");
# jieba's dictionary has no word made only of them, so such a word outside it is such a run.
LETTERS_AND_DIGITS = re.compile(r"[a-zA-Z0-9]+")


@dataclass(frozen=True)
class UserWord:
    word: str
    frequency: int | None
    tag: str | None


@lru_cache(maxsize=1)
def user_words() -> tuple[UserWord, ...]:
    """The user dictionary, parsed as jieba.load_userdict parses it ("word [freq] [tag]")."""
    lines = USER_DICTIONARY.read_text(encoding="utf-8").splitlines()
    entries = [line.strip().lstrip("\ufeff") for line in lines]
    parsed = [jieba.re_userdict.match(entry).groups() for entry in entries if entry]
    return tuple(
        UserWord(word, int(frequency) if frequency else None, tag.strip() if tag else None)
        for word, frequency, tag in parsed
    )


@lru_cache(maxsize=1)
def _tag_tables() -> tuple[dict[str, str], dict[str, str]]:
    """jieba's tag table, read from jieba's dictionary as jieba.posseg reads it ("word frequency
    tag" a line), with the user words' tags merged in as jieba.load_userdict and jieba.posseg merge
    them; split in two: the words jieba.posseg can cut out whole, and those that start with a
    character it does not segment ("γ射线"), which it never gives as one word.

    Read here rather than taken from jieba.posseg: importing it also loads its HMM model, and its
    table holds every line's tag as a string of its own; a worker carried it and two filtered copies
    (~73 MB). Here the tags are shared strings and nothing is copied.
    """
    tags: dict[str, str] = {}
    with jieba.dt.get_dict_file() as dictionary:  # jieba's dictionary file; reading it loads nothing
        for raw in dictionary:
            line = raw.strip().decode("utf-8")
            if line:
                word, _, tag = line.split(" ")
                tags[word] = sys.intern(tag)
    tags.update({entry.word: entry.tag for entry in user_words() if entry.tag})
    unsegmented = {
        word: tags.pop(word) for word in [word for word in tags if not POSSEG_SEGMENTED.match(word)]
    }
    return tags, unsegmented


def dictionary_tag(word: str) -> str | None:
    """The tag jieba's dictionary (with the user words) gives a word; None for a word it lacks."""
    segmented, unsegmented = _tag_tables()
    return segmented.get(word) or unsegmented.get(word)


def dictionary_places() -> Iterator[str]:
    """The words jieba's dictionary (with the user words) tags as places (ns)."""
    for table in _tag_tables():
        yield from (word for word, tag in table.items() if tag == "ns")


def jieba_dictionary_tags() -> dict[str, str]:
    """The whole tag table, as jieba.posseg has it after loading the user dictionary (a new dict:
    for the tests, which compare it with jieba's)."""
    segmented, unsegmented = _tag_tables()
    return segmented | unsegmented


@lru_cache(maxsize=1)
def tokenizer() -> POSTokenizer:
    """jieba itself with the user dictionary loaded into its default tokenizer: the frequency of a
    user word written without one, and the reference the tests compare with. Loading jieba's
    dictionary takes a third of a second (and ~70 MB), so the segmentation here does not need it."""
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(USER_DICTIONARY))
    jieba.posseg.dt.makesure_userdict_loaded()  # merges the user words' tags into word_tag_tab
    return jieba.posseg.dt


def _jieba_frequency(word: str) -> int:
    """The frequency jieba gives a user word written without one (it derives it from its own
    dictionary)."""
    tokenizer()
    return jieba.dt.FREQ[word]


@lru_cache(maxsize=1)
def segmenter() -> rjieba.Jieba:
    """rjieba (jieba's default dictionary built in) with the user words at the frequency and tag
    jieba gives them, so both choose the same route through a sentence."""
    segmenter = rjieba.Jieba()
    for entry in user_words():
        frequency = entry.frequency if entry.frequency is not None else _jieba_frequency(entry.word)
        segmenter.add_word(entry.word, frequency, entry.tag)
    return segmenter


def posseg_tag_table() -> dict[str, str]:
    """jieba's tag table less the words jieba.posseg never cuts out whole, so that tagging a word
    is one lookup."""
    return _tag_tables()[0]


def _unknown_word_tag(word: str) -> str:
    return "eng" if LETTERS_AND_DIGITS.fullmatch(word) else "x"


def words(text: str) -> list[str]:
    """Words, equal to jieba.lcut(text, HMM=False) and to the words of jieba.posseg's cut."""
    return segmenter().cut(text, hmm=False)


def tag_words(cut: list[str]) -> list[tuple[str, str]]:
    """(word, flag) pairs for words cut by `words`: tagging costs more than cutting, so a caller
    that needs the flags only sometimes cuts first and tags when it must."""
    table = posseg_tag_table()
    return [(word, table.get(word) or _unknown_word_tag(word)) for word in cut]


def pos_tags(text: str) -> list[tuple[str, str]]:
    """(word, flag) pairs, equal to jieba.posseg.lcut(text, HMM=False)."""
    return list(_tagged_phrase(text))


# The extractor tags short phrases, and mostly the same ones: the text before a figure once to drop
# its verbs and once to find its noun, the same indicator names report after report. On the 24
# evaluation reports 1,143 calls tag 216 distinct texts. Kept as tuples, so no caller can change
# what the next one gets.
TAGGED_PHRASES = 8192


@lru_cache(maxsize=TAGGED_PHRASES)
def _tagged_phrase(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(tag_words(words(text)))
