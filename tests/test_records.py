"""Records of whole documents: period, the area's own name, repeated figures."""

from __future__ import annotations

import polars as pl
from govtargets.transforms.records import sentence_frame, target_frame
from govtargets.transforms.timing import FULL_YEAR, YEAR_TO_DATE


def test_records_of_a_report_carry_their_period():
    text = (
        "一、2019年工作回顾\n全年城镇新增就业6.78万人。\n"
        "二、今年以来经济社会发展情况\n1—4月份,城镇新增就业1.77万人。\n"
    )
    documents = pl.DataFrame(
        [{"doc_id": "d", "source_name": "d.txt", "region": "聊城市", "text": text,
          "doc_type": "work_report", "year": 2020, "year_source": "text"}]
    )  # fmt: skip
    records = target_frame(documents, sentence_frame(documents))
    got = {(r["value"], r["unit"], r["period"]) for r in records.to_dicts()}
    assert got == {(6.78, "万人", FULL_YEAR), (1.77, "万人", YEAR_TO_DATE)}


def records_of(text: str, region: str = "江苏省", year: int = 2024) -> list[dict]:
    documents = pl.DataFrame(
        [{"doc_id": "d", "source_name": "d.txt", "region": region, "text": text, "doc_type": "news_summary",
          "year": year, "year_source": "text"}]
    )  # fmt: skip
    return target_frame(documents, sentence_frame(documents)).to_dicts()


def test_the_areas_own_name_is_not_part_of_the_indicator():
    got = records_of("过去一年,江苏地区生产总值达12.82万亿元。西藏粮食产量突破110万吨。")
    assert [r["indicator"] for r in got] == ["地区生产总值", "西藏粮食产量"]
    got = records_of("西藏全社会固定资产投资增长19.6%。", region="西藏自治区")
    assert got[0]["indicator"] == "全社会固定资产投资"
    # an autonomous area is named without the peoples its full name gives
    got = records_of("广西地区生产总值增长7.5%。", region="广西壮族自治区")
    assert got[0]["indicator"] == "地区生产总值"
    got = records_of("德宏粮食产量增长3%。", region="德宏傣族景颇族自治州")
    assert got[0]["indicator"] == "粮食产量"


def test_a_figure_repeated_by_a_headline_or_lead_is_one_record_at_its_first_mention():
    text = (
        "2023年GDP目标为增长5%左右\n"
        "过去一年,江苏地区生产总值达12.82万亿元、增长5.8%。今年,国内生产总值增长5%左右。\n"
        "报告晒出的数据显示,2023年地区生产总值达12.82万亿元、增长5.8%。\n"
    )
    got = records_of(text)
    assert [(r["indicator"], r["value"], r["kind"], r["year"]) for r in got] == [
        ("GDP", 5.0, "target", 2023),
        ("地区生产总值", 12.82, "achievement", 2023),
        ("地区生产总值", 5.8, "achievement", 2023),
        ("国内生产总值", 5.0, "target", 2024),
    ]
