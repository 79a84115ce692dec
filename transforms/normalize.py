"""One canonical text per document: width, punctuation, layout noise.

The output has one paragraph (or heading, or list item) per line, simplified script, half-width
ASCII digits/letters/punctuation, and Chinese-only punctuation (。、“” …) kept as it is.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from govtargets.transforms.decode import REPLACEMENT, to_simplified
from govtargets.transforms.numbers import parse_chinese_numeral
from govtargets.transforms.vocabulary import rows

# Full-width ASCII (U+FF01..U+FF5E), the ideographic and the no-break space fold to ASCII so numbers parse
# ("６．５％" -> "6.5%"); NFKC would also rewrite CJK compatibility characters, which we keep.
# The small percent sign and the care-of sign ℅, which Chinese input methods offer for % ("增长15℅"),
# fold to % as well.
WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20, 0xA0: 0x20, 0xFE6A: 0x25, 0x2105: 0x25,
}  # fmt: skip
FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000\u00a0\ufe6a\u2105]")  # the keys of WIDTH_TABLE
HALF_WIDTH = {chr(code): chr(folded) for code, folded in WIDTH_TABLE.items()}

TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A pinyin gloss after a character: "報(bào)告", "國(guó)務(wù)院". At least one tone mark is
# required so that "(GDP)" or "(PM2.5)" survive.
PINYIN_GLOSS = re.compile(
    rf"(?<=[\u4e00-\u9fff])[ \t]*\((?=[a-zü{TONE_MARKS} ]*[{TONE_MARKS}])[a-zü{TONE_MARKS} ]{{1,30}}\)"
)

MD_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)+")
MD_BULLET = re.compile(r"^(?:\s*(?:[-*+•●◆■▪·]|\d+\))\s+|\s*[•●◆■▪]\s*)+")
MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MD_DEBRIS = re.compile(r"\s*(?:>>+|»+)\s*$|^\s*>\s*|^\s*[-*_]{3,}\s*$|`+")
# What every MD_ pattern above needs in a stripped line: a heading, bullet,
# quote or rule marker at its start, or a link, emphasis, closing arrows or backticks anywhere.
MARKUP = re.compile(r"^(?:[#\-*+•●◆■▪·>_]|\d+\))|\[|\*\*|__|>>|»|`")

HAN = r"\u4e00-\u9fff"
# A code point in the surrogate range is never a character in a str (a pair would have been decoded
# into the one character it encodes): text decoded with surrogateescape or made by hand can hold one.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
CJK_PUNCT = "。、“”‘’《》—…；：，？！（）"
# Heading enumerators by level (structure.py uses the levels): 第一部分 一、 (一) 1. 一是
HEADING_LEVELS = (
    (0, re.compile(r"^第[一二三四五六七八九十]+(?:部分|章)")),
    # (not "一、二、三产比例调整为…": numerals listed, no enumerator)
    (1, re.compile(r"^[一二三四五六七八九十]+、(?![一二三四五六七八九十]+、)")),
    (2, re.compile(r"^\([一二三四五六七八九十]+\)")),
    # "1." before a decimal digit is a number ("1.5%"), before a year an enumerator ("1.2023年工作回顾")
    (3, re.compile(r"^\d{1,2}(?:、|\.(?!\d)|\.(?=(?:19|20)\d{2}年))")),
    (4, re.compile(r"^[一二三四五六七八九十]是")),
)
ENUMERATOR = re.compile(
    "|".join(pattern.pattern for _, pattern in HEADING_LEVELS) + r"|^第[一二三四五六七八九十]+[章节部分条]"
)
# (a copy site's junk letters after the stop, "…增长7%和10%。vfO", do not hide it)
SENTENCE_END = re.compile(r"[。！？!?；;:：][”’\")）]*(?:[A-Za-z]{1,4})?$")
# A line this long that stops without closing punctuation is a sentence cut by a page or line
# break; shorter unpunctuated lines are headings.
MIN_BROKEN_LINE = 20
MAX_HEADING = 30
FULL_STOP = re.compile(r"[。！？!?]")
LABELLED_ITEM = re.compile(rf"^[{HAN}]{{2,10}}:")
MAX_LAYOUT_PASSES = 5

DOUBLED_PUNCT = re.compile(r"([,。;:、!?])(?:\s*\1)+")
# Spaces that web copying and hard wraps leave beside numbers and Chinese ("达 12.82 万亿元",
# "同 比增长", "百强区 (县)"); a space between two digits stays, since it separates numbers
# ("2021-07-28 08:33:05"), and a decimal split by a space is mended on its own (SPACED_DECIMAL).
# Full-width clause punctuation is ASCII by now ("，" -> ","), so its ASCII forms count as punctuation
# ("赤字率 ,", "税费优惠 :").
CLAUSE_PUNCT = ",;:!?"
SPACE_AROUND_NUMBER = re.compile(
    rf"(?<=[\d%{HAN}{CJK_PUNCT}{CLAUSE_PUNCT}()])[ \t]+(?=[%{HAN}{CJK_PUNCT}{CLAUSE_PUNCT}()])"
    rf"|(?<=[%{HAN}{CJK_PUNCT}{CLAUSE_PUNCT}()])(?<!\d,)[ \t]+(?=\d)"  # "3, 100": see fold_width
)
# "6835. 27亿元", "增长5 .2%", "6. 2‰": one number that a line wrap or a copy split.
SPACED_DECIMAL = re.compile(r"(?<=\d)(?:[ \t]+\.[ \t]*|\.[ \t]+)(?=\d)")
# Anti-copy junk of forum reposts: runs of short ASCII tokens ("0 s5 T6 T, z7 [2 R- z"). Four or
# more tokens of at most three printable characters, at least one a digit and one punctuation, so
# that abbreviations and English words ("GDP", "PM2.5", "the end of it") are never touched.
FORUM_JUNK = re.compile(r"(?<![!-~])(?:[!-~]{1,3}[ \t]+){3,}[!-~]{1,3}(?![!-~])")
JUNK_DIGIT, JUNK_PUNCT = re.compile(r"\d"), re.compile(r"[!-/:-@\[-`{-~]")
# An HTML entity whose "&" a copy separated from its name ("& ldquo;"), so html.unescape misses it.
BROKEN_ENTITY = re.compile(r"&[ \t]+(?=[a-z]{2,8};)")
# Inline numbering in one-line notices ("…如下。一、提升科技创新能力1.推动…"): break before it.
INLINE_SECTION = re.compile(
    r"(?<=[。;)])\s*(?=(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))[^\d\n])"
)
# (the digit test comes first: it fails at most positions, and the order of zero-width tests at
# one position does not change what matches)
INLINE_ITEM = re.compile(rf"(?=\d{{1,2}}\.[{HAN}])(?<=[。;){HAN}])(?<!第)")


# A year written in Chinese digits ("二〇二三年", "一九九八年", "二○二三年" with a white circle or a
# letter O for the zero), and the month and day after it: in digits, as every time cue reads dates.
# Only four digit characters that start 19 or 20 and end before 年 are a year, so counts in words
# ("二十年", "一千二百年") stay.
ZERO_FORMS = "〇○零Oo"
CHINESE_DIGITS = f"{ZERO_FORMS}一二三四五六七八九"
CHINESE_YEAR = re.compile(
    rf"(?<![{CHINESE_DIGITS}十百千万])(?P<year>(?:一九|二[{ZERO_FORMS}])[{CHINESE_DIGITS}]{{2}})年"
    r"(?:(?P<month>[一二三四五六七八九十]{1,2})月(?:(?P<day>[一二三四五六七八九十]{1,3})日)?)?"
)


def _digit(character: str) -> str:
    return "0" if character in ZERO_FORMS else str(int(parse_chinese_numeral(character)))


def _in_digits(numeral: str | None, largest: int) -> str | None:
    value = parse_chinese_numeral(numeral) if numeral else None
    return str(int(value)) if value and 1 <= value <= largest else None


def _date_in_digits(found: re.Match) -> str:
    date = "".join(map(_digit, found["year"])) + "年"
    month = _in_digits(found["month"], 12)
    if found["month"] and month is None:
        return date + found.group()[5:]  # not a month ("二〇二三年十五月"): only the year is read
    if month:
        date += month + "月"
        day = _in_digits(found["day"], 31)
        if found["day"]:
            date += f"{day}日" if day else found["day"] + "日"
    return date


def chinese_dates_in_digits(text: str) -> str:
    return CHINESE_YEAR.sub(_date_in_digits, text) if "年" in text else text


# A thousands separator ("1,234.5亿元", "12,000个"): an ASCII comma before three digits that end a
# number. It goes, so that no clause ends inside a number; a full-width comma ("3，100") is always
# punctuation and stays.
THOUSANDS_SEPARATOR = re.compile(r"(?<=\d),(?=\d{3}(?![\d]))")


def drop_thousands_separators(text: str) -> str:
    return THOUSANDS_SEPARATOR.sub("", text) if "," in text else text


# A decimal point that a copy or an input method wrote as a full stop ("增长9。5%", "373。15亿元"):
# a full stop between digits, followed by at most three digits that are no date, year or list
# number ("达到200。3月份", "。2019年", "。1、" stay sentence ends).
FULL_STOP_DECIMAL = re.compile(r"(?<=\d)。(?=\d{1,3}(?![\d年月日号、.)]))")


def mend_full_stop_decimals(text: str) -> str:
    return FULL_STOP_DECIMAL.sub(".", text) if "。" in text else text


# A percentage in words, as transcripts and news copies write them ("增长百分之五左右", "百分之五点五",
# "千分之三"): in digits, so the figure has its unit and its bound word ("5%左右").
PERCENT_IN_WORDS = re.compile(
    r"(?P<per>百分之|千分之)(?P<whole>[零〇一二两三四五六七八九十百]+)(?:点(?P<fraction>[零〇一二三四五六七八九]+))?"
)
PER_SIGN = {"百分之": "%", "千分之": "‰"}


def _percent_in_digits(found: re.Match) -> str:
    whole = parse_chinese_numeral(found["whole"])
    if whole is None:
        return found.group()
    fraction = "".join(_digit(character) for character in found["fraction"] or "")
    return f"{int(whole)}{'.' + fraction if fraction else ''}{PER_SIGN[found['per']]}"


def percents_in_digits(text: str) -> str:
    return PERCENT_IN_WORDS.sub(_percent_in_digits, text) if "分之" in text else text


# A full-width comma in a number written in full-width digits separates thousands ("１，２３４．５亿元");
# between other numbers it is punctuation ("排名第3，100家企业"), folded with a space after it so that
# no later pass takes it for a thousands separator ("3,100").
FULL_WIDTH_THOUSANDS = re.compile(r"(?<=[\uff10-\uff19])\uff0c(?=[\uff10-\uff19]{3}(?![\uff10-\uff19]))")
COMMA_BETWEEN_NUMBERS = re.compile(r"(?<=[\d\uff10-\uff19])\uff0c(?=[\d\uff10-\uff19])")


def fold_width(text: str) -> str:
    if "\uff0c" in text:
        text = COMMA_BETWEEN_NUMBERS.sub(", ", FULL_WIDTH_THOUSANDS.sub("", text))
    # str.translate looks every character of Chinese text up in the table; the regex finds the
    # few full-width ones (a few percent) in C, ~3x faster overall
    return FULL_WIDTH.sub(lambda found: HALF_WIDTH[found.group()], text)


@lru_cache(maxsize=1)
def _variants() -> tuple[re.Pattern, dict[str, str]]:
    table = {row["variant"]: row["standard"] for row in rows("variant_characters")}
    return re.compile("|".join(map(re.escape, table))), table


def fold_variants(text: str) -> str:
    """Variant characters OpenCC's t2s keeps ("陜西") as their standard simplified form."""
    pattern, table = _variants()
    return pattern.sub(lambda found: table[found.group()], text)


