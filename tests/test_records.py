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


def test_what_follows_the_areas_name_is_cleaned_as_the_opening_of_a_clause():
    """A news story names the area where a report says 全市: the extractor takes the name for the
    start of the subject, so the words after it (的, 全年, 预计实现) stayed in the indicator and
    the GDP records of such stories had no indicator code."""

    def indicator_and_code(text: str, region: str) -> tuple[str, str | None]:
        record = records_of(text, region=region)[0]
        return record["indicator"], record["indicator_code"]

    assert indicator_and_code("2009年上海市生产总值增长的预期目标为9%。", "上海市") == ("生产总值", "GDP")
    assert indicator_and_code("去年郑州市GDP达到6800亿元。", "郑州市") == ("GDP", "GDP")
    assert indicator_and_code("今年,郑州的GDP预期增长9%左右。", "郑州市") == ("GDP", "GDP")
    assert indicator_and_code("2014年东莞全年GDP增长目标为9%。", "东莞市") == ("GDP", "GDP")
    # an autonomous area's short name with its level
    got = indicator_and_code("2022年,果洛州实现地区生产总值53.62亿元。", "果洛藏族自治州")
    assert got == ("地区生产总值", "GDP")
    got = indicator_and_code("今年河北预计实现全省生产总值增长6.5%左右。", "河北省")
    assert got == ("全省生产总值", "GDP")
    # the name goes only where a word ends: 上海市民 are its citizens, 盐田港 a port
    assert records_of("上海市民人均可支配收入增长8%。", region="上海市")[0]["indicator"] != "民人均可支配收入"
    got = records_of("盐田港区集装箱吞吐量达1030万标箱。", region="盐田区")
    assert got[0]["indicator"] == "盐田港区集装箱吞吐量"


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


def test_a_digests_records_have_the_area_of_their_part():
    text = "各区县两会陆续召开。\n渝中\n地区生产总值增长5%。\n沙坪坝\n地区生产总值增长5%左右。\n"
    got = records_of(text, region="重庆市")
    assert [(r["region"], r["value"], r["qualifier"]) for r in got] == [
        ("渝中区", 5.0, ""),
        ("沙坪坝区", 5.0, "左右"),
    ]


def test_one_figure_of_two_indicators_is_two_records_with_ids_of_their_own():
    got = records_of("城乡居民人均可支配收入均增长7%左右。地区生产总值增长6%。")
    assert [(r["indicator"], r["value"]) for r in got] == [
        ("城镇居民人均可支配收入", 7.0),
        ("农村居民人均可支配收入", 7.0),
        ("地区生产总值", 6.0),
    ]
    assert len({r["record_id"] for r in got}) == 3
    assert got[0]["char_start"] == got[1]["char_start"]
