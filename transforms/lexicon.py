"""jieba with the project's policy vocabulary loaded once per process."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg

VOCAB_DIR = Path(__file__).parent / "vocab"


@lru_cache(maxsize=1)
def tokenizer() -> jieba.posseg.POSTokenizer:
    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(VOCAB_DIR / "policy_words.txt"))
    return jieba.posseg.dt


def pos_tags(text: str) -> list[tuple[str, str]]:
    return [(pair.word, pair.flag) for pair in tokenizer().lcut(text, HMM=False)]


def words(text: str) -> list[str]:
    tokenizer()  # the user dictionary must be loaded before jieba cuts
    return jieba.lcut(text, HMM=False)


def jieba_dictionary_tags() -> dict[str, str]:
    return tokenizer().word_tag_tab
