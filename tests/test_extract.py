"""Each extraction rule on small real-looking clauses."""

from __future__ import annotations

import pytest
from govtargets.transforms.extract import RULES, extract_sentence, find_mentions
from govtargets.transforms.numbers import parse_chinese_numeral
from govtargets.transforms.timing import ACHIEVEMENT, TARGET, Cue, TimeContext


def records(sentence: str, section_kind: str = "plan", year: int = 2024) -> list[dict]:
    """Records of `sentence` in a plan section of a report for `year`, or in the review of `year`."""
    if section_kind == "review":
        context = TimeContext(year + 1, "text", section=Cue("heading", ACHIEVEMENT, year, "year"))
    else:
        context = TimeContext(year, "text", section=Cue("heading", TARGET, year, "year"))
    return extract_sentence(sentence, context)


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
    assert find_mentions("2023成就鼓舞人心") == []  # 成就 is no tenths (成)


def test_quoted_names_are_not_figures_but_quoted_speech_is():
    assert records("出台“稳增长26条”,实施“1234”总体思路。") == []
    found = records("“2017年,全县实现生产总值255亿元,财政总收入30.9亿元……”一串串翔实的数据。", "review", 2017)
    assert [(r["indicator"], r["value"], r["year"]) for r in found] == [
        ("生产总值", 255.0, 2017),
        ("财政总收入", 30.9, 2017),
    ]


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
    # a word that counts on its own, or a word cut in two, lost no number; a conjunction may stand before one
    assert records("姑苏区被命名为首个国家古城旅游示范区。") == []
    assert records("这是高质量发展夯基垒台、聚势谋远的关键时期。") == []
    assert [r["unit"] for r in records("对6个省重点项目和个市重点项目实行包项目责任制。")] == ["个", "个"]
    # a unit's character that ends a word (经营户) lost no number
    got = records("全市个体经营户、私营企业户数分别增长39.7%和37.1%。")
    assert [(r["value"], r["unit"]) for r in got] == [(39.7, "%"), (37.1, "%")]


def test_a_number_closing_a_list_after_a_figure_in_percent_shares_its_unit():
    got = records(
        "城镇新增就业107.3万人,转移农村劳动力159.2万人,分别增长13.5%和11.1;储蓄余额增加1314.2亿元。"
    )
    assert [(r["indicator"], r["value"], r["unit"]) for r in got][2:4] == [
        ("城镇新增就业", 13.5, "%"),
        ("农村劳动力", 11.1, "%"),
    ]


def test_a_number_listed_before_a_figure_in_points_shares_its_unit():
    got = records("两项比重分别达到14.8%和85.9%,比上年提高0.9和0.1个百分点。")
    assert [(r["value"], r["unit"]) for r in got] == [
        (14.8, "%"),
        (85.9, "%"),
        (0.9, "个百分点"),
        (0.1, "个百分点"),
    ]


def test_starting_level_is_last_years_achievement_and_periods_set_the_year():
    found = records("三年内规上企业由1390家,发展到2000家。", year=2020)
    assert [(r["kind"], r["year"], r["value"]) for r in found] == [
        ("achievement", 2019, 1390.0),
        ("target", 2022, 2000.0),
    ]
    assert one("到2025年,新能源汽车产量达到10万辆。")["year"] == 2025
    # the starting level may name its year or be per head
    found = records("地区生产总值从2005年的28.02亿元增加到2011年的95.2亿元。", year=2012)
    assert [(r["indicator"], r["kind"], r["year"], r["value"]) for r in found] == [
        ("地区生产总值", "achievement", 2005, 28.02),
        ("地区生产总值", "achievement", 2011, 95.2),
    ]
    for sentence in (
        "居民消费价格涨幅从去年的5%左右下降到3%左右。",
        "居民消费价格涨幅从去年的5%左右,下降到3%左右。",
    ):
        found = records(sentence)
        assert [(r["indicator"], r["kind"], r["year"], r["value"]) for r in found] == [
            ("居民消费价格涨幅", "achievement", 2023, 5.0),
            ("居民消费价格涨幅", "target", 2024, 3.0),
        ]
    found = records("到2020年,全员劳动生产率从人均8.7万元提高到12万元以上。", year=2016)
    assert [(r["indicator"], r["kind"], r["year"], r["value"]) for r in found] == [
        ("全员劳动生产率", "achievement", 2015, 8.7),
        ("全员劳动生产率", "target", 2020, 12.0),
    ]


def test_review_sections_give_achievements():
    r = one("地区生产总值增长6%。", section_kind="review", year=2023)
    assert (r["kind"], r["year"]) == ("achievement", 2023)


def test_a_list_separator_inside_parentheses_does_not_cut_the_indicator():
    r = records("至少1/3的县(市、区)建有智慧健身设施。", year=2023)[0]
    assert (r["indicator"], r["qualifier"]) == ("县(市、区)", "至少")


def test_an_estimate_or_a_statement_of_the_goals_is_not_part_of_the_indicator():
    def indicators(sentence: str, section_kind: str = "plan") -> list[str]:
        return [r["indicator"] for r in records(sentence, section_kind)]

    assert indicators("地区生产总值预计完成1620亿元、增长8.6%。", "review") == ["地区生产总值"] * 2
    assert indicators("固定资产投资预计增长3.9%左右。", "review") == ["固定资产投资"]
    assert indicators("2023年经济社会发展主要预期目标是地区生产总值增长6%左右。") == ["地区生产总值"]
    assert indicators("今年主要预期目标是经济增长6.5%以上。") == ["经济"]
    # the subject before "目标为" stays where nothing is named after it
    assert indicators("全年GDP目标为增长5%左右。") == ["GDP"]
    assert indicators("全市生产总值增长的预期目标为9%。") == ["生产总值"]
    # the currency after an amount's unit names nothing
    assert indicators("预计全市生产总值5500亿元人民币,增长9.7%。") == ["生产总值", "生产总值"]
    # a target set or revised (news wording): what is set is the indicator
    assert indicators("东莞政府更是将2013年GDP增长目标下调至7%。") == ["GDP"]
    assert indicators("他将今年的经济增长目标定在6.5%左右。") == ["经济"]


