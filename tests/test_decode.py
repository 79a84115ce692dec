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


# --- issue 14: a handful of damaged bytes is counted, not a reason to lose the report ----------

UTF8 = SIMPLIFIED.encode("utf-8")
GB = SIMPLIFIED.encode("gb18030")
BIG5 = TRADITIONAL.encode("big5", errors="strict")
AT = len(SIMPLIFIED[:1000].encode("utf-8"))  # a character boundary
GB_AT = len(SIMPLIFIED[:1000].encode("gb18030"))


@pytest.mark.parametrize(
    ("data", "encoding", "errors", "expected"),
    [
        # the last character cut off (a file still being written)
        (UTF8[:-2], "utf-8", 1, SIMPLIFIED[:-1] + "\ufffd"),
        (
            UTF8[:AT] + b"\xff\xfe\xff\xfe" + UTF8[AT:],
            "utf-8",
            4,
            SIMPLIFIED[:1000] + "\ufffd" * 4 + SIMPLIFIED[1000:],
        ),
        (UTF8[:AT] + b"\x00\x00\x00" + UTF8[AT:], "utf-8", 3, SIMPLIFIED),  # 3 NUL bytes, removed
        (UTF8[:AT] + b"\x01\x1b\x7f" + UTF8[AT:], "utf-8", 3, SIMPLIFIED),  # other control characters
        (GB[:GB_AT] + b"\xff" + GB[GB_AT:], "gb18030", 1, SIMPLIFIED[:1000] + "\ufffd" + SIMPLIFIED[1000:]),
        (BIG5[:-1], "big5", 1, TRADITIONAL[:-1] + "\ufffd"),
        (SIMPLIFIED.encode("utf-16")[:-1], "utf-16", 1, SIMPLIFIED[:-1] + "\ufffd"),  # odd length
    ],
    ids=["truncated", "bad-bytes", "nul-bytes", "controls", "gb18030", "big5", "utf-16"],
)
def test_a_handful_of_damaged_bytes_is_replaced_and_counted(data, encoding, errors, expected):
    """Issue 14: one truncated character, 4 bad bytes or 3 NUL bytes used to lose the whole report."""
    decoded = decode_bytes(data)
    assert (decoded.encoding, decoded.errors) == (encoding, errors)
    assert decoded.text == expected


def test_clean_files_have_no_decode_errors():
    assert decode_bytes(UTF8).errors == 0 and decode_bytes(GB).errors == 0 and decode_bytes(BIG5).errors == 0


def test_form_feed_and_vertical_tab_are_line_breaks_not_errors():
    decoded = decode_bytes(("第一页内容。\f第二页内容。\v" + SIMPLIFIED[:500]).encode("utf-8"))
    assert decoded.text.startswith("第一页内容。\n第二页内容。\n") and decoded.errors == 0


def test_a_file_that_is_mostly_damage_is_still_rejected():
    damaged = bytes(b ^ 0x80 if i % 7 == 0 else b for i, b in enumerate(UTF8[:4000]))
    with pytest.raises(RejectedInput) as error:
        decode_bytes(damaged)
    assert error.value.reason in {"undecodable", "not_chinese", "binary"}
    with pytest.raises(RejectedInput, match="control bytes"):
        decode_bytes(UTF8[:2000] + b"\x00\x01" * 200)
