"""One canonical text per document: width, punctuation, layout noise.

The output has one paragraph (or heading, or list item) per line, simplified script, half-width
ASCII digits/letters/punctuation, and Chinese-only punctuation (。、“” …) kept as it is.
"""

from __future__ import annotations

import re
import unicodedata

from transforms.decode import to_simplified

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space fold to ASCII so numbers parse
# ("６．５％" -> "6.5%"); NFKC would also rewrite CJK compatibility characters, which we keep.
WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A pinyin gloss after a character: "報(bào)告", "國(guó)務(wù)院". At least one tone mark is
# required so that "(GDP)" or "(PM2.5)" survive.
PINYIN_GLOSS = re.compile(
    rf"(?<=[\u4e00-\u9fff])\((?=[a-zü{TONE_MARKS} ]*[{TONE_MARKS}])[a-zü{TONE_MARKS} ]{{1,30}}\)"
)

MD_HEADING = re.compile(r"^\s*#{1,6}\s*")
MD_BULLET = re.compile(r"^\s*(?:[-*+•●◆■▪·]|\d+\))\s+|^\s*[•●◆■▪]\s*")
MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MD_DEBRIS = re.compile(r"\s*(?:>>+|»+)\s*$|^\s*>\s*|^\s*[-*_]{3,}\s*$|`+")

HAN = r"\u4e00-\u9fff"
CJK_PUNCT = "。、“”‘’《》—…；：，？！（）"
# Enumerators that open a heading or a numbered item: 一、 (一) 1. 一是 第一章
ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d)"
    r"|[一二三四五六七八九十]是|第[一二三四五六七八九十]+[章节部分条])"
)
SENTENCE_END = re.compile(r"[。！？!?；;:：][”’\")）]*$")
# A line this long that stops without closing punctuation is a sentence cut by a page or line
# break; shorter unpunctuated lines are headings.
MIN_BROKEN_LINE = 20

DOUBLED_PUNCT = re.compile(r"([,。;:、!?])(?:\s*\1)+")
SPACE_AROUND_NUMBER = re.compile(rf"(?<=[\d%{HAN}{CJK_PUNCT}])[ \t]+(?=[\d%{HAN}{CJK_PUNCT}])")
# Inline numbering in one-line notices ("…如下。一、提升科技创新能力1.推动…"): break before it.
INLINE_SECTION = re.compile(
    r"(?<=[。;)])\s*(?=(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))[^\d])"
)
INLINE_ITEM = re.compile(rf"(?<=[。;){HAN}])(?<!第)(?=\d{{1,2}}\.[{HAN}])")


def fold_width(text: str) -> str:
    return text.translate(WIDTH_TABLE)


def strip_pinyin_glosses(text: str) -> str:
    return PINYIN_GLOSS.sub("", text)


def _clean_line(line: str) -> tuple[str, bool]:
    """Remove markdown from one line; True when the line is a heading or list item."""
    is_block = bool(MD_HEADING.match(line) or MD_BULLET.match(line))
    line = MD_HEADING.sub("", line)
    line = MD_BULLET.sub("", line)
    line = MD_LINK.sub(r"\1", line)
    line = MD_EMPHASIS.sub(r"\2", line)
    line = MD_DEBRIS.sub("", line)
    line = line.strip()
    return line, is_block or bool(ENUMERATOR.match(line))


def _is_cut_sentence(line: str) -> bool:
    return len(line) >= MIN_BROKEN_LINE and not SENTENCE_END.search(line)


def rejoin_broken_lines(text: str) -> str:
    """One paragraph per line: lines cut mid-sentence (PDF and page breaks) are joined again."""
    paragraphs: list[str] = []
    open_paragraph = False
    for raw in text.split("\n"):
        line, starts_block = _clean_line(raw)
        if not line:
            continue
        if paragraphs and open_paragraph and not starts_block:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
        open_paragraph = not starts_block and _is_cut_sentence(paragraphs[-1])
    return "\n".join(paragraphs)


def tidy_spacing(text: str) -> str:
    text = SPACE_AROUND_NUMBER.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text)


def collapse_doubled_punctuation(text: str) -> str:
    return DOUBLED_PUNCT.sub(r"\1", text)


def split_inline_numbering(text: str) -> str:
    text = INLINE_SECTION.sub("\n", text)
    return INLINE_ITEM.sub("\n", text)


def normalize_text(text: str) -> str:
    """Raw decoded text -> the canonical text every later stage works on (idempotent)."""
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = to_simplified(fold_width(text))
    text = strip_pinyin_glosses(text)
    text = tidy_spacing(text)
    text = collapse_doubled_punctuation(text)
    text = split_inline_numbering(text)
    return rejoin_broken_lines(text)
