"""Bytes -> text: encoding detection for Chinese report files, script detection.

Pure functions: the caller reads the file; nothing here touches the disk.
"""

from __future__ import annotations

import codecs
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


def _is_common_hanzi(char: str) -> bool:
    """True for the 3,755 GB2312 level-1 characters: the everyday core of written Chinese."""
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation.

    Measured after t2s so that correctly decoded traditional text scores as high as simplified.
    """
    wide = [c for c in to_simplified(text) if ord(c) > 0x7F]
    if not wide:
        return 0.0
    good = sum(1 for c in wide if _is_common_hanzi(c) or c in "，。、；：？！“”‘’《》（）—…·　")
    return good / len(wide)


def han_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return 0.0
    return sum(1 for c in visible if "\u4e00" <= c <= "\u9fff") / len(visible)


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
    controls = sum(1 for c in decoded.text if ord(c) < 32 and c not in "\r\n\t")
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
    to_simp = sum(a != b for a, b in zip(sample, converter("t2s").convert(sample)))
    to_trad = sum(a != b for a, b in zip(sample, converter("s2t").convert(sample)))
    return "traditional" if to_simp > to_trad else "simplified"