def strip_pinyin_glosses(text: str) -> str:
    return PINYIN_GLOSS.sub("", text)


def _is_junk(run: re.Match) -> str:
    token = run.group(0)
    return "" if JUNK_DIGIT.search(token) and JUNK_PUNCT.search(token) else token


def strip_forum_junk(text: str) -> str:
    return FORUM_JUNK.sub(_is_junk, text) if " " in text else text


def unescape_entities(text: str) -> str:
    """HTML entities left in copied text ("&ldquo;卡长”", "&nbsp;"), as the page meant them."""
    return html.unescape(BROKEN_ENTITY.sub("&", text)) if "&" in text else text


def _clean_line(line: str) -> str:
    """Remove markdown from one line."""
    stripped = line.strip()
    if not MARKUP.search(stripped):
        return stripped  # nothing any MD_ pattern could match: most lines, at one regex search
    previous = None
    while previous != line:  # markers can nest in any order ("- ## ", "## - ")
        previous = line
        line = MD_BULLET.sub("", MD_HEADING.sub("", line)).strip()
    line = MD_LINK.sub(r"\1", line)
    line = MD_EMPHASIS.sub(r"\2", line)
    line = MD_DEBRIS.sub("", line)
    return line.strip()


def _is_cut_sentence(line: str) -> bool:
    """Long, unfinished, and not a numbered heading ("(二) 加快落实区域发展战略,在…上全力攻坚");
    a numbered paragraph with full sentences that a page break cut ("(二)…。新开工过亿元") is."""
    if len(line) < MIN_BROKEN_LINE or SENTENCE_END.search(line):
        return False
    return not ENUMERATOR.match(line) or bool(FULL_STOP.search(line))


