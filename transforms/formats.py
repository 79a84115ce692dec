"""A report file's bytes -> its text, by format: plain text and Markdown, HTML pages, text PDFs and
Word .docx files, the formats governments publish in.

Pure functions of the bytes (nothing here opens a file): the caller reads a file once, hashes what
it read and hands the same bytes here, so a document's id is the hash of the bytes its text came
from. Markup is removed before anything judges the text (an HTML page is mostly ASCII tags), and
before normalization.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from pathlib import PurePosixPath

from govtargets.transforms.decode import (
    DecodedText,
    RejectedInput,
    check_is_chinese_text,
    decode_text,
    without_control_characters,
)

TEXT, MARKDOWN, HTML, PDF, DOCX = "text", "markdown", "html", "pdf", "docx"
# File name suffix -> format. Everything else the walk meets is rejected as unsupported_format.
FORMATS = {
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,  # normalization removes Markdown's markup
    ".markdown": MARKDOWN,
    ".html": HTML,
    ".htm": HTML,
    ".shtml": HTML,
    ".xhtml": HTML,
    ".pdf": PDF,
    ".docx": DOCX,
}
# What to tell the user about formats that are common among government files but not read.
UNSUPPORTED_HINTS = {
    ".doc": "a legacy Word file: save it as .docx",
    ".wps": "a WPS Writer file: save it as .docx",
    ".ofd": "an OFD file: export it as PDF",
    ".caj": "a CAJ file: export it as PDF",
}

# Elements that are never a report's text: code, styling, navigation, page furniture, controls.
DROPPED_ELEMENTS = (
    "script", "style", "noscript", "template", "head", "nav", "aside", "footer", "iframe", "frame",
    "object", "embed", "svg", "canvas", "form", "button", "select", "textarea", "input", "map",
)  # fmt: skip
# The same by ARIA role, and content the page itself hides (anti-copy junk is often hidden text).
DROPPED_SELECTOR = (
    "[role=navigation], [role=banner], [role=contentinfo], [role=search], [role=menu], [role=menubar], "
    '[aria-hidden=true], [hidden], [style*="display:none"], [style*="display: none"], '
    '[style*="visibility:hidden"], [style*="visibility: hidden"]'
)
# Elements that start a new line of text (an inline element, such as a <span> around a figure, does not).
BLOCK_ELEMENTS = (
    "address", "article", "blockquote", "caption", "dd", "div", "dl", "dt", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section",
    "table", "tbody", "thead", "tfoot", "tr", "ul",
)  # fmt: skip
TABLE_CELLS = ("td", "th")
WHITESPACE = re.compile(r"\s+")
BLANK_LINES = re.compile(r"[ \t]*\n[ \t\n]*")
# An HTML page saved as .txt: a document type, an <html>/<body> element, or markup throughout.
HTML_START = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html)\b", re.IGNORECASE)
HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|br|span|script|style|table|tr|td|th|a|meta|link|ul|ol|li|h[1-6]|font|"
    r"strong|b|img|iframe|section|article|nav|center)\b[^<>]{0,500}>",
    re.IGNORECASE,
)
MIN_HTML_TAGS = 3
# PDF fonts often map a glyph to a radical's code point instead of the ideograph's, so that a
# PDF's text layer reads "市⼈⺠政府" where the page shows 市人民政府. Kangxi radicals
# (U+2F00..U+2FD5) have compatibility decompositions (NFKC); the CJK Radicals Supplement
# (U+2E80..U+2EF3) has none, so these are the ideographs Unicode's EquivalentUnifiedIdeograph.txt
# gives for the supplement's radicals that stand for a whole character.
KANGXI_RADICAL = re.compile("[\u2f00-\u2fd5]")
SUPPLEMENT_RADICALS = str.maketrans(
    "⺁⺄⺌⺍⺎⺟⺠⺧⺩⺬⻁⻄⻅⻆⻉⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "厂乙小小兀母民牛王示虎西见角贝车長长门雨青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟",
)
RADICAL = re.compile("[\u2e80-\u2fdf]")
# Fewer visible characters than this per page: a scan (an image of each page) without a text layer.
MIN_TEXT_PER_PAGE = 20


def source_format(name: str) -> str | None:
    """The format a file name says, or None when it is not one govtargets reads."""
    return FORMATS.get(PurePosixPath(name).suffix.lower())


def unsupported_detail(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    what = UNSUPPORTED_HINTS.get(suffix) or (f"'{suffix}' files are not read" if suffix else "no file suffix")
    return f"{what} (read: {', '.join(sorted(FORMATS))})"


def read_text(name: str, data: bytes) -> tuple[DecodedText, str]:
    """The text of a file and its format; raises RejectedInput for a file that gives no Chinese text.

    `name` (a path or a file name) decides the format by its suffix; a text that is an HTML page is
    read as HTML. A name without a known suffix ("<text>" for a string given to extract()) is read as
    text, except the formats known not to be read (a legacy .doc), which are rejected saying so. (A
    run's walk rejects every unknown suffix before anything is read: flows/inputs.py.)"""
    if PurePosixPath(name).suffix.lower() in UNSUPPORTED_HINTS:
        raise RejectedInput("unsupported_format", unsupported_detail(name))
    fmt = source_format(name) or TEXT
    if fmt == PDF:
        decoded = pdf_text(data)
    elif fmt == DOCX:
        decoded = docx_text(data)
    else:
        decoded = decode_text(data)
        if fmt == HTML or looks_like_html(decoded.text):
            fmt = HTML
            text = html_to_text(decoded.text)
            if not text.strip():
                raise RejectedInput("empty", "the page has no text outside scripts, styles and navigation")
            decoded = DecodedText(text, decoded.encoding, decoded.confidence, decoded.errors)
    check_is_chinese_text(decoded)
    return decoded, fmt


# --- HTML -------------------------------------------------------------------------------------


def looks_like_html(text: str) -> bool:
    head = text[:100_000]
    return bool(HTML_START.match(head)) or len(HTML_TAG.findall(head)) >= MIN_HTML_TAGS


def html_to_text(markup: str) -> str:
    """The text of an HTML page, one block (paragraph, heading, list item, table row) per line;
    scripts, styles, navigation, page furniture and hidden elements dropped."""
    from bs4 import BeautifulSoup, Comment  # only runs that meet HTML import it

    soup = BeautifulSoup(markup, "lxml")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(DROPPED_ELEMENTS):
        tag.decompose()
    for tag in soup.select(DROPPED_SELECTOR):
        tag.decompose()
    root = _content_root(soup)
    # Whitespace in HTML source is layout of the source, not of the page: one space, as a browser shows it.
    for string in list(root.find_all(string=True)):
        if string.find_parent("pre") is None:
            string.replace_with(WHITESPACE.sub(" ", str(string)))
    for br in root.find_all("br"):
        br.replace_with("\n")
    for tag in root.find_all(BLOCK_ELEMENTS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in root.find_all(TABLE_CELLS):
        cell.insert_after(" ")
    return BLANK_LINES.sub("\n", root.get_text()).strip()


def _content_root(soup):
    """The page's main content when it marks it (<main>, or its only <article>), else its body."""
    main = soup.find("main")
    if main is not None:
        return main
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


# --- PDF --------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> DecodedText:
    """The text layer of a PDF, pages separated by line breaks (pypdf)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every repaired oddity
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise RejectedInput("encrypted", "the PDF is protected by a password")
        pages = [page.extract_text() or "" for page in reader.pages]
    except RejectedInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        raise RejectedInput("corrupt", f"not a readable PDF: {type(error).__name__}: {error}") from error
    visible = sum(len(WHITESPACE.sub("", page)) for page in pages)
    if visible < MIN_TEXT_PER_PAGE * max(1, len(pages)):
        raise RejectedInput(
            "no_text_layer",
            f"{visible} characters of text on {len(pages)} pages: a scan without a text layer (OCR it first)",
        )
    return without_control_characters(DecodedText(unify_radicals("\n".join(pages)), PDF, 1.0))


def unify_radicals(text: str) -> str:
    """Radicals a PDF font put where it showed ideographs, as the ideographs ("⼈⺠" -> "人民")."""
    if not RADICAL.search(text):
        return text
    text = KANGXI_RADICAL.sub(lambda found: unicodedata.normalize("NFKC", found.group()), text)
    return text.translate(SUPPLEMENT_RADICALS)


# --- Word -------------------------------------------------------------------------------------


def docx_text(data: bytes) -> DecodedText:
    """Paragraphs and table rows of a .docx body, in document order (python-docx); one per line."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines = []
        for block in document.iter_inner_content():
            lines.extend(_table_rows(block) if isinstance(block, Table) else [block.text])
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise RejectedInput(
            "corrupt", f"not a readable .docx file: {type(error).__name__}: {error}"
        ) from error
    text = "\n".join(lines)
    if not text.strip():
        raise RejectedInput("empty", "the document has no text")
    return without_control_characters(DecodedText(text, DOCX, 1.0))


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], []
        for cell in row.cells:  # a merged cell is listed once per grid column it spans
            if not any(cell._tc is tc for tc in seen):
                seen.append(cell._tc)
                cells.append(cell.text)
        rows.append(" ".join(cells))
    return rows
