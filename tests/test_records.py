"""The period of a figure: the whole year, or the year so far."""

from __future__ import annotations

import polars as pl
import pytest
from govtargets.transforms.records import FULL_YEAR, YEAR_TO_DATE, period_expr, sentence_frame, target_frame


def period(evidence: str, section: str | None = None, sentence: str | None = None) -> str:
    frame = pl.DataFrame(
        {"section": [section], "sentence": [sentence or evidence], "evidence": [evidence]},
        schema={"section": pl.Utf8, "sentence": pl.Utf8, "evidence": pl.Utf8},
    )
    return frame.select(period=period_expr())["period"][0]


@pytest.mark.parametrize(
    "evidence",
    [
        "1—4月份城镇新增就业1.77万人",
        "1-10月规模以上工业增加值增长5.1%",
        "1 — 4 月份,一般公共预算收入降幅收窄3.2个百分点",
        "一至三月外贸进出口增长4%",
        "前三季度地区生产总值增长4.5%",
        "前10个月完成投资120亿元",
        "上半年新增就业3.2万人",
        "一季度发放低保金6300余万元",
        "第一季度实际利用外资1.2亿美元",
        "截至9月底累计办理业务1.3万件",
        "截至今年6月末贷款余额增长8%",
        "今年以来新增市场主体2.1万户",
    ],
)
def test_partial_year_markers_in_the_clause(evidence):
    assert period(evidence) == YEAR_TO_DATE


@pytest.mark.parametrize(
    "evidence",
    [
        "城镇新增就业6.1万人",
        "1-12月规模以上工业增加值增长5.1%",  # January to December is the whole year
        "11—12月开展专项行动2次",  # starts in November: not "1—12月"
        "截至2023年底累计建成5G基站1.2万个",
        "截至12月末贷款余额增长8%",
        "提前3个月完成全年任务,新增就业6万人",  # "提前3个月" is not "前3个月"
        "下半年新开工项目120个",
        "四季度集中开工项目50个",
    ],
)
def test_whole_year_figures(evidence):
    assert period(evidence) == FULL_YEAR


def test_a_section_marked_year_to_date_covers_its_figures():
    section = "二、今年以来新冠肺炎疫情防控和经济社会发展情况"
    assert period("下沉社区4.8万人", section=section) == YEAR_TO_DATE
    assert period("下沉社区4.8万人", section="一、2019年工作回顾") == FULL_YEAR


def test_an_opening_marker_covers_its_sentence_unless_the_clause_says_whole_year():
    sentence = "今年以来,新增市场主体2.1万户,预计全年新增4万户。"
    assert period("新增市场主体2.1万户", sentence=sentence) == YEAR_TO_DATE
    assert period("预计全年新增4万户", sentence=sentence) == FULL_YEAR
    # a marker in a later clause covers only its own clause
    later = "全年新增就业6万人,一季度新增1.2万人。"
    assert period("全年新增就业6万人", sentence=later) == FULL_YEAR
    assert period("一季度新增1.2万人", sentence=later) == YEAR_TO_DATE


def test_records_of_a_report_carry_their_period():
    text = (
        "一、2019年工作回顾\n全年城镇新增就业6.78万人。\n"
        "二、今年以来经济社会发展情况\n1—4月份,城镇新增就业1.77万人。\n"
    )
    documents = pl.DataFrame(
        [{"doc_id": "d", "source_name": "d.txt", "region": "聊城市", "text": text,
          "doc_type": "work_report", "year": 2020}]
    )  # fmt: skip
    records = target_frame(documents, sentence_frame(documents))
    got = {(r["value"], r["unit"], r["period"]) for r in records.to_dicts()}
    assert got == {(6.78, "万人", FULL_YEAR), (1.77, "万人", YEAR_TO_DATE)}