def _starts_new_block(line: str) -> bool:
    """A numbered item, a labelled item of a bullet summary ("财政:…", "就业:…"), or a short line
    that does not end a sentence: a heading."""
    return bool(ENUMERATOR.match(line) or LABELLED_ITEM.match(line)) or (
        len(line) <= MAX_HEADING and not SENTENCE_END.search(line)
    )


def rejoin_broken_lines(text: str) -> str:
    """One paragraph per line: lines cut mid-sentence (PDF and page breaks) are joined again.

    The decision looks only at what survives normalization (not at markdown markers), so a
    second pass over normalized text decides exactly as the first did.
    """
    paragraphs: list[str] = []
    for raw in text.split("\n"):
        line = _clean_line(raw)
        if not line:
            continue
        if paragraphs and _is_cut_sentence(paragraphs[-1]) and not _starts_new_block(line):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return "\n".join(paragraphs)


# A page copied with its hard wraps (a line every ~30 characters): most lines have one length,
# the wrap width. Such a line that does not end a sentence goes on in the next line, even when
# that line is short (the rest of the paragraph) and would otherwise pass for a heading.
MIN_WRAPPED_LINES = 6
WRAPPED_SHARE = 0.4  # of the lines of some length: lines of one paragraph per line never agree so
WRAP_SLACK = 2  # columns a wrap leaves free where a number or word did not fit


