"""Bytes -> text: encoding detection for Chinese report files, script detection.

Pure functions: the caller reads the file; nothing here touches the disk.

Real files are damaged in small ways: a last character cut off because the file was still being
written, a few bytes of a bad sector, NUL bytes a tool left behind. A handful of such bytes is
replaced with U+FFFD (or, for NUL and other control characters, removed) and counted in
`DecodedText.errors`, instead of losing the whole report; only a file that is mostly damage is
rejected.
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
# C0 controls other than tab, line feed, carriage return, vertical tab and form feed, DEL, and the C1
# controls (never text; in decoded Chinese they are debris of a tool or of a wrong guess)
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
# Vertical tab (Word's line break) and form feed (a PDF's page break) end a line.
LINE_BREAK_CONTROL = re.compile(r"[\x0b\x0c]")
# How many damaged bytes or control characters a file may have and still be read: "a handful",
# or half a percent of a long file. More than that, and the file is not the text it claims to be.
MIN_TOLERATED_ERRORS = 16
TOLERATED_ERROR_SHARE = 0.005
REPLACEMENT = "\ufffd"


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
    errors: int = 0  # byte sequences replaced with U+FFFD + control characters removed


def tolerated_errors(length: int) -> int:
    return max(MIN_TOLERATED_ERRORS, int(length * TOLERATED_ERROR_SHARE))


def strip_control_characters(text: str) -> tuple[str, int]:
    """Text without NUL and other control characters (vertical tab and form feed become line
    breaks), and how many were removed."""
    text = LINE_BREAK_CONTROL.sub("\n", text)
    removed = len(CONTROL.findall(text))
    return (CONTROL.sub("", text), removed) if removed else (text, 0)


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


def _replaced(data: bytes, encoding: str) -> tuple[str, int]:
    """Decoded with every undecodable byte sequence replaced; the number of replacements (U+FFFD
    that the bytes themselves spell are not counted)."""
    text = data.decode(encoding, errors="replace")
    try:
        literal = data.count(REPLACEMENT.encode(encoding))
    except UnicodeEncodeError:  # Big5 has no U+FFFD
        literal = 0
    return text, text.count(REPLACEMENT) - literal


def _tolerant(data: bytes, encodings: tuple[str, ...]) -> DecodedText | None:
    """The most plausible decoding that needs at most a handful of replacements, if any."""
    limit = tolerated_errors(len(data))
    candidates = []
    for encoding in encodings:
        text, errors = _replaced(data, encoding)
        if errors <= limit:
            candidates.append(DecodedText(text, encoding, round(plausibility(text), 4), errors))
    candidates = [c for c in candidates if c.confidence >= MIN_PLAUSIBLE]
    return max(candidates, key=lambda c: (c.confidence, -c.errors), default=None)


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
            if text is not None:
                return DecodedText(text, encoding, 1.0)
            text, errors = _replaced(data, encoding)
            if errors > tolerated_errors(len(data)):
                raise RejectedInput(
                    "undecodable",
                    f"starts with a {encoding} byte-order mark but {errors} byte sequences are not {encoding}",
                )
            return DecodedText(text, encoding, 1.0, errors)
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
    decoded = decode_text(data)
    check_is_chinese_text(decoded)
    return decoded


def decode_text(data: bytes) -> DecodedText:
    """Bytes -> text in the most plausible encoding, a handful of damaged bytes replaced and NUL and
    control characters removed (both counted in `errors`). Whether the text is Chinese is not
    checked here: markup (an HTML page) has to be removed first."""
    if not data.strip():
        raise RejectedInput("empty", "the file has no content")
    decoded = _decode_with_bom(data)
    if decoded is None:
        text = _strict(data, "utf-8")
        # UTF-16 of ASCII-heavy text is valid UTF-8 full of NULs: only a few NULs mean UTF-8
        if text is not None and text.count("\x00") <= tolerated_errors(len(data)):
            decoded = DecodedText(text, "utf-8", 1.0)
    decoded = decoded or _bomless_utf16(data)
    if decoded is None:
        _reject_binary(data)
    decoded = (
        decoded
        or _best_legacy(data)
        or _tolerant(data, ("utf-8", *LEGACY_CANDIDATES))
        or _charset_normalizer_guess(data)
    )
    if decoded is None:
        raise RejectedInput("undecodable", "no encoding (UTF-8/16, GB18030, Big5 or detected) decodes it")
    return without_control_characters(decoded)


def _reject_binary(data: bytes) -> None:
    """No text encoding puts control bytes into Chinese text (UTF-16, which does, is tried first)."""
    controls = len(CONTROL_BYTES.findall(data))
    if controls > tolerated_errors(len(data)):
        nuls = data.count(b"\x00")
        raise RejectedInput(
            "binary", f"contains {controls} control bytes ({nuls} of them NUL) and is not UTF-16 text"
        )


def without_control_characters(decoded: DecodedText) -> DecodedText:
    """NUL and control characters removed and counted; too many of them mean a binary file."""
    text, removed = strip_control_characters(decoded.text)
    if removed > max(tolerated_errors(len(decoded.text)), len(decoded.text) * 0.01):
        raise RejectedInput("binary", f"{removed} control characters after decoding as {decoded.encoding}")
    if not text.strip():
        raise RejectedInput("empty", "the file has no text")
    return DecodedText(text, decoded.encoding, decoded.confidence, decoded.errors + removed)


def check_is_chinese_text(decoded: DecodedText) -> None:
    """Raises RejectedInput unless the text reads as Chinese (and, for a legacy encoding, plausibly so)."""
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