def test_when_and_how_said_between_the_subject_and_its_verb_are_not_part_of_the_indicator():
    def indicators(sentence: str) -> list[str]:
        return [r["indicator"] for r in records(sentence, "review")]

    assert indicators("城镇调查失业率全年控制在5.5%以内。") == ["城镇调查失业率"]
    assert indicators("全社会固定资产投资五年累计完成406.5亿元。") == ["全社会固定资产投资"]
    assert indicators("居民消费价格累计同比上涨1.3%。") == ["居民消费价格"]
    assert indicators("粮食产量连年稳定在1.3万亿斤以上。") == ["粮食产量"]
    assert indicators("粮食产量继续保持500亿斤以上。") == ["粮食产量"]
    assert indicators("居民收入平均每年增长7.4%。") == ["居民收入"]
    assert indicators("地方一般公共预算收入可比增长7.5%。") == ["地方一般公共预算收入"]
    assert indicators("农村低保提至每人每年4500元。") == ["农村低保"]
    # a list of periods keeps its last one: each figure of the list is one period's
    quarters = indicators("地区生产总值一季度、上半年、前三季度、全年分别增长3%、3.4%、4%、4.5%左右。")
    assert len(quarters) == 4


def test_the_figures_of_a_supposition_are_no_records():
    """A news story's own arithmetic: "如果…,那么…" supposes, and its figures are neither a target nor
    a result; "如果扣除价格因素" only adjusts the figure."""
    assert records("如果2020年GDP总额达到90万亿元,那么届时的研发投入将在2.25万亿元。") == []
    got = records("全年GDP增长6%,如果扣除价格因素,增长5%。", "review")
    assert [r["value"] for r in got] == [6.0, 5.0]


def test_figures_without_an_indicator_are_skipped():
    assert records("确保完成。其中,10%。") == []


def test_indicator_codes_map_national_provincial_and_city_wording():
    import polars as pl
    from govtargets.transforms.records import indicator_code_expr

    wording = [
        "国内生产总值",
        "地区生产总值",
        "全市生产总值",
        "地方生产总值",
        "生产总值",
        "GDP",
        "经济增长",
        "经济",  # "经济增长6%左右": the indicator without its verb, as the annotation writes it
        # the names before the 2014 budget law and older wording of the same statistics
        "公共财政预算收入",
        "地方公共财政收入",
        "地方一般预算收入",
        "城市居民人均可支配收入",
        "农村牧区常住居民人均可支配收入",
        "单位地区生产总值能耗",
        "城乡居民人均可支配收入",
        "农村居民人均可支配收入",
        "货物进出口",
        "居民消费价格涨幅",
        "规上工业增加值",
        "规模以上工业增加值",
        "工业增加值",  # of all industry: another statistic
        "人均GDP",
        "人均地区生产总值",
        "人均地方生产总值",
        "常住人口城镇化率",
        "户籍人口城镇化率",  # another statistic
        "农民人均纯收入",  # the rural statistic before 2013-14: not the disposable income
    ]
    codes = pl.DataFrame({"indicator": wording}).select(code=indicator_code_expr())["code"].to_list()
    assert codes == [
        "GDP",
        "GDP",
        "GDP",
        "GDP",
        "GDP",
        "GDP",
        "GDP",
        "GDP",
        "FISCAL_REVENUE",
        "FISCAL_REVENUE",
        "FISCAL_REVENUE",
        "URBAN_INCOME",
        "RURAL_INCOME",
        "ENERGY_INTENSITY",
        "DISPOSABLE_INCOME",
        "RURAL_INCOME",
        "FOREIGN_TRADE",
        "CPI",
        "INDUSTRIAL_VALUE_ADDED",
        "INDUSTRIAL_VALUE_ADDED",
        None,
        "GDP_PER_CAPITA",
        "GDP_PER_CAPITA",
        "GDP_PER_CAPITA",
        "URBANIZATION_RATE",
        None,
        "RURAL_NET_INCOME",
    ]


# ---------------------------------------------------------------- a table of cases per rule

