"""Encodings, scripts and unusable files."""

from __future__ import annotations

import codecs

import pytest
from conftest import SAMPLE_CORPUS
from govtargets.transforms.decode import (
    RejectedInput,
    _gb2312_level1,
    decode_bytes,
    detect_script,
    han_share,
    plausibility,
)
from govtargets.transforms.normalize import normalize_text

SIMPLIFIED = (SAMPLE_CORPUS / "003_62f548a5d263e92b.txt").read_text(encoding="utf-8")
TRADITIONAL = (SAMPLE_CORPUS / "002_02eb02d9f6deeb92.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "encode", "expected_encoding"),
    [
        (SIMPLIFIED, lambda t: t.encode("gb18030"), "gb18030"),
        (SIMPLIFIED, lambda t: t.encode("gbk", errors="strict"), "gb18030"),
        (TRADITIONAL, lambda t: t.encode("big5", errors="strict"), "big5"),
        (SIMPLIFIED, lambda t: t.encode("utf-16"), "utf-16"),
        (TRADITIONAL, lambda t: t.encode("utf-16-le"), "utf-16-le"),
        (SIMPLIFIED, lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
    ],
)
def test_every_encoding_normalizes_to_the_utf8_original(text, encode, expected_encoding):
    decoded = decode_bytes(encode(text))
    assert decoded.encoding == expected_encoding
    assert normalize_text(decoded.text) == normalize_text(text)


def test_big5_bytes_are_not_mistaken_for_gb18030():
    # both codecs accept these bytes; only Big5 gives readable Chinese
    data = TRADITIONAL[:2000].encode("big5")
    data.decode("gb18030")  # decodes without error, as garbage
    assert decode_bytes(data).encoding == "big5"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n ", "empty"),
        (bytes(range(256)) * 10, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x10" * 300, "binary"),
        (b"Annual budget report of the city, all in English. " * 30, "not_chinese"),
    ],
)
def test_unusable_files_are_rejected_with_a_reason(data, reason):
    with pytest.raises(RejectedInput) as error:
        decode_bytes(data)
    assert error.value.reason == reason
    assert error.value.detail


def test_script_detection():
    assert detect_script(TRADITIONAL) == "traditional"
    assert detect_script(SIMPLIFIED) == "simplified"


def test_common_characters_are_the_gb2312_level1_set():
    level1 = _gb2312_level1()
    assert len(level1) == len(set(level1)) == 3755
    assert "的" in level1 and "德" in level1
    assert "發" not in level1  # traditional: not in GB2312
    assert "丐" not in level1  # GB2312 level 2 (lead byte 0xD8)


def test_plausibility_counts_common_characters_among_non_ascii_ones():
    assert plausibility("abc 的") == 1.0
    assert plausibility("的丐") == 0.5  # level 2 is not common
    assert plausibility("abc") == 0.0
    assert han_share("的 a\n") == 0.5  # whitespace does not count
