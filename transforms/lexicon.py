"""Word segmentation and part-of-speech tags with the project's policy vocabulary.

jieba is the reference: its dictionary, its tag table and its user-dictionary loading. The cutting
is done by rjieba (jieba-rs: the same dictionary, the same maximum-probability route without HMM),
because jieba.posseg costs ~100 µs per call on the short phrases the extractor tags, and that was
most of the extraction time. `pos_tags` returns exactly what `jieba.posseg.lcut(text, HMM=False)`
returns (tests/test_lexicon.py checks it on the sample corpus and on random text).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg
import rjieba

VOCAB_DIR = Path(__file__).parent / "vocab"
USER_DICTIONARY = VOCAB_DIR / "policy_words.txt"

# jieba.posseg segments only runs of these characters (its re_han_internal); any other character
# is a word of its own tagged "x". rjieba segments a few more (%, -, rare CJK blocks), but no
# dictionary word contains them, so its words are the same and only their tags need this rule.
POSSEG_SEGMENTED = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._]")
# jieba.posseg joins a run of single letters and digits into one word tagged "eng" ("2024", "GDP");
# jieba's dictionary has no word made only of them, so such a word outside it is such a run.
LETTERS_AND_DIGITS = re.compile(r"[a-zA-Z0-9]+")


@lru_cache(maxsize=1)
def tokenizer() -> jieba.posseg.POSTokenizer:
    """jieba's tagger with the user dictionary loaded, its tag table up to date."""
    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(USER_DICTIONARY))
    jieba.posseg.dt.makesure_userdict_loaded()  # merges the user words' tags into word_tag_tab
    return jieba.posseg.dt


def _user_words() -> list[str]:
    """The words of the user dictionary, parsed as jieba parses it ("word [freq] [tag]")."""
    lines = USER_DICTIONARY.read_text(encoding="utf-8").splitlines()
    entries = [line.strip().lstrip("\ufeff") for line in lines]
    return [jieba.re_userdict.match(entry).group(1) for entry in entries if entry]


@lru_cache(maxsize=1)
def segmenter() -> rjieba.Jieba:
    """rjieba (jieba's default dictionary built in) with the user words at the frequency and tag
    jieba gave them, so both choose the same route through a sentence."""
    tags = jieba_dictionary_tags()
    segmenter = rjieba.Jieba()
    for word in _user_words():
        segmenter.add_word(word, jieba.dt.FREQ[word], tags.get(word))
    return segmenter


@lru_cache(maxsize=1)
def posseg_tag_table() -> dict[str, str]:
    """jieba's tag table less the words jieba.posseg never cuts out whole: those that start with a
    character it does not segment ("γ射线"). Built once, so tagging a word is one lookup."""
    return {word: tag for word, tag in jieba_dictionary_tags().items() if POSSEG_SEGMENTED.match(word)}


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
    return tag_words(words(text))


def jieba_dictionary_tags() -> dict[str, str]:
    return tokenizer().word_tag_tab