# (sentence, [(indicator, value, unit, qualifier, stretch_value), ...]) for each rule of RULES,
# named as the rule is; every rule has its table (test_every_rule_has_a_table_of_cases).
RULE_CASES: dict[str, list[tuple[str, list[tuple]]]] = {
    "thresholds_in_lists": [
        (
            "营业收入过300亿元、100亿元的企业分别发展到5家、10家。",
            [
                ("营业收入过300亿元的企业", 5.0, "家", "", None),
                ("营业收入过100亿元的企业", 10.0, "家", "", None),
            ],
        ),
        (
            "县县财政收入过10亿元,新增4个过20亿元。",
            [("县县财政收入", 10.0, "亿元", "过", None), ("新增财政收入", 4.0, "个", "", None)],
        ),
        ("实施亿元以上重大产业项目128个。", [("亿元以上重大产业项目", 128.0, "个", "", None)]),
        (
            "招引亿元以上项目27个,其中3亿元以上17个。",
            [("亿元以上项目", 27.0, "个", "", None), ("亿元以上项目", 17.0, "个", "", None)],
        ),
        (
            "总投资630亿元的京东方第8.6代生产线项目开工建设。",
            [("京东方第8.6代生产线项目开工建设", 630.0, "亿元", "", None)],
        ),
    ],
    "stretch_values": [
        ("地区生产总值增长6%,力争6.5%。", [("地区生产总值", 6.0, "%", "", 6.5)]),
        ("一般公共预算收入增长5%,争取达到6%。", [("一般公共预算收入", 5.0, "%", "", 6.0)]),
    ],
    "leading_qualifiers": [
        ("全省生产总值跃上2万亿元新台阶。", [("生产总值", 2.0, "万亿元", "跃上", None)]),  # as 迈上
        (
            "地方一般公共财政预算收入迈过2千亿台阶。",
            [("地方一般公共财政预算收入", 2.0, "千亿", "迈过", None)],
        ),
        ("规模以上固定资产投资破百亿元大关。", [("规模以上固定资产投资", 100.0, "亿元", "破", None)]),
        ("全年增值税留抵退税超过2.4万亿元。", [("增值税留抵退税", 2.4, "万亿元", "超过", None)]),
        ("近1亿农村贫困人口实现脱贫。", [("农村贫困人口实现脱贫", 1.0, "亿", "近", None)]),
        ("地区生产总值超2.2万亿元。", [("地区生产总值", 2.2, "万亿元", "超", None)]),
        ("通过5个项目验收。", [("项目验收", 5.0, "个", "", None)]),
        # synonyms of the bound words: 逾 (but not 逾期), 接近, 大约, 之内
        ("社会消费品零售总额逾100亿元。", [("社会消费品零售总额", 100.0, "亿元", "逾", None)]),
        ("清收逾期贷款3亿元。", [("逾期贷款", 3.0, "亿元", "", None)]),
        ("固定资产投资接近500亿元。", [("固定资产投资", 500.0, "亿元", "接近", None)]),
        ("培训农民工大约3000人。", [("培训农民工", 3000.0, "人", "大约", None)]),
        ("城镇登记失业率控制在4.5%之内。", [("城镇登记失业率", 4.5, "%", "之内", None)]),
    ],
    "list_qualifiers": [
        # % and ‰ listed under one closing bound word
        (
            "城镇登记失业率、人口自增率分别控制在4.2%、2.5‰以内。",
            [("城镇登记失业率", 4.2, "%", "以内", None), ("人口自增率", 2.5, "‰", "以内", None)],
        ),
        (
            "城乡居民收入分别增长6.5%和8%左右。",
            [("城镇居民收入", 6.5, "%", "左右", None), ("农村居民收入", 8.0, "%", "左右", None)],
        ),
        (
            "城镇调查失业率、居民消费价格涨幅分别控制在5%和3%以内。",
            [("城镇调查失业率", 5.0, "%", "以内", None), ("居民消费价格涨幅", 3.0, "%", "以内", None)],
        ),
        # one opening a list, too; an item with its own keeps it, and one closing an item stays its own
        (
            "地方一般公共财政预算收入先后迈过2千亿、3千亿两个大台阶。",
            [
                ("地方一般公共财政预算收入", 2.0, "千亿", "迈过", None),
                ("地方一般公共财政预算收入", 3.0, "千亿", "迈过", None),
            ],
        ),
        (
            "地区生产总值先后跨上2万亿、逼近3万亿。",
            [("地区生产总值", 2.0, "万亿", "跨上", None), ("地区生产总值", 3.0, "万亿", "逼近", None)],
        ),
        (
            "新增就业5万人以上、3万人。",
            [("新增就业", 5.0, "万人", "以上", None), ("新增就业", 3.0, "万人", "", None)],
        ),
    ],
    "not_records": [
        ("去年政府工作报告确定的10件民生实事全部完成。", []),
        # the items of a list of counted effort, a count of the report's own indicators, the ordinal
        # of a session, a stock quote
        ("新型工业化18条、奶产业10条、房地产12条等政策直达快享。", []),
        ("“十二五”确定的9项约束性指标全部完成,15项预期性指标基本完成。", []),
        ("深入贯彻市委十三届十二次全会精神。", []),
        ("保持了连续327天无新增本土病例。", []),  # the length of a streak
        ("大跨越实现5年进3位的重大突破。", []),  # a rise in a ranking
        ("经济总量保持全国城市前45位。", []),  # a place in a ranking
        ("新华联(7.900, 0.06, 0.77%)、万达等知名品牌引领消费。", []),
        # a size class is no tonnage: the berths are counted, the ships' size is their name
        ("北部湾港开启通航30万吨级巨轮的历史。", []),
        ("建成2个30万吨级泊位。", [("30万吨级泊位", 2.0, "个", "", None)]),
        # a count of people later in the clause is no measure of the set a count names
        (
            "实现8个贫困县全部摘帽、871个贫困村全部出列、92.22万贫困人口全部脱贫。",
            [
                ("贫困县全部摘帽", 8.0, "个", "", None),
                ("贫困村全部出列", 871.0, "个", "", None),
                ("贫困人口全部脱贫", 92.22, "万", "", None),
            ],
        ),
        ("加快推进38项重点工作落实。", []),
        ("果断出台稳增长26条等一揽子措施。", []),
        ("人均地区生产总值5.18万元,比全省高1.18万元。", [("人均地区生产总值", 5.18, "万元", "", None)]),
        ("占全区比重32.6%,高于全市平均水平8.7个百分点。", [("全区比重", 32.6, "%", "", None)]),
        ("全球创新指数排名提升5位至第24位。", []),
        # nor a gap to the plan
        ("地区生产总值增长4.5%,低于预期1.5个百分点。", [("地区生产总值", 4.5, "%", "", None)]),
        ("增速高出全市1.1个百分点。", []),
        ("增幅高于省市平均水平30个百分点以上。", []),
        # by how much the plan was beaten
        (
            "固定资产投资完成12亿元,超额完成年度任务2.1亿元,增长20.6%。",
            [("固定资产投资", 12.0, "亿元", "", None), ("固定资产投资", 20.6, "%", "", None)],
        ),
        ("税收收入超出市级下调任务指标6000万元。", []),
        # the time an effort takes, a count of effort counted twice
        ("用3个月左右时间取得决定性成果。", []),
        ("10大类52项民生实事全部超额完成。", []),
        ("从创新、协调、绿色、开放、共享、安全6个维度明确目标。", []),
        ("137个市重点项目完成投资236.8亿元。", [("市重点项目完成投资", 236.8, "亿元", "", None)]),
        ("年内实施总投资35亿元的80项城建重点工程。", [("城建重点工程", 35.0, "亿元", "", None)]),
        # the meeting's attendance is no figure of the area
        ("来自全市各条战线的326名人大代表汇聚一堂。", []),
        ("本次大会应到代表286人,实到代表275人。", []),
        ("会议应到代表180名,出席大会代表165名,因事因病请假15名,符合法定人数。", []),
        ("应出席代表386人,缺席33人。", []),
        ("大会还特邀8个国家和地区的驻蓉领事和办事处官员旁听会议。", []),
        # the capacity inside a listed project's name; a count closing a list and what a verb built stay
        ("敖东工业园二期、恒大集团100万吨矿泉水、统一集团30万吨矿泉水等项目开工。", []),
        (
            "白鹭化纤1.5万吨粘胶长丝、金龙铜业外翅片强化传热铜管等53个重点项目竣工投产。",
            [("重点项目竣工投产", 53.0, "个", "", None)],
        ),
        ("建成污水处理厂、新建100万吨矿泉水项目。", [("矿泉水项目", 100.0, "万吨", "", None)]),
        ("实施潘庄、李家岸2处大型灌区续建配套。", [("大型灌区续建配套", 2.0, "处", "", None)]),
        (
            "月盛斋、额尔敦、蒙盛等龙头企业带动2460户5585人实现增收。",
            [("龙头企业带动", 2460.0, "户", "", None), ("龙头企业带动", 5585.0, "人", "", None)],
        ),
        ("近300名代表与会,城镇新增就业5万人。", [("城镇新增就业", 5.0, "万人", "", None)]),
    ],
    "indicators": [
        # a share without its numerator is the subject's before; with none before, the share alone
        (
            "服务业增加值3000亿元,占GDP比重达到55%。",
            [("服务业增加值", 3000.0, "亿元", "", None), ("服务业增加值占GDP比重", 55.0, "%", "", None)],
        ),
        ("占GDP比重达到55%。", [("GDP比重", 55.0, "%", "", None)]),
        # a figure converted into another unit is the same subject's
        (
            "进出口总额50亿元,折合7.8亿美元。",
            [("进出口总额", 50.0, "亿元", "", None), ("进出口总额", 7.8, "亿美元", "", None)],
        ),
        # a figure that names nothing and continues no figure is of the clause before's subject
        (
            "辖区税收收入总额连续跨越三个台阶,从2006年的19.8亿元增至2011年的48.6亿元。",
            [("辖区税收收入总额", 19.8, "亿元", "", None), ("辖区税收收入总额", 48.6, "亿元", "", None)],
        ),
        ("新增就业5万人。", [("新增就业", 5.0, "万人", "", None)]),
        # a policy's name that jieba cuts into verbs only is the figure's subject all the same
        ("房地产12条等政策直达快享,减税降费超80亿元。", [("减税降费", 80.0, "亿元", "超", None)]),
        ("累计为企业减税1000亿元。", [("企业减税", 1000.0, "亿元", "", None)]),
        (
            "全市完成生产总值1601.73亿元,增长10.4%。",
            [("生产总值", 1601.73, "亿元", "", None), ("生产总值", 10.4, "%", "", None)],
        ),
        ("325个产业项目竣工投产。", [("产业项目竣工投产", 325.0, "个", "", None)]),
        (
            "地区生产总值突破400亿元大关,达到417亿元。",
            [("地区生产总值", 400.0, "亿元", "突破", None), ("地区生产总值", 417.0, "亿元", "", None)],
        ),
        (
            "一般公共预算收入2652亿元(人民币,下同),增长1.4%。",
            [("一般公共预算收入", 2652.0, "亿元", "", None), ("一般公共预算收入", 1.4, "%", "", None)],
        ),
    ],
    "shared_heads": [
        (
            "新建3个市级和15个县级重点医疗卫生项目。",
            [("市级重点医疗卫生项目", 3.0, "个", "", None), ("县级重点医疗卫生项目", 15.0, "个", "", None)],
        ),
    ],
    "respectively": [
        # names of things split by 、 (one holds a 和), the head after the last one; a last item
        # no longer than the others adds none
        (
            "现代家居、有色金属和新材料、纺织服装产业集群营收分别达2700亿元、1800亿元、1100亿元。",
            [
                ("现代家居产业集群营收", 2700.0, "亿元", "", None),
                ("有色金属和新材料产业集群营收", 1800.0, "亿元", "", None),
                ("纺织服装产业集群营收", 1100.0, "亿元", "", None),
            ],
        ),
        (
            "医疗器械、文化用品等行业产值分别增长7.9%、19.9%。",
            [("医疗器械行业产值", 7.9, "%", "", None), ("文化用品等行业产值", 19.9, "%", "", None)],
        ),
        (
            "高新技术企业、专精特新企业、居民人均可支配收入分别增长5%、3%、6%。",
            [
                ("高新技术企业", 5.0, "%", "", None),
                ("专精特新企业", 3.0, "%", "", None),
                ("居民人均可支配收入", 6.0, "%", "", None),
            ],
        ),
        (
            "其中鲜食玉米、冬马铃薯分别增长17.1%、7.5%。",
            [("鲜食玉米", 17.1, "%", "", None), ("冬马铃薯", 7.5, "%", "", None)],
        ),
        (
            "4月份,工业用电量、规模以上工业增加值、固定资产投资均由负转正,当月分别同比增长5.1%、4.2%和3.5%。",
            [
                ("工业用电量", 5.1, "%", "", None),
                ("规模以上工业增加值", 4.2, "%", "", None),
                ("固定资产投资", 3.5, "%", "", None),
            ],
        ),
        (
            "城镇居民和农村居民人均可支配收入分别达到4.5万元和2.1万元。",
            [
                ("城镇居民人均可支配收入", 4.5, "万元", "", None),
                ("农村居民人均可支配收入", 2.1, "万元", "", None),
            ],
        ),
        (
            "城、乡居民人均可支配收入分别增长8%、9%。",
            [("城镇居民人均可支配收入", 8.0, "%", "", None), ("农村居民人均可支配收入", 9.0, "%", "", None)],
        ),
        (
            "城镇居民人均可支配收入15084元、农村居民人均纯收入4910元,实际分别增长9.5%和9.3%。",
            [
                ("城镇居民人均可支配收入", 15084.0, "元", "", None),
                ("农村居民人均纯收入", 4910.0, "元", "", None),
                ("城镇居民人均可支配收入", 9.5, "%", "", None),
                ("农村居民人均纯收入", 9.3, "%", "", None),
            ],
        ),
        (
            "规模以上工业增加值和固定资产投资分别增长6%和8%。",  # items with heads of their own
            [("规模以上工业增加值", 6.0, "%", "", None), ("固定资产投资", 8.0, "%", "", None)],
        ),
        (
            "一般公共预算收入和税收收入分别增长5%和7%。",  # the shared ending ends the last item: nothing to add
            [("一般公共预算收入", 5.0, "%", "", None), ("税收收入", 7.0, "%", "", None)],
        ),
        (
            "城乡居民人均可支配收入26096元和10736元,增长13%和16%。",
            [
                ("城镇居民人均可支配收入", 26096.0, "元", "", None),
                ("农村居民人均可支配收入", 10736.0, "元", "", None),
                ("城镇居民人均可支配收入", 13.0, "%", "", None),
                ("农村居民人均可支配收入", 16.0, "%", "", None),
            ],
        ),
        (
            "接待游客1.7亿人次,旅游总花费突破3000亿元,分别增长15.6%、24.4%。",
            [
                ("接待游客", 1.7, "亿人次", "", None),
                ("旅游总花费", 3000.0, "亿元", "突破", None),
                ("接待游客", 15.6, "%", "", None),
                ("旅游总花费", 24.4, "%", "", None),
            ],
        ),
    ],
    "generic_heads": [
        # a per-head figure converted into another unit is per head of the same subject
        (
            "地方生产总值25亿元,人均达到5.6万元,折合8606美元。",
            [
                ("地方生产总值", 25.0, "亿元", "", None),
                ("人均地方生产总值", 5.6, "万元", "", None),
                ("人均地方生产总值", 8606.0, "美元", "", None),
            ],
        ),
        (
            "茶饮产品产量达到8000吨,实现产值9亿元。",
            [("茶饮产品产量", 8000.0, "吨", "", None), ("茶饮产品产值", 9.0, "亿元", "", None)],
        ),
        ("新兴产业加速成长,产值增长145%。", [("新兴产业产值", 145.0, "%", "", None)]),
        (
            "全省生产总值达到2.62万亿元,人均突破1万美元。",
            [("生产总值", 2.62, "万亿元", "", None), ("人均生产总值", 1.0, "万美元", "突破", None)],
        ),
        ("农民人均可支配收入增长8%。", [("农民人均可支配收入", 8.0, "%", "", None)]),
        ("人均突破1万美元。", [("人均生产总值", 1.0, "万美元", "突破", None)]),
        # a verbal noun is part of the name, not a verb before a bare head ("实现产值")
        (
            "地方一般公共预算收入668亿元;出口总额1803亿元,增长10.2%。",
            [
                ("地方一般公共预算收入", 668.0, "亿元", "", None),
                ("出口总额", 1803.0, "亿元", "", None),
                ("出口总额", 10.2, "%", "", None),
            ],
        ),
    ],
    "clean_indicators": [
        # a span of years or a plan's period in front is a time, not part of the indicator
        ("未来五年GDP增速保持在6.5%以上。", [("GDP增速", 6.5, "%", "以上", None)]),
        ("“十三五”时期经济年均增长保持在6.5%以上。", [("经济", 6.5, "%", "以上", None)]),
        # the aside after a milestone is of the milestone's subject; 过亿元 before a name is a threshold
        (
            "这是我市城镇居民人均收入首次超过万元大关(去年为9641元)。",
            [("城镇居民人均收入", 1.0, "万元", "超过", None), ("城镇居民人均收入", 9641.0, "元", "", None)],
        ),
        ("新开工过亿元项目197个。", [("新开工过亿元项目", 197.0, "个", "", None)]),
        # a milestone an area is first or Nth to pass is a record of the subject, no threshold of a set
        (
            "成都成为第2个社会消费品零售总额突破1万亿元的省会城市。",
            [("社会消费品零售总额", 1.0, "万亿元", "突破", None)],
        ),
        (
            "地区生产总值达到13.57万亿元,是全国首个突破13万亿元的省份。",
            [("地区生产总值", 13.57, "万亿元", "", None), ("地区生产总值", 13.0, "万亿元", "突破", None)],
        ),
        ("全区89%的县通高速公路。", [("县通高速公路", 89.0, "%", "", None)]),
        # a change since the start of the year
        (
            "城乡居民本外币储蓄余额达10529.8亿元,比年初增加1314.2亿元。",
            [
                ("城乡居民本外币储蓄余额", 10529.8, "亿元", "", None),
                ("城乡居民本外币储蓄余额", 1314.2, "亿元", "", None),
            ],
        ),
        # a round number in words before the currency; the total of the subject before; the
        # future's 将 before a verb of the plan
        ("全省将力争GDP首次突破一万亿元人民币。", [("GDP", 1.0, "万亿元", "突破", None)]),
        (
            "地区生产总值增长4.5%左右,预计总量达到1.9万亿元左右。",
            [("地区生产总值", 4.5, "%", "左右", None), ("地区生产总值", 1.9, "万亿元", "左右", None)],
        ),
        # Hong Kong's 按年 is 同比
        (
            "去年生产总值达到9700亿元,按年增长6.8%。",
            [("生产总值", 9700.0, "亿元", "", None), ("生产总值", 6.8, "%", "", None)],
        ),
        # a clause after ; that names only a change goes on with the subject (of the share) before
        (
            "全市生产总值达2085亿元,占全省比重提高到26%;增速达16%,保持前列。",
            [
                ("生产总值", 2085.0, "亿元", "", None),
                ("生产总值占全省比重", 26.0, "%", "", None),
                ("生产总值", 16.0, "%", "", None),
            ],
        ),
        # a list's first subject with an aside after it
        (
            "五年来,我市生产总值(预计,下同)、财政总收入年均分别增长14.1%、22.1%。",
            [("生产总值", 14.1, "%", "", None), ("财政总收入", 22.1, "%", "", None)],
        ),
        # a year without 年 before the whole area, and an estimate, are no part of the indicator
        (
            "报告指出,2018全市经济社会发展稳中有进预计地区生产总值迈上5000亿元台阶。",
            [("地区生产总值", 5000.0, "亿元", "迈上", None)],
        ),
        # two counts glued together count one thing; a start level raised by 跃升到
        (
            "完成易地扶贫搬迁1646户6680人。",
            [("易地扶贫搬迁", 1646.0, "户", "", None), ("易地扶贫搬迁", 6680.0, "人", "", None)],
        ),
        (
            "全县35532户153083名贫困人口全部脱贫。",
            [("贫困人口全部脱贫", 35532.0, "户", "", None), ("贫困人口全部脱贫", 153083.0, "名", "", None)],
        ),
        (
            "地区生产总值由2010年的77亿元跃升到2015年的161.1亿元。",
            [("地区生产总值", 77.0, "亿元", "", None), ("地区生产总值", 161.1, "亿元", "", None)],
        ),
        # a verb of its own counting something else than the amount before is the indicator alone
        (
            "投入各类扶贫资金3380万元,全年脱贫324户743人。",
            [
                ("扶贫资金", 3380.0, "万元", "", None),
                ("脱贫", 324.0, "户", "", None),
                ("脱贫", 743.0, "人", "", None),
            ],
        ),
        # a plan's end or span as the base of a comparison or a starting level, an early plan quoted
        (
            "2005年,我市生产总值达到146.2亿元,比“九五”末增长了68.1%。",
            [("生产总值", 146.2, "亿元", "", None), ("生产总值", 68.1, "%", "", None)],
        ),
        (
            "全县生产总值由“十五”末的12.8亿元增加到19.2亿元。",
            [("生产总值", 12.8, "亿元", "", None), ("生产总值", 19.2, "亿元", "", None)],
        ),
        (
            "全区完成生产总值249.1亿元,是“十五〞期末的1.9倍。",
            [("生产总值", 249.1, "亿元", "", None), ("生产总值", 1.9, "倍", "", None)],
        ),
        (
            "全年完成工业投资134.8亿元,同比增长102.8%。",
            [("工业投资", 134.8, "亿元", "", None), ("工业投资", 102.8, "%", "", None)],
        ),
        ("一般公共预算收入[1]17.7亿元。", [("一般公共预算收入", 17.7, "亿元", "", None)]),
        (
            "地区生产总值增长9.4%,同比(下同)增长9%。",
            [("地区生产总值", 9.4, "%", "", None), ("地区生产总值", 9.0, "%", "", None)],
        ),
        (
            "全员劳动生产率每人9.6万元,比上年增加0.56万元。",
            [("全员劳动生产率", 9.6, "万元", "", None), ("全员劳动生产率", 0.56, "万元", "", None)],
        ),
        # nor is a part of the year (the record's period says it)
        ("1—4月份城镇新增就业1.77万人。", [("城镇新增就业", 1.77, "万人", "", None)]),
        ("前三季度地区生产总值增长4.5%。", [("地区生产总值", 4.5, "%", "", None)]),
        # nor how the figure was computed
        (
            "全县实现生产总值255亿元,按可比价计算增长8.5%。",
            [("生产总值", 255.0, "亿元", "", None), ("生产总值", 8.5, "%", "", None)],
        ),
        # nor a word that only says the figure is planned (but life expectancy is a measure)
        ("预期地区生产总值增长5%。", [("地区生产总值", 5.0, "%", "", None)]),
        ("预期寿命提高到79岁。", [("预期寿命", 79.0, "岁", "", None)]),
        ("2025年计划增长5.0%—5.5%。", []),
        # nor an average, nor what an adjusted figure leaves out or allows for
        (
            "一般公共预算收入增长1.4%,考虑政策性减收因素同比增长11.9%。",
            [("一般公共预算收入", 1.4, "%", "", None), ("一般公共预算收入", 11.9, "%", "", None)],
        ),
        (
            "地区生产总值增长7.5%,两年平均增长5.6%。",
            [("地区生产总值", 7.5, "%", "", None), ("地区生产总值", 5.6, "%", "", None)],
        ),
        ("城镇调查失业率平均为5.1%。", [("城镇调查失业率", 5.1, "%", "", None)]),
        # nor a particle, an adverb of degree, or a word that only says the figure is a growth
        ("GDP增长达到了9.7%。", [("GDP", 9.7, "%", "", None)]),
        (
            "固定资产投资完成475.2亿元,增幅高达71.8%。",
            [("固定资产投资", 475.2, "亿元", "", None), ("固定资产投资", 71.8, "%", "", None)],
        ),
        (
            "地方公共财政预算收入2.5亿元,下降(同口径)19.59%。",
            [("地方公共财政预算收入", 2.5, "亿元", "", None), ("地方公共财政预算收入", 19.59, "%", "", None)],
        ),
        (
            "地方公共财政预算收入1.2亿元,下降(剔除营改增因素)19.59%。",
            [("地方公共财政预算收入", 1.2, "亿元", "", None), ("地方公共财政预算收入", 19.59, "%", "", None)],
        ),
        # nor a basis of comparison, even inside a bracketed clause of its own
        (
            "一般公共预算收入增长1.2%(剔除减税降费因素,可比口径实际增长13%)。",
            [("一般公共预算收入", 1.2, "%", "", None), ("一般公共预算收入", 13.0, "%", "", None)],
        ),
        # nor an aside whose bracket opens in the clause before, nor a streak after the figure
        (
            "全市地区生产总值(预计,下同)7100亿元左右,增长6%。",
            [("地区生产总值", 7100.0, "亿元", "左右", None), ("地区生产总值", 6.0, "%", "", None)],
        ),
        ("粮食总产量1557.6亿斤连续14年居全国第一。", [("粮食总产量", 1557.6, "亿斤", "", None)]),
        # nor a time, nor what a headline or an area's name puts before it
        ("内地今年GDP增长目标为6%以上。", [("GDP", 6.0, "%", "以上", None)]),
        ("广西去年GDP增长7.5%。", [("GDP", 7.5, "%", "", None)]),
        (
            "全年生产总值突破1500亿元,比2012年增长10.6%。",
            [("生产总值", 1500.0, "亿元", "突破", None), ("生产总值", 10.6, "%", "", None)],
        ),
        ("万元GDP用水量较2020年下降12%。", [("万元GDP用水量", 12.0, "%", "", None)]),
        # synonyms of 比上年 are no part of the indicator either
        (
            "粮食产量达到60万吨,较去年增加2万吨。",
            [("粮食产量", 60.0, "万吨", "", None), ("粮食产量", 2.0, "万吨", "", None)],
        ),
    ],
    "shared_figures": [
        # one figure said of each of a coordinated subject: with 均, or items that each name an
        # indicator of their own
        (
            "城乡居民人均可支配收入均增长7%左右。",
            [
                ("城镇居民人均可支配收入", 7.0, "%", "左右", None),
                ("农村居民人均可支配收入", 7.0, "%", "左右", None),
            ],
        ),
        (
            "城镇调查失业率和登记失业率稳定在4.3%左右。",
            [("城镇调查失业率", 4.3, "%", "左右", None), ("登记失业率", 4.3, "%", "左右", None)],
        ),
        # without 均 "城乡居民…" may be the one statistic of all residents
        ("城乡居民人均可支配收入增长7%。", [("城乡居民人均可支配收入", 7.0, "%", "", None)]),
        # a list cut at its last 、 before the figure: with 均 every item shares it
        (
            "地区生产总值、全社会固定资产投资、金融机构存贷款余额均突破2万亿元。",
            [
                ("地区生产总值", 2.0, "万亿元", "突破", None),
                ("全社会固定资产投资", 2.0, "万亿元", "突破", None),
                ("金融机构存贷款余额", 2.0, "万亿元", "突破", None),
            ],
        ),
    ],
}


