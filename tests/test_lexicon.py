"""The rjieba segmenter gives exactly what jieba gives, with the policy vocabulary kept whole."""

from __future__ import annotations

import random
from pathlib import Path

import jieba
import jieba.posseg
import pytest
from govtargets.transforms.lexicon import (
    USER_DICTIONARY,
    jieba_dictionary_tags,
    pos_tags,
    tokenizer,
    user_words,
    words,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "corpus"
# Characters the two segmenters treat differently at the edges of what they segment.
AWKWARD = [
    "%",
    "-",
    "6.5%",
    "AT&T",
    "C++",
    "c#",
    "B超",
    " ",
    "\t",
    "\u3000",
    "\r\n",
    "\n",
    "\x1c",  # whitespace to Python, not to Rust
    "\u2028",
    "㐀",
    "\u9fe0",
    "Ⅱ",
    "①",
    "2024年",
]


def reference() -> jieba.posseg.POSTokenizer:
    """jieba itself with the user dictionary: what the segmenter must agree with."""
    return tokenizer()


def jieba_pos_tags(text: str) -> list[tuple[str, str]]:
    return [(pair.word, pair.flag) for pair in reference().lcut(text, HMM=False)]


def jieba_words(text: str) -> list[str]:
    reference()
    return jieba.lcut(text, HMM=False)


def sample_lines() -> list[str]:
    return [line for path in sorted(SAMPLES.glob("*.txt")) for line in path.read_text().splitlines() if line]


def random_texts(count: int, seed: int = 11) -> list[str]:
    """Dictionary words, runs of corpus characters and awkward characters, jumbled together."""
    rng = random.Random(seed)
    vocabulary = list(jieba_dictionary_tags())
    characters = list("".join(sample_lines()))
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(3, 30)):
            draw = rng.random()
            if draw < 0.5:
                parts.append(rng.choice(vocabulary))
            elif draw < 0.95:
                parts.append("".join(rng.choices(characters, k=rng.randint(1, 4))))
            else:
                parts.append(rng.choice(AWKWARD))
        texts.append("".join(parts))
    return texts


def test_pos_tags_equal_jieba_posseg_on_the_sample_corpus():
    lines = sample_lines()
    assert len(lines) > 100
    assert [pos_tags(line) for line in lines] == [jieba_pos_tags(line) for line in lines]


def test_pos_tags_and_words_equal_jieba_on_random_text():
    texts = random_texts(2000)
    assert [pos_tags(text) for text in texts] == [jieba_pos_tags(text) for text in texts]
    assert [words(text) for text in texts] == [jieba_words(text) for text in texts]


@pytest.mark.parametrize(
    "word", [line.split()[0] for line in USER_DICTIONARY.read_text(encoding="utf-8").splitlines() if line]
)
def test_policy_words_stay_whole_with_their_tag(word):
    # the policy vocabulary re-tags some of jieba's words ("新开工": nz -> v); tags follow it
    sentence = f"今年{word}继续"
    jieba_pos_tags("")  # jieba.posseg merges the user tags into its table on its first cut
    expected_tag = reference().word_tag_tab[word]
    assert (word, expected_tag) in pos_tags(sentence)
    assert word in words(sentence)


def test_user_dictionary_tags_override_jieba_dictionary_tags():
    assert pos_tags("新开工棚户区改造")[0] == ("新开工", "v")  # nz in jieba's own dictionary


def test_runs_of_letters_and_digits_are_one_word_tagged_eng():
    assert pos_tags("GDP增长6.5%") == [
        ("GDP", "eng"),
        ("增长", "v"),
        ("6", "eng"),
        (".", "x"),
        ("5", "eng"),
        ("%", "x"),
    ]


def test_tag_table_is_jiebas_after_it_loads_the_user_dictionary():
    jieba_pos_tags("")
    assert jieba_dictionary_tags() == reference().word_tag_tab


def test_user_dictionary_is_parsed_as_jieba_parses_it():
    entries = {entry.word: entry for entry in user_words()}
    assert len(entries) == len(
        [line for line in USER_DICTIONARY.read_text(encoding="utf-8").splitlines() if line]
    )
    assert (entries["新开工"].frequency, entries["新开工"].tag) == (reference().tokenizer.FREQ["新开工"], "v")
