"""Bytes -> text: encoding detection for Chinese report files, script detection.

Pure functions: the caller reads the file; nothing here touches the disk.
"""

from __future__ import annotations

import codecs
import operator
import re
from dataclasses import dataclass
from functools import lru_cache

import charset_normalizer
import opencc

# Chinese files from Windows tools are GB18030/GBK far more often than anything else, so it is
# tried first; Big5 is its rival (traditional-script reprints). Both decode almost any byte
# sequence without error, so the winner is chosen by how plausible the decoded text is.
LEGACY_CANDIDATES = ("gb18030", "big5")
MIN_PLAUSIBLE = 0.6
MIN_HAN_SHARE = 0.2

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

COMMON_PUNCTUATION = "，。、；：？！“”‘’《》（）—…·　"
NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
WHITESPACE_RUN = re.compile(r"\s+")  # \s in a str pattern is exactly str.isspace()
# C0 controls other than tab, line feed and carriage return
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class RejectedInput(ValueError):
    """A file that cannot become a document: `reason` is a short code, `detail` says why."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    confidence: float


@lru_cache(maxsize=4)
def converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    # t2s converts characters only. The phrase-level configs (tw2sp, hk2s) rewrite Taiwan/HK
    # vocabulary into mainland words, which corrupts reprints of mainland policy texts: these
    # documents already use mainland vocabulary, only the glyphs are traditional.
    return converter("t2s").convert(text)


def _gb2312_level1() -> str:
    """The 3,755 GB2312 level-1 characters (lead bytes 0xB0..0xD7): the everyday core of written
    Chinese. Each is decoded from its code and kept only if it encodes back to the same code."""
    found = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            code = bytes((lead, trail))
            char = _strict(code, "gb2312")
            if char is not None and char.encode("gb2312") == code:
                found.append(char)
    return "".join(found)


@lru_cache(maxsize=1)
def _common_text_run() -> re.Pattern:
    return re.compile(f"[{re.escape(_gb2312_level1() + COMMON_PUNCTUATION)}]+")


def _count_matched(pattern: re.Pattern, text: str) -> int:
    """Characters of `text` inside runs of `pattern`: counting whole runs in C instead of testing
    characters one by one in Python."""
    return sum(map(len, pattern.findall(text)))


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation.

    Measured after t2s so that correctly decoded traditional text scores as high as simplified.
    """
    simplified = to_simplified(text)
    wide = _count_matched(NON_ASCII_RUN, simplified)
    if not wide:
        return 0.0
    return _count_matched(_common_text_run(), simplified) / wide


def han_share(text: str) -> float:
    visible = len(text) - _count_matched(WHITESPACE_RUN, text)
    if not visible:
        return 0.0
    return _count_matched(HAN_RUN, text) / visible


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _bomless_utf16(data: bytes) -> DecodedText | None:
    """UTF-16 without a byte-order mark: the byte order whose text reads as Chinese.

    Any even-length byte string decodes as UTF-16, so the result must also be plausible text.
    """
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        text = _strict(data, encoding)
        if text is not None and han_share(text) >= MIN_HAN_SHARE and plausibility(text) >= 0.9:
            return DecodedText(text, encoding, round(plausibility(text), 4))
    return None


def _decode_with_bom(data: bytes) -> DecodedText | None:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = _strict(data, encoding)
            if text is None:
                raise RejectedInput(
                    "undecodable", f"starts with a {encoding} byte-order mark but is not valid {encoding}"
                )
            return DecodedText(text, encoding, 1.0)
    return None


def _best_legacy(data: bytes) -> DecodedText | None:
    scored = []
    for encoding in LEGACY_CANDIDATES:
        text = _strict(data, encoding)
        if text is not None:
            scored.append(DecodedText(text, encoding, round(plausibility(text), 4)))
    if not scored:
        return None
    best = max(scored, key=lambda d: d.confidence)
    return best if best.confidence >= MIN_PLAUSIBLE else None


def _charset_normalizer_guess(data: bytes) -> DecodedText | None:
    match = charset_normalizer.from_bytes(data).best()
    if match is None:
        return None
    text = str(match)
    return DecodedText(text, match.encoding, round(plausibility(text), 4))


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a report file; raises RejectedInput for empty, binary, undecodable or non-Chinese files."""
    if not data.strip():
        raise RejectedInput("empty", "the file has no content")
    decoded = _decode_with_bom(data)
    if decoded is None:
        text = _strict(data, "utf-8")
        decoded = DecodedText(text, "utf-8", 1.0) if text is not None and "\x00" not in text else None
    decoded = decoded or _bomless_utf16(data)
    if decoded is None and b"\x00" in data:
        raise RejectedInput("binary", "contains NUL bytes and is not UTF-16 text")
    decoded = decoded or _best_legacy(data) or _charset_normalizer_guess(data)
    if decoded is None:
        raise RejectedInput("undecodable", "no encoding (UTF-8/16, GB18030, Big5 or detected) decodes it")
    _check_is_chinese_text(decoded)
    return decoded


def _check_is_chinese_text(decoded: DecodedText) -> None:
    controls = len(CONTROL.findall(decoded.text))
    if controls > max(5, len(decoded.text) * 0.01):
        raise RejectedInput("binary", f"{controls} control characters after decoding as {decoded.encoding}")
    share = han_share(decoded.text)
    if share < MIN_HAN_SHARE:
        raise RejectedInput(
            "not_chinese",
            f"only {share:.0%} of the characters are Chinese (decoded as {decoded.encoding})",
        )
    # for legacy encodings the confidence already is the text's plausibility
    unicode = decoded.encoding.startswith(("utf-8", "utf-16"))
    if not unicode and decoded.confidence < MIN_PLAUSIBLE:
        raise RejectedInput("undecodable", f"decodes as {decoded.encoding} but reads as garbage")


def detect_script(text: str) -> str:
    """'traditional' when converting to simplified changes more characters than the reverse."""
    sample = text[:20000]
    simplified = converter("t2s").convert(sample)
    if simplified == sample:
        return "simplified"  # no character to simplify: s2t cannot find fewer
    to_simp = sum(map(operator.ne, sample, simplified))
    to_trad = sum(map(operator.ne, sample, converter("s2t").convert(sample)))
    return "traditional" if to_simp > to_trad else "simplified"