def test_every_rule_has_a_table_of_cases():
    assert [rule.name for rule in RULES] == list(RULE_CASES)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [(sentence, expected) for cases in RULE_CASES.values() for sentence, expected in cases],
)
def test_rule_cases(sentence, expected):
    got = [
        (r["indicator"], r["value"], r["unit"], r["qualifier"], r["stretch_value"]) for r in records(sentence)
    ]
    assert got == expected


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("固定资产投资增长-18.9%。", -18.9, "%"),  # a negative growth written with its sign
        ("288万农村贫困人口实现脱贫。", 288.0, "万"),  # a bare magnitude counting people
        ("规模以上工业总产值突破千亿元。", 1000.0, "亿元"),  # a round number in words
        ("电子商务交易额突破万亿元。", 1.0, "万亿元"),  # 万亿元 is a unit of its own
        ("全市生产总值3千亿元。", 3.0, "千亿元"),
        ("地方公共财政预算收入突破百亿大关。", 100.0, "亿"),  # a bare magnitude at a milestone
        ("地区生产总值逼近3万亿。", 3.0, "万亿"),
        ("2021年预计实现地区生产总值947亿。", 947.0, "亿"),  # an amount without its 元
        ("经济总量跨上万亿台阶。", 1.0, "万亿"),  # 台阶 is a step, no count of 台
        ("财政总收入突破亿元大关。", 1.0, "亿元"),  # one 亿元 passed
        ("牲畜存栏达到1.36亿头只。", 1.36, "亿头只"),  # head of livestock, large and small
        ("电网变电容量突破1亿千伏安。", 1.0, "亿千伏安"),
        ("本区生产总值跨越两百亿元台阶。", 200.0, "亿元"),  # 两百 is one number
        ("新增就业两万人。", 2.0, "万人"),
        ("全年引进各类人才七万人。", 7.0, "万人"),  # one numeral before 万: as 7万人 would be written
        ("全市地方财政收入完成108亿3038万元。", 108.3038, "亿元"),  # an amount in two magnitudes
        ("教育支出达17亿5180万元。", 17.518, "亿元"),
        ("完成设备更新6.5万台(套)。", 6.5, "万台(套)"),  # an alternative unit in brackets
        ("城乡居民收入倍差缩小至1.7以内。", 1.7, ""),  # a ratio has no unit
        # units of incidents, doses, cases, trains, ages and tenths
        ("全县共发生安全生产事故3起。", 3.0, "起"),
        ("累计接种疫苗58.82万剂次。", 58.82, "万剂次"),
        ("确诊的38例病例全部治愈。", 38.0, "例"),
        ("海铁联运班列突破6000列。", 6000.0, "列"),
        ("人均预期寿命再提高1岁。", 1.0, "岁"),
        ("贡献了全国近4成的贸易增量。", 4.0, "成"),
    ],
)
def test_figures_as_written(sentence, value, unit):
    [mention] = [m for m in find_mentions(sentence) if m.live]
    assert (mention.value, mention.unit) == (value, unit)


