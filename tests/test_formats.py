"""Issue 14: the formats governments publish in — HTML pages (also saved as .txt), text PDFs, Word
.docx — read with maintained libraries; scans, encrypted and broken files rejected with a reason."""

from __future__ import annotations

import html
import io
import shutil
import subprocess

import pytest
from conftest import SAMPLE_CORPUS
from govtargets.transforms.decode import RejectedInput
from govtargets.transforms.documents import document_row
from govtargets.transforms.formats import html_to_text, read_text, source_format, unify_radicals
from govtargets.transforms.normalize import normalize_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium): no PDF to read"
)
REPORT = SAMPLE_CORPUS / "003_62f548a5d263e92b.txt"
# Headline targets of the 2024 report, as its text states them.
HEADLINES = ("地区生产总值增长5.5%以上", "一般公共预算收入增长5%左右", "固定资产投资增长8%左右")

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>德州市人民政府门户网站</title>
<style>.x {{ content: "增长88%"; }}</style>
<script>var target = "地区生产总值增长99%"; document.write(target);</script></head>
<body>
<nav><a href="/">首页</a> <a href="/zw">政务公开</a> 当前位置：新闻</nav>
<div class="article">
  <h1>2024年德州市政府工作报告</h1>
  <p>今年经济社会发展的主要预期目标是：地区生产总值增长<b>5.5%</b>以上，
     一般公共预算收入增长<span class="num">5%</span>左右。</p>
  <p>城镇新增就业6万人以上<br>居民消费价格涨幅3%左右。</p>
  <div style="display:none">隐藏文字增长77%</div>
  <table><tr><th>指标</th><th>目标</th></tr><tr><td>固定资产投资</td><td>增长8%左右</td></tr></table>
  <!-- 注释里的增长66% -->
</div>
<footer>版权所有：德州市人民政府办公室 电话：0534-1234567</footer>
<script>console.log("增长55%")</script>
</body></html>
"""


def test_an_html_page_is_reduced_to_its_text():
    text = html_to_text(PAGE.format(charset="utf-8"))
    assert text.split("\n") == [
        "2024年德州市政府工作报告",
        "今年经济社会发展的主要预期目标是：地区生产总值增长5.5%以上， 一般公共预算收入增长5%左右。",
        "城镇新增就业6万人以上",
        "居民消费价格涨幅3%左右。",
        "指标 目标",
        "固定资产投资 增长8%左右",
    ]


def test_html_in_a_txt_file_is_read_as_html_and_its_scripts_give_no_record():
    """Issue 14: HTML inside a .txt loaded with its tags and yielded a record from a <script> block."""
    row = document_row("德州/2024.txt", PAGE.format(charset="utf-8").encode("utf-8"))
    assert row["source_format"] == "html"
    assert "<" not in row["text"] and "99%" not in row["text"] and "55%" not in row["text"]
    assert "77%" not in row["text"] and "66%" not in row["text"] and "首页" not in row["text"]
    assert "地区生产总值增长5.5%以上" in row["text"]
    from govtargets.transforms.documents import documents_frame
    from govtargets.transforms.records import sentence_frame, target_frame

    documents = documents_frame([{k: v for k, v in row.items() if k != "path"}])
    values = set(target_frame(documents, sentence_frame(documents))["value"].to_list())
    assert {5.5, 5.0, 3.0} <= values and not values & {99.0, 88.0, 77.0, 66.0, 55.0}


def test_an_html_page_in_gb2312_is_decoded_and_read():
    page = PAGE.format(charset="gb2312").encode("gb18030")
    decoded, fmt = read_text("report.htm", page)
    assert fmt == "html" and decoded.encoding == "gb18030"
    assert "居民消费价格涨幅3%左右" in decoded.text


def test_plain_text_mentioning_angle_brackets_stays_text():
    text = REPORT.read_text(encoding="utf-8")[:3000] + "\n详见<附件1>和<附件2>。\n"
    decoded, fmt = read_text("a.txt", text.encode("utf-8"))
    assert fmt == "text" and decoded.text == text


def test_markdown_is_read_as_text():
    decoded, fmt = read_text("notes/报告.md", ("# 标题\n\n" + REPORT.read_text(encoding="utf-8")).encode())
    assert fmt == "markdown" and decoded.text.startswith("# 标题")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.TXT", "text"), ("b/c.Html", "html"), ("x.htm", "html"), ("r.pdf", "pdf"), ("r.docx", "docx"),
     ("r.doc", None), ("r.xlsx", None), ("README", None)],
)  # fmt: skip
def test_formats_by_suffix(name, fmt):
    assert source_format(name) == fmt


def test_a_legacy_word_file_is_rejected_saying_what_to_do():
    with pytest.raises(RejectedInput) as error:
        read_text("2019/报告.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    assert error.value.reason == "unsupported_format" and "save it as .docx" in error.value.detail


def test_radicals_of_pdf_fonts_become_ideographs():
    assert (
        unify_radicals("市⼈⺠政府向⼤会报告⼯作，请提出意⻅，⻓期")
        == "市人民政府向大会报告工作，请提出意见，长期"
    )


# --- Word ---------------------------------------------------------------------------------------


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉：德州市人民政府办公室"
    document.sections[0].footer.paragraphs[0].text = "第1页"
    document.add_heading("2024年德州市政府工作报告", level=1)
    for paragraph in REPORT.read_text(encoding="utf-8").split("\n")[:40]:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=2, cols=3)
    table.rows[0].cells[0].merge(table.rows[0].cells[1]).text = "主要指标"
    table.rows[0].cells[2].text = "目标"
    for cell, text in zip(table.rows[1].cells, ("地区生产总值", "增长", "5.5%以上"), strict=True):
        cell.text = text
    document.add_paragraph("表格之后的段落。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_report_is_read_in_document_order():
    decoded, fmt = read_text("报告.docx", docx_bytes())
    lines = decoded.text.split("\n")
    expected = REPORT.read_text(encoding="utf-8").split("\n")[:40]
    assert fmt == "docx" and decoded.encoding == "docx"
    assert lines == [
        "2024年德州市政府工作报告",
        *expected,
        "主要指标 目标",
        "地区生产总值 增长 5.5%以上",
        "表格之后的段落。",
    ]
    assert "页眉" not in decoded.text and "第1页" not in decoded.text


def test_a_broken_docx_is_rejected_as_corrupt():
    with pytest.raises(RejectedInput) as error:
        read_text("报告.docx", docx_bytes()[:3000])
    assert error.value.reason == "corrupt"


# --- PDF ----------------------------------------------------------------------------------------


def chromium(*arguments: str, profile) -> None:
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update", f"--user-data-dir={profile}",
        *arguments,
    ]  # fmt: skip
    subprocess.run(command, capture_output=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, bytes]:
    """The 2024 report printed to PDF by Chromium, and a scan of its first page (an image only)."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium): no PDF to read")
    folder = tmp_path_factory.mktemp("pdfs")
    profile = folder / "profile"
    paragraphs = "".join(
        f"<p>{html.escape(line)}</p>" for line in REPORT.read_text(encoding="utf-8").split("\n") if line
    )
    page = folder / "report.html"
    page.write_text(f"<!doctype html><meta charset='utf-8'><body>{paragraphs}</body>", encoding="utf-8")
    chromium(
        "--no-pdf-header-footer", f"--print-to-pdf={folder / 'report.pdf'}", page.as_uri(), profile=profile
    )
    chromium(f"--screenshot={folder / 'scan.png'}", "--window-size=1240,1754", page.as_uri(), profile=profile)
    scan_page = folder / "scan.html"
    scan_page.write_text("<!doctype html><body style='margin:0'><img src='scan.png' width='100%'></body>")
    chromium(
        "--no-pdf-header-footer", f"--print-to-pdf={folder / 'scan.pdf'}", scan_page.as_uri(), profile=profile
    )
    return {"text": (folder / "report.pdf").read_bytes(), "scan": (folder / "scan.pdf").read_bytes()}


