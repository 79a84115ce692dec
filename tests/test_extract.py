"""Each extraction rule on small real-looking clauses."""

from __future__ import annotations

import pytest
from govtargets.transforms.extract import extract_sentence
from govtargets.transforms.numbers import parse_chinese_numeral


def records(sentence: str, section_kind: str = "plan", year: int = 2024) -> list[dict]:
    return extract_sentence(sentence, section_kind, year)


def one(sentence: str, **kwargs) -> dict:
    found = records(sentence, **kwargs)
    assert len(found) == 1, found
    return found[0]


def test_growth_with_stretch_target():
    r = one("地区生产总值增长6%,力争6.5%;")
    assert (r["indicator"], r["metric"], r["value"], r["unit"], r["qualifier"], r["stretch_value"]) == (
        "地区生产总值",
        "growth",
        6.0,
        "%",
        "",
        6.5,
    )
    assert r["direction"] == "up" and r["kind"] == "target" and r["year"] == 2024


@pytest.mark.parametrize(
    ("sentence", "qualifier"),
    [
        ("城镇新增就业5万人以上。", "以上"),
        ("一般公共预算收入增长5%左右。", "左右"),
        ("城镇登记失业率控制在3.8%以内。", "以内"),
        ("新筹集人才住房不少于3000套。", "不少于"),
        ("合同引进资金不低于50亿元。", "不低于"),
        ("退减降缓税费超过50亿元。", "超过"),
        ("新能源发电装机突破730万千瓦。", "突破"),
        ("落实加计扣除政策50余亿元。", "余"),
        ("力争全市在运储能装机容量达到50万千瓦。", "力争"),
        ("力争全市养老保险参保率达到90%以上。", "以上"),  # a trailing bound word wins
    ],
)
def test_qualifiers(sentence, qualifier):
    assert one(sentence)["qualifier"] == qualifier


def test_values_and_normalized_base_values():
    r = one("全年城镇新增就业6.1万人。")
    assert (r["value"], r["unit"], r["value_base"], r["base_unit"]) == (6.1, "万人", 61000.0, "人")
    r = one("专项债券385亿元。")
    assert (r["value"], r["unit"], r["value_base"], r["base_unit"]) == (385.0, "亿元", 3.85e10, "元")
    r = one("全市新开工棚户区改造13,496套。")
    assert r["value"] == 13496.0


def test_chinese_numerals():
    assert parse_chinese_numeral("五十六") == 56
    assert parse_chinese_numeral("一百二十") == 120
    assert parse_chinese_numeral("两万") == 20000
    r = one("新建幼儿园五十六所。")
    assert (r["value"], r["unit"]) == (56.0, "所")


def test_fractions():
    found = records("煤炭消费量压减1/3,能耗下降三分之一。")
    assert [
        (r["indicator"], r["value_text"], r["unit"], r["direction"], round(r["value_base"], 2)) for r in found
    ] == [
        ("煤炭消费量", "1/3", "分数", "down", 33.33),
        ("能耗", "三分之一", "分数", "down", 33.33),
    ]
    assert records("2023/12/31前完成。") == []


def test_counts_in_names_are_not_records():
    assert records("打好八场标志性战役,实施三年行动,建设七大主导产业。") == []


def test_ranges():
    r = one("规划发展1—2个特色产业集群。")
    assert (r["value"], r["stretch_value"], r["qualifier"], r["unit"]) == (1.0, 2.0, "区间", "个")
    r = one("地区生产总值增长4.5%-5%。")
    assert (r["value"], r["stretch_value"], r["qualifier"]) == (4.5, 5.0, "区间")


def test_respectively_distributes_indicators():
    found = records("城镇和农村居民人均可支配收入分别增长7%和7.5%。")
    assert [(r["indicator"], r["value"]) for r in found] == [
        ("城镇居民人均可支配收入", 7.0),
        ("农村居民人均可支配收入", 7.5),
    ]
    found = records("全市孕前、产前、新生儿筛查率分别达到85%、80%、98%以上。")
    assert [(r["indicator"], r["value"], r["qualifier"]) for r in found] == [
        ("孕前筛查率", 85.0, "以上"),
        ("产前筛查率", 80.0, "以上"),
        ("新生儿筛查率", 98.0, "以上"),
    ]


def test_thresholds_dates_and_numbering_are_not_values():
    found = records("1.加快建设100个投资5000万元以上的市级工业重点技改项目,2023年8·6前完成。")
    assert [(r["value"], r["indicator"]) for r in found] == [(100.0, "市级工业重点技改项目")]
    assert records("关停30万千瓦以下燃煤机组。") == []
    assert records("加快5G网络建设,居全省第1位。") == []


def test_direction_down():
    r = one("单位地区生产总值能耗下降3%。")
    assert (r["metric"], r["direction"]) == ("growth", "down")


def test_percentage_points_are_a_change():
    r = one("高新技术产业投资占比提高11.9个百分点。", section_kind="review", year=2019)
    assert (r["metric"], r["unit"], r["kind"], r["year"]) == ("change", "个百分点", "achievement", 2019)


def test_commitment_hardness():
    assert one("确保城镇新增就业5万人。")["commitment"] == "hard"
    assert one("力争全市新增上市企业4家。")["commitment"] == "soft"
    assert one("新增上市企业4家。")["commitment"] is None


def test_missing_numbers_become_records_without_value():
    r = one("始终保持个以上项目库存量。")
    assert (r["missing_value"], r["value"], r["unit"], r["qualifier"]) == (True, None, "个", "以上")
    r = one("高质量做好村庄发展规划编制,到年实现市域全覆盖。")
    assert (r["missing_value"], r["unit"], r["year"]) == (True, "年", None)
    assert records("进一步完善新能源汽车产业链条。") == []


def test_starting_level_is_last_years_achievement_and_periods_set_the_year():
    found = records("三年内规上企业由1390家,发展到2000家。", year=2020)
    assert [(r["kind"], r["year"], r["value"]) for r in found] == [
        ("achievement", 2019, 1390.0),
        ("target", 2022, 2000.0),
    ]
    assert one("到2025年,新能源汽车产量达到10万辆。")["year"] == 2025


def test_review_sections_give_achievements():
    r = one("地区生产总值增长6%。", section_kind="review", year=2023)
    assert (r["kind"], r["year"]) == ("achievement", 2023)


def test_a_list_separator_inside_parentheses_does_not_cut_the_indicator():
    r = records("至少1/3的县(市、区)建有智慧健身设施。", year=2023)[0]
    assert (r["indicator"], r["qualifier"]) == ("县(市、区)", "至少")


def test_figures_without_an_indicator_are_skipped():
    assert records("确保完成。其中,10%。") == []


def test_indicator_codes_map_national_provincial_and_city_wording():
    import polars as pl
    from govtargets.transforms.records import indicator_code_expr

    wording = [
        "国内生产总值",
        "地区生产总值",
        "全市生产总值",
        "生产总值",
        "GDP",
        "经济增长",
        "单位地区生产总值能耗",
        "城乡居民人均可支配收入",
        "农村居民人均可支配收入",
        "货物进出口",
        "居民消费价格涨幅",
        "规上工业增加值",
    ]
    codes = pl.DataFrame({"indicator": wording}).select(code=indicator_code_expr())["code"].to_list()
    assert codes == [
        "GDP",
        "GDP",
        "GDP",
        "GDP",
        "GDP",
        "GDP",
        "ENERGY_INTENSITY",
        "DISPOSABLE_INCOME",
        "RURAL_INCOME",
        "FOREIGN_TRADE",
        "CPI",
        None,
    ]