def test_a_bare_magnitude_names_its_base_unit_only_where_it_counts_people():
    """A bare 万/亿 counts people where people follow; a milestone or an amount that ends its
    clause names no base unit (it had 人: 2万亿 of GDP in people)."""

    def base_units(sentence: str) -> list[tuple[float, str, str | None]]:
        return [(r["value"], r["unit"], r["base_unit"]) for r in records(sentence, section_kind="review")]

    assert base_units("288万农村贫困人口实现脱贫。") == [(288.0, "万", "人")]
    assert base_units("地区生产总值跨上2万亿。") == [(2.0, "万亿", None)]
    assert base_units("地区生产总值947亿,增长6.9%。") == [(947.0, "亿", None), (6.9, "%", "%")]
    # people named before it, where it ends its clause: a count of people, no amount
    assert base_units("贫困人口减少25万。") == [(25.0, "万", "人")]
    assert base_units("减少贫困人口 125万,居民收入增长9.3%。")[0] == (125.0, "万", "人")
    # a milestone and the figure reached are two records; a count of firms over a size stays
    assert base_units("地方一般公共预算收入突破百亿大关,达到102亿元。") == [
        (100.0, "亿", None),
        (102.0, "亿元", "元"),
    ]
    assert (22.0, "家", "家") in base_units("22家企业主营业务收入超百亿。")