@needs_chromium
def test_a_text_pdf_reads_as_the_report(pdfs):
    from_pdf = document_row("德州/2024.pdf", pdfs["text"])
    from_txt = document_row("德州/2024.txt", REPORT.read_bytes())
    assert from_pdf["source_format"] == "pdf" and from_pdf["decode_errors"] == 0
    keys = ("region", "year", "doc_type", "script", "delivered_on")
    assert {k: from_pdf[k] for k in keys} == {k: from_txt[k] for k in keys}
    compact = "".join(from_pdf["text"].split())
    assert all(headline in compact for headline in HEADLINES)
    assert "⼈" not in from_pdf["text"] and "人民政府" in from_pdf["text"]
    # the same text but for the lines and spaces of the printed layout (and a glyph or two)
    assert abs(len(compact) - len("".join(normalize_text(REPORT.read_text(encoding="utf-8")).split()))) < 10


@needs_chromium
def test_a_scanned_pdf_is_rejected_as_having_no_text_layer(pdfs):
    with pytest.raises(RejectedInput) as error:
        read_text("扫描件.pdf", pdfs["scan"])
    assert error.value.reason == "no_text_layer" and "OCR" in error.value.detail


@needs_chromium
def test_an_encrypted_pdf_is_rejected_and_an_openable_one_read(pdfs):
    from pypdf import PdfReader, PdfWriter

    def encrypted(user_password: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdfs["text"])))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    with pytest.raises(RejectedInput) as error:
        read_text("a.pdf", encrypted("secret"))
    assert error.value.reason == "encrypted"
    decoded, _ = read_text("b.pdf", encrypted(""))  # protected against editing only: readable
    assert HEADLINES[0] in "".join(decoded.text.split())


def test_a_broken_pdf_is_rejected_as_corrupt():
    with pytest.raises(RejectedInput) as error:
        read_text("a.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ngarbage")
    assert error.value.reason in {"corrupt", "no_text_layer"}
    with pytest.raises(RejectedInput) as error:
        read_text("b.pdf", b"this is not a pdf at all")
    assert error.value.reason == "corrupt"
