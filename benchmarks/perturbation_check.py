"""Perturbation check: do the records of the eval and sample documents survive layout and script
changes that unseen reports have? (a script, not a test)

Each perturbation rewrites every document the way another copy of the same report could be written
(traditional script, full-width digits, hard wraps, another heading style, the year in Chinese
numerals, a news dateline, thousands separators …). The records should stay the same, compared by
(value, unit, kind, year, indicator). A perturbation that changes records shows a class of failure.

    python benchmarks/perturbation_check.py [--only NAME,NAME] [--docs GLOB] [--show 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import opencc

import govtargets

ROOT = Path(__file__).resolve().parent.parent
DOC_DIRS = (ROOT / "samples" / "eval" / "docs", ROOT / "samples" / "corpus")
KEY = ("value", "unit", "kind", "year", "indicator")

_converters: dict[str, opencc.OpenCC] = {}


def _convert(config: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        if config not in _converters:
            _converters[config] = opencc.OpenCC(config)
        return _converters[config].convert(text)

    return run


FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
CN_DIGITS = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))
CN_NUMS = "一二三四五六七八九十"


def full_width(text: str) -> str:
    """Every ASCII digit, letter and punctuation mark full-width ("６．５％")."""
    return "".join(FULL.get(ch, ch) for ch in text)


def full_width_digits(text: str) -> str:
    return re.sub(r"[0-9.%]", lambda m: FULL[m.group()], text)


def ascii_punct(text: str) -> str:
    return text.translate(str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "！": "!"}))


def cjk_punct(text: str) -> str:
    return text.translate(str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}))


def hard_wrap(text: str, width: int = 34) -> str:
    """A scraped page: every paragraph wrapped at `width` characters, indented with full-width spaces."""
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            out.append("")
            continue
        chunks = [line[i : i + width] for i in range(0, len(line), width)]
        out.append("\u3000\u3000" + "\n".join(chunks))
    return "\n".join(out)


def indent(text: str) -> str:
    return "\n".join("\u3000\u3000" + line.strip() if line.strip() else line for line in text.split("\n"))


def blank_lines(text: str) -> str:
    """A page where every paragraph is followed by an empty line."""
    return "\n\n".join(line for line in text.split("\n"))


def spaces_in_sentences(text: str) -> str:
    """A space after every 7th Chinese character (justified web layout)."""
    count = 0

    def add(m: re.Match) -> str:
        nonlocal count
        count += 1
        return m.group() + (" " if count % 7 == 0 else "")

    return re.sub(r"[\u4e00-\u9fff]", add, text)


def unnumbered(text: str) -> str:
    """Paragraphs and headings without their enumerators."""
    return re.sub(
        r"(?m)^(\s*)(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.、](?!\d))",
        r"\1",
        text,
    )


def _level1_heading(style: Callable[[str], str]) -> Callable[[str], str]:
    def run(text: str) -> str:
        return re.sub(
            r"(?m)^(\s*)([一二三四五六七八九十]+)、", lambda m: m.group(1) + style(m.group(2)), text
        )

    return run


def _cn_to_int(numeral: str) -> int:
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + CN_NUMS.index(numeral[1]) + 1
    if len(numeral) == 1:
        return CN_NUMS.index(numeral) + 1
    return (CN_NUMS.index(numeral[0]) + 1) * 10 + (
        CN_NUMS.index(numeral[-1]) + 1 if numeral[-1] != "十" else 0
    )


def chinese_year(text: str) -> str:
    """二〇二三年 for 2023年."""
    return re.sub(r"(?<!\d)((?:19|20)\d{2})(?=年)", lambda m: "".join(CN_DIGITS[d] for d in m.group(1)), text)


def news_lead(text: str) -> str:
    return "新华社北京3月5日电（记者 张华）\n" + text


def paper_lead(text: str) -> str:
    return "本报讯（记者 李明 通讯员 王芳）\n" + text


def dateline(text: str) -> str:
    return "2023年1月12日 09:30 来源：本报\n" + text


def thousands(text: str) -> str:
    """1,234.5亿元: a thousands separator in every number of five or more digits before a unit."""

    def sep(m: re.Match) -> str:
        whole, frac = m.group(1), m.group(2) or ""
        return f"{int(whole):,}{frac}"

    return re.sub(r"(?<![\d.,年])(\d{4,})(\.\d+)?(?=\s*[万亿元个人家%吨亩])", sep, text)


def percent_full(text: str) -> str:
    return text.replace("%", "％")


def _range(dash: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        return re.sub(r"(\d(?:\.\d+)?%?)\s*[-—–～~]\s*(?=\d)", lambda m: m.group(1) + dash, text)

    return run


# The first line of a report's plan part ("二、2024年重点工作安排", "2021年目标"): a line that opens
# with an enumerator or a year and names the plan.
PLAN_PART = re.compile(
    r"(?m)^\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分\s*)?(?:(?:19|20)\d{2}年|今年)"
    r"[^\n。]{0,12}(?:工作安排|工作任务|重点工作|目标任务|总体要求|主要预期目标|目标)[^\n。]{0,12}$"
)


def _parts(text: str) -> tuple[str, str] | None:
    found = PLAN_PART.search(text)
    return (text[: found.start()], text[found.start() :]) if found and found.start() > 200 else None


def review_only(text: str) -> str:
    """The report cut after its review (a copy that stops there): only lost records are expected."""
    parts = _parts(text)
    return parts[0] if parts else text


def plan_first(text: str) -> str:
    """The plan part before the review (a news story that leads with the targets)."""
    parts = _parts(text)
    return parts[1].rstrip("\n") + "\n" + parts[0] if parts else text


PERTURBATIONS: dict[str, Callable[[str], str]] = {
    "s2t": _convert("s2t"),
    "s2tw": _convert("s2twp"),
    "s2hk": _convert("s2hk"),
    "t2s": _convert("t2s"),
    "full_width": full_width,
    "full_width_digits": full_width_digits,
    "ascii_punct": ascii_punct,
    "cjk_punct": cjk_punct,
    "hard_wrap": hard_wrap,
    "hard_wrap_25": lambda t: hard_wrap(t, 25),
    "indent": indent,
    "blank_lines": blank_lines,
    "spaces": spaces_in_sentences,
    "unnumbered": unnumbered,
    "heading_paren": _level1_heading(lambda n: f"（{n}）"),
    "heading_digit": _level1_heading(lambda n: f"{_cn_to_int(n)}."),
    "heading_part": _level1_heading(lambda n: f"第{n}部分 "),
    "chinese_year": chinese_year,
    "news_lead": news_lead,
    "paper_lead": paper_lead,
    "dateline": dateline,
    "thousands": thousands,
    "percent_full": percent_full,
    "range_tilde": _range("~"),
    "range_zhi": _range("至"),
    "range_dao": _range("到"),
    "review_only": review_only,
    "plan_first": plan_first,
}


def records(text: str) -> Counter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            frame = govtargets.extract(text)
        except Exception as error:  # noqa: BLE001 - a perturbed text the pipeline rejects is a finding
            return Counter({("ERROR", type(error).__name__, str(error)[:80], None, None): 1})
    return Counter(tuple(row[k] for k in KEY) for row in frame.select(KEY).iter_rows(named=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="comma-separated perturbation names")
    parser.add_argument("--docs", default="*.txt", help="glob of document names")
    parser.add_argument("--show", type=int, default=4, help="differing records shown per perturbation")
    parser.add_argument("--json", help="write the counts here")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(PERTURBATIONS)
    paths = [path for folder in DOC_DIRS for path in sorted(folder.glob(args.docs))]
    texts = {path.name: path.read_text(encoding="utf-8") for path in paths}
    base = {name: records(text) for name, text in texts.items()}
    total = sum(sum(counter.values()) for counter in base.values())
    print(f"{len(texts)} documents, {total} records unperturbed")
    summary = {}
    for pname in names:
        perturb = PERTURBATIONS[pname]
        lost = gained = changed_docs = 0
        examples = []
        for dname, text in texts.items():
            got = records(perturb(text))
            missing, extra = base[dname] - got, got - base[dname]
            if missing or extra:
                changed_docs += 1
            lost += sum(missing.values())
            gained += sum(extra.values())
            examples += [(dname, "-", key) for key in missing.elements()]
            examples += [(dname, "+", key) for key in extra.elements()]
        summary[pname] = {"lost": lost, "gained": gained, "docs": changed_docs}
        print(f"\n== {pname}: lost {lost}, gained {gained}, in {changed_docs} documents")
        for dname, sign, key in sorted(examples, key=lambda e: (e[0], str(e[2])))[: args.show]:
            print(f"   {sign} {dname[:22]:22} {key}")
    print("\nperturbation          lost gained docs")
    for pname, counts in summary.items():
        print(f"{pname:20} {counts['lost']:6} {counts['gained']:6} {counts['docs']:4}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