NARROW = re.compile("[\x00-\u10ff]")  # one display column; every character after U+10FF takes two


def _columns(line: str) -> int:
    """Display width: a CJK character takes two columns, an ASCII one one."""
    # counted by the regex in C: a loop over every character of every long line in Python was a
    # tenth of ingestion's time
    return 2 * len(line) - len(NARROW.findall(line))


def wrap_width(lines: list[str]) -> tuple[int, int] | None:
    """(measure, width) of the hard wrap most lines share, measure 0 in characters, 1 in
    display columns; None for text with one paragraph per line."""
    long = [line for line in lines if len(line) >= MIN_BROKEN_LINE // 2]
    if len(long) < MIN_WRAPPED_LINES:
        return None
    best = None
    for measure, size in enumerate((len, _columns)):
        sizes = [size(line) for line in long]
        width = max(set(sizes), key=sizes.count)
        share = sum(width - WRAP_SLACK <= n <= width for n in sizes) / len(sizes)
        wide_enough = width >= MIN_BROKEN_LINE * (1 + measure)  # narrower lines are headings or items
        if wide_enough and share >= WRAPPED_SHARE and (best is None or share > best[0]):
            best = (share, measure, width)
    return best[1:] if best else None


def join_hard_wraps(text: str) -> str:
    """Lines of a hard-wrapped page joined into their paragraphs (before markup is removed: a
    line opening with a bullet, a heading marker or an enumerator starts a block of its own)."""
    lines = [line.strip() for line in text.split("\n")]
    wrap = wrap_width([line for line in lines if line])
    if wrap is None:
        return text
    measure, width = wrap
    size = (len, _columns)[measure]
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        fills = previous and size(previous) >= width - WRAP_SLACK and not SENTENCE_END.search(previous)
        if fills and line and not MARKUP.match(line) and not ENUMERATOR.match(line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def tidy_spacing(text: str) -> str:
    if " " not in text and "\t" not in text:
        return text  # both patterns need a space or tab; normalized text often has none
    text = SPACE_AROUND_NUMBER.sub("", SPACED_DECIMAL.sub(".", text))
    return re.sub(r"[ \t]{2,}", " ", text)


def collapse_doubled_punctuation(text: str) -> str:
    return DOUBLED_PUNCT.sub(r"\1", text)


def split_inline_numbering(text: str) -> str:
    text = INLINE_SECTION.sub("\n", text)
    return INLINE_ITEM.sub("\n", text)


def _layout_pass(text: str) -> str:
    # junk that removing markup exposed ("6% ## **## **," -> "6% ## ## ,") goes as the first junk did
    text = collapse_doubled_punctuation(tidy_spacing(strip_forum_junk(text)))
    # after the collapse, so that a stop or comma it leaves between digits ("29。。29", "29,,296")
    # is read as the next pass would read it
    text = split_inline_numbering(mend_full_stop_decimals(drop_thousands_separators(text)))
    text = rejoin_broken_lines(text)
    return MD_EMPHASIS.sub(r"\2", text)  # bold that a line break had split is whole again now


def normalize_text(text: str) -> str:
    """Raw decoded text -> the canonical text every later stage works on (idempotent)."""
    # a lone surrogate is replaced as the decoder replaces bytes it cannot decode (OpenCC fails on one)
    text = LONE_SURROGATE.sub(REPLACEMENT, text)
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = fold_width(unescape_entities(text))  # thousands separators go in the layout passes
    text = fold_variants(to_simplified(text))
    # wraps first: a page can wrap inside a pinyin gloss ("预(y\nù)算")
    text = percents_in_digits(chinese_dates_in_digits(strip_pinyin_glosses(join_hard_wraps(text))))
    text = strip_forum_junk(text)  # before tidy_spacing glues the junk's digits to the text
    # The layout steps feed each other (removing markup exposes spaces, joining lines exposes
    # inline numbering), so they run until nothing changes: at most a few passes in practice.
    for _ in range(MAX_LAYOUT_PASSES):
        tidied = _layout_pass(text)
        if tidied == text:
            break
        text = tidied
    return text