def test_metric_of_a_year_on_year_difference_in_units_is_a_change():
    found = records("人均地区生产总值5.18万元,比上年增加0.17万元。", section_kind="review", year=2018)
    assert [(r["metric"], r["value"]) for r in found] == [("level", 5.18), ("change", 0.17)]


def test_a_figure_named_as_what_was_planned_is_a_target():
    found = records("2012年GDP增长6.1%,低于预期的8%。", section_kind="review", year=2013)
    assert [(r["indicator"], r["value"], r["kind"], r["year"]) for r in found] == [
        ("GDP", 6.1, ACHIEVEMENT, 2012),
        ("GDP", 8.0, TARGET, 2012),
    ]
    found = records("一般公共预算收入下降5.2%,好于下降7%的预期。", section_kind="review", year=2016)
    assert [(r["indicator"], r["kind"]) for r in found] == [
        ("一般公共预算收入", ACHIEVEMENT),
        ("一般公共预算收入", TARGET),
    ]
    # kept within what was expected, or done beyond the year's task: the figure is the plan's
    assert one("城镇登记失业率控制在预期4.2%以内。", section_kind="review", year=2017)["kind"] == TARGET
    found = records("城镇新增就业12万人,超额完成下达的10万人年度任务。", section_kind="review", year=2025)
    assert [(r["value"], r["kind"]) for r in found] == [(12.0, ACHIEVEMENT), (10.0, TARGET)]
    # a gap to what was expected is no figure; a rate of completion of a goal is an achievement
    assert records("增速低于预期1.5个百分点。", section_kind="review") == []
    assert one("完成省定目标的100%。", section_kind="review")["kind"] == ACHIEVEMENT


def test_a_share_raised_to_a_level_is_that_level_reached():
    # "提高到" states the share reached, not a growth: in a review of several years it is the end year's
    found = records("过去五年,森林覆盖率提高到62.1%,城镇化率提高至58%。", section_kind="review", year=2020)
    assert [(r["metric"], r["year"], r["value"]) for r in found] == [
        ("share", 2020, 62.1),
        ("share", 2020, 58.0),
    ]
    assert one("粮食总产量增长到60万吨。")["metric"] == "level"


def test_an_indicator_never_ends_in_a_number_copying_broke():
    from govtargets.transforms.extract import Mention, clean_indicators

    mention = Mention(0, 1, 1, 27.0, "亿元", 1e8, "元", indicator="甘肃省实现生产总值6835.")
    clean_indicators("", [mention])
    assert mention.indicator == "甘肃省实现生产总值"
    kept = Mention(0, 1, 1, 10.1, "%", 1.0, "%", indicator="PM2.5")
    clean_indicators("", [kept])
    assert kept.indicator == "PM2.5"


def test_a_time_that_ends_a_subject_or_a_period_in_a_list_loses_no_figure():
    found = records("居民消费价格涨幅从去年的5%左右下降到3%左右。") + records(
        "地区生产总值上半年、全年分别增长3.4%、4.5%。"
    )
    assert [r["value"] for r in found] == [5.0, 3.0, 3.4, 4.5]
