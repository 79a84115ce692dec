"""The time resolver: a table of cases for each cue class, from the clause out to the document."""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl
import pytest
from govtargets.transforms.records import sentence_frame, target_frame
from govtargets.transforms.timing import (
    ACHIEVEMENT,
    CARRIED,
    FULL_YEAR,
    TARGET,
    YEAR_TO_DATE,
    Cue,
    TimeContext,
    detect_plan_year,
    heading_cue,
    infer_years_from_sessions,
    national_congress_year,
    plan_years,
    provincial_session_year,
    resolve,
)

FIGURE = re.compile(r"-?\d+(?:\.\d+)?(?=[^\d年月日.])")  # a figure, not a year or a date


def timing(sentence: str, plan_year: int | None = 2024, section: Cue | None = None, lead: Cue | None = None,
           section_title: str = "", nth: int = 0, **flags):  # fmt: skip
    """The resolver's answer for the nth figure of `sentence`, its clause cut at , ; : 。"""
    figure = list(FIGURE.finditer(sentence))[nth]
    clause_start = max(sentence.rfind(d, 0, figure.start()) for d in ",;:。") + 1
    ends = [i for i in (sentence.find(d, figure.end()) for d in ",;:。") if i != -1]
    context = TimeContext(plan_year, "text", section=section, lead=lead, section_title=section_title)
    return resolve(sentence, clause_start, figure.start(), min(ends, default=len(sentence)), context, **flags)


def kind_year(sentence: str, **kwargs) -> tuple[str, int | None]:
    found = timing(sentence, **kwargs)
    return found.kind, found.year


REVIEW = Cue("context", ACHIEVEMENT, 2023, "year")
PLAN = Cue("context", TARGET, 2024, "year")


# ---------------------------------------------------------------- cue classes in the figure's clause


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # explicit year: before the plan year an achievement, else a target
        ("2023年,全省地区生产总值增长5.8%。", (ACHIEVEMENT, 2023)),
        ("2024年地区生产总值增长5%左右。", (TARGET, 2024)),
        ("2024年末,地区生产总值预计完成230.6亿元。", (TARGET, 2024)),
        # a base year is not the figure's year
        ("地区生产总值是2010年的2.18倍。", (TARGET, 2024)),
        # target years
        ("到2026年,全市生产总值达到2.5万亿元。", (TARGET, 2026)),
        ("2025年前建成5G基站1万个。", (TARGET, 2025)),
        # before the plan year: what was reached by then, or what a set is ("2000年前建成的")
        ("到2023年底,全市城镇化率达到60%。", (ACHIEVEMENT, 2023)),
        ("截至2023年底,累计建成5G基站1.2万个。", (ACHIEVEMENT, 2023)),
        ("2000年前建成的老旧小区全部改造,新建管网300公里。", (TARGET, 2024)),
        # the year before the plan year
        ("去年,全市城镇新增就业6.1万人。", (ACHIEVEMENT, 2023)),
        ("过去一年,江苏地区生产总值达12.82万亿元。", (ACHIEVEMENT, 2023)),
        ("一年来,新增市场主体2万户。", (ACHIEVEMENT, 2023)),
        ("刚刚过去的一年,粮食产量达到486亿斤。", (ACHIEVEMENT, 2023)),
        # a year after 过去的 is one year, not a count of years
        ("刚刚过去的2023年,全市生产总值增长5%。", (ACHIEVEMENT, 2023)),
        # 比上年 is a comparison, not a time (its kind word says a result)
        ("地区生产总值比上年增长8%。", (ACHIEVEMENT, 2023)),
        ("地区生产总值较去年增长8%。", (ACHIEVEMENT, 2023)),
        ("地区生产总值比上一年增长8%。", (ACHIEVEMENT, 2023)),
        ("地区生产总值与去年相比增长8%。", (ACHIEVEMENT, 2023)),
        # the plan year
        ("今年经济社会发展主要预期目标:地区生产总值增长5%以上。", (TARGET, 2024)),
        ("年内新建学校5所。", (TARGET, 2024)),
        # plans of several years: the end of the span
        ("今后五年,新增就业50万人。", (TARGET, 2028)),
        ("三年内规上企业发展到2000家。", (TARGET, 2026)),
        # five-year plans: 十四五 ends in 2025
        ("“十四五”时期,人均生产总值达到9万元。", (TARGET, 2025)),
    ],
)
def test_time_cues_of_the_clause(sentence, expected):
    assert kind_year(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # averages and streaks have no single year
        ("国内生产总值五年年均增长5.2%。", (ACHIEVEMENT, None)),
        ("粮食产量连年稳定在1.3万亿斤以上。", (ACHIEVEMENT, None)),
        ("地区生产总值年平均增长6%。", (ACHIEVEMENT, None)),
        ("城镇新增就业连续15年超过1万人。", (ACHIEVEMENT, None)),
        # but only in their own clause
        ("连续15年蝉联第一,城镇新增就业1万人。", (ACHIEVEMENT, 2023)),
    ],
)
def test_averages_and_streaks_have_no_year(sentence, expected):
    assert kind_year(sentence, section=REVIEW) == expected


def test_within_the_year_is_the_year_of_its_surroundings():
    # 年内 says no year of its own: in a review it is the reviewed year, in a plan the plan year
    assert kind_year("年内发放生态补奖资金4.65亿元。", section=REVIEW) == (ACHIEVEMENT, 2023)
    assert kind_year("年内发放生态补奖资金4.65亿元。", section=PLAN) == (TARGET, 2024)


@pytest.mark.parametrize(
    ("sentence", "reached", "expected"),
    [
        # a review of several years: a level reached at the end gets the end year
        ("过去五年,国内生产总值增加到121万亿元。", True, (ACHIEVEMENT, 2023)),
        # what it counts or changes over the span has none
        ("经过八年持续努力,近1亿农村贫困人口实现脱贫。", False, (ACHIEVEMENT, None)),
        ("五年来,全省城镇化率提高5.5个百分点。", False, (ACHIEVEMENT, None)),
        # any target of a plan of several years has its end year
        ("今后五年,全市地区生产总值年均增长6%。", False, (TARGET, None)),
        ("今后五年,城镇新增就业50万人。", False, (TARGET, 2028)),
    ],
)
def test_spans_of_several_years(sentence, reached, expected):
    assert kind_year(sentence, reached_level=reached) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # words that only say a kind decide where no time is said anywhere
        ("主要预期目标:地区生产总值增长6%。", TARGET),
        ("力争全市新增上市企业4家。", TARGET),
        ("地区生产总值同比增长3%。", ACHIEVEMENT),
        ("较好完成了全年目标任务,全市生产总值增长8%。", ACHIEVEMENT),
        ("预计全市地区生产总值增长6%。", ACHIEVEMENT),
        # milestones passed one after another are a review's ("大跨越实现5年进3位")
        ("地区生产总值先后跨上2万亿、逼近3万亿。", ACHIEVEMENT),
        # where nothing before says it, a kind word later in the sentence does
        ("地区生产总值3500亿元,比上年增长5.5%。", ACHIEVEMENT),
        ("新增城镇就业1万人,力争完成全年目标。", TARGET),
    ],
)
def test_kind_words_without_a_time(sentence, expected):
    assert timing(sentence, plan_year=2024).kind == expected


def test_kind_words_do_not_overrule_a_dated_section():
    # "争取" is how a review says funds were secured
    assert kind_year("争取各类政策性资金267.3亿元。", section=REVIEW) == (ACHIEVEMENT, 2023)
    assert kind_year("地区生产总值同比增长3%。", section=PLAN) == (TARGET, 2024)
    # "实际增长" after its subject is real (price-adjusted) growth, a target in a plan; only opening a
    # clause does it set what was achieved against what was planned
    assert kind_year("城镇居民人均可支配收入实际增长8%。", section=PLAN) == (TARGET, 2024)
    assert kind_year("地区生产总值预期目标增长6%,实际增长6.5%。", section=PLAN, nth=1)[0] == ACHIEVEMENT


# ---------------------------------------------------------------- from the clause outwards


def test_the_nearest_cue_wins():
    # the clause's own year beats the sentence's opening
    assert kind_year("2023年,地区生产总值增长5.8%,2024年增长5%左右。", nth=1) == (TARGET, 2024)
    # the sentence's opening covers its later clauses
    assert kind_year("2023年,一般公共预算收入9930亿元,增长7.3%。", nth=1) == (ACHIEVEMENT, 2023)
    # a cue in an earlier sentence of the paragraph, then the section
    lead = Cue("year", ACHIEVEMENT, 2019, "year")
    assert kind_year("粮食产量达到486亿斤。", lead=lead, section=PLAN) == (ACHIEVEMENT, 2019)
    assert kind_year("粮食产量达到486亿斤。", section=REVIEW) == (ACHIEVEMENT, 2023)
    # the document: a target of the plan year
    assert kind_year("粮食产量达到486亿斤。") == (TARGET, 2024)


def test_a_year_after_a_cause_or_a_topic_is_the_figures_own():
    """由于2012年…: 由于 is "because", not the 由 that opens a starting level ("由1390家"), and
    its 于 no "by the year"; the clause's year beats the sentence's opening."""
    sentence = "2013年初,由于2012年东莞GDP增速仅为6.1%,低于预期的8%。"
    assert kind_year(sentence, plan_year=2014) == (ACHIEVEMENT, 2012)
    assert kind_year("关于2012年的财政收入,增长10%。", plan_year=2014) == (ACHIEVEMENT, 2012)


def test_a_plans_name_says_no_kind():
    # a year the paragraphs before hand on yields to a kind word, but not to a plan's name
    carried = Cue("year", ACHIEVEMENT, 2023, "year", 0, 0)
    sentence = "制定实施三年行动计划和配套政策,规上企业增加261家。"
    assert kind_year(sentence, lead=replace(carried, cls=CARRIED)) == (ACHIEVEMENT, 2023)
    assert kind_year("计划新建学校5所。", lead=replace(carried, cls=CARRIED)) == (TARGET, 2024)


def test_a_target_set_or_revised_is_a_target_of_its_year():
    sentence = "东莞政府更是将2013年GDP增长目标下调至7%。"
    assert kind_year(sentence, plan_year=2014) == (TARGET, 2013)
    assert kind_year("他将今年的经济增长目标定在6.5%左右。", plan_year=2018) == (TARGET, 2018)


def test_year_sources_name_the_level_that_gave_the_year():
    assert timing("2023年全省地区生产总值增长5.8%。").year_source == "clause"
    assert timing("2023年,一般公共预算收入9930亿元,增长7.3%。", nth=1).year_source == "sentence"
    lead = Cue("year", ACHIEVEMENT, 2019, "year")
    assert timing("粮食产量达到486亿斤。", lead=lead).year_source == "paragraph"
    assert timing("粮食产量达到486亿斤。", section=REVIEW).year_source == "section"
    assert timing("粮食产量达到486亿斤。").year_source == "document"
    assert timing("年均增长5%。").year_source is None


def test_unknown_plan_year_leaves_relative_years_null():
    assert kind_year("去年,城镇新增就业6万人。", plan_year=None) == (ACHIEVEMENT, None)
    assert kind_year("2021年地区生产总值增长8%左右。", plan_year=None) == (TARGET, 2021)
    assert timing("城镇新增就业5万人以上。", plan_year=None).year is None


def test_starting_level_and_lost_year():
    assert kind_year("规上企业由1390家发展到2000家。", start_level=True) == (ACHIEVEMENT, 2023)
    # a starting level that names its year is that year's
    assert kind_year("地区生产总值从2005年的28.02亿元增加到95.2亿元。", start_level=True) == (
        ACHIEVEMENT,
        2005,
    )
    context = TimeContext(2024, "text")
    lost = resolve("到年实现全覆盖。", 0, 1, 7, context, lost_year=True)
    assert (lost.kind, lost.year, lost.year_source) == (TARGET, None, None)


# ---------------------------------------------------------------- headings


@pytest.mark.parametrize(
    ("title", "parent", "expected"),
    [
        ("一、2023年工作回顾", None, (ACHIEVEMENT, 2023)),
        ("2021年成绩", None, (ACHIEVEMENT, 2021)),
        ("二、2024年重点工作安排", None, (TARGET, 2024)),
        ("今后5年发展目标", None, (TARGET, 2028)),
        ("“十三五”成就:", None, (ACHIEVEMENT, 2020)),
        ("“十四五”目标:", None, (TARGET, 2025)),
        ("过去一年:", None, (ACHIEVEMENT, 2023)),
        ("三、对今年政府工作的建议", None, (TARGET, 2024)),
        ("【经济社会发展主要预期目标建议】", None, (TARGET, None)),
        ("一、主要工作回顾", None, (ACHIEVEMENT, None)),
        # under a dated section, a sub-heading's words alone do not change it
        ("(三)圆满完成重点任务", REVIEW, None),
        ("1、经济增长好于预期", REVIEW, None),
        ("(一)经济运行承压稳进", None, None),
    ],
)
def test_heading_cues(title, parent, expected):
    cue = heading_cue(title, 2024, parent)
    assert (None if cue is None else (cue.kind, cue.year)) == expected


# ---------------------------------------------------------------- period


@pytest.mark.parametrize(
    "evidence",
    [
        "1—4月份城镇新增就业1.77万人",
        "1-10月规模以上工业增加值增长5.1%",
        "一至三月外贸进出口增长4%",
        "前三季度地区生产总值增长4.5%",
        "前10个月完成投资120亿元",
        "上半年新增就业3.2万人",
        "一季度发放低保金6300余万元",
        "第一季度实际利用外资1.2亿美元",
        "截至9月底累计办理业务1.3万件",
        "截至今年6月末贷款余额增长8%",
        "今年以来新增市场主体2.1万户",
        "截至目前累计完成投资120亿元",
        "到目前为止完成投资120亿元",
    ],
)
def test_partial_year_markers_in_the_clause(evidence):
    figure = FIGURE.findall(evidence)[-1]
    assert timing(evidence, nth=len(FIGURE.findall(evidence)) - 1).period == YEAR_TO_DATE, figure


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
    assert timing(evidence, nth=len(FIGURE.findall(evidence)) - 1).period == FULL_YEAR


def test_a_figure_for_the_year_so_far_is_an_achievement():
    assert timing("1-6月,地区生产总值增长5.1%。", nth=1).kind == ACHIEVEMENT
    assert timing("今年以来,新增市场主体2.1万户。").kind == ACHIEVEMENT


def test_a_section_or_an_opening_marked_year_to_date_covers_its_figures():
    title = "二、今年以来新冠肺炎疫情防控和经济社会发展情况"
    assert timing("下沉社区4.8万人。", section_title=title).period == YEAR_TO_DATE
    assert timing("下沉社区4.8万人。", section_title="一、2019年工作回顾").period == FULL_YEAR
    sentence = "今年以来,新增市场主体2.1万户,预计全年新增4万户。"
    assert timing(sentence, nth=0).period == YEAR_TO_DATE
    assert timing(sentence, nth=1).period == FULL_YEAR
    later = "全年新增就业6万人,一季度新增1.2万人。"
    assert timing(later, nth=0).period == FULL_YEAR
    assert timing(later, nth=1).period == YEAR_TO_DATE


# ---------------------------------------------------------------- a document's plan year


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("政府工作报告\n——2024年1月8日在德州市第十八届人民代表大会第四次会议上", 2024),
        ("——2023年12月28日在某区第五届人民代表大会第三次会议上", 2024),  # delivered in December
        ("3月5日,李克强总理向十四届全国人大一次会议作政府工作报告", 2023),
        ("2018年南昌市政府工作报告\n访问量:", 2018),
        ("一、2023年工作回顾\n过去一年……", 2024),
        # the review heading under any enumerator a copy gives it
        ("(一)2023年工作回顾\n过去一年……", 2024),
        ("1. 2023年工作回顾\n过去一年……", 2024),
        ("第一部分 2023年工作回顾\n过去一年……", 2024),
        # the last report of a term reviews the term too
        ("一、2016年和本届政府工作回顾\n\n过去一年,在省委、省政府和市委的坚强领导下", 2017),
        ("一、2022年和过去五年工作回顾\n过去五年……", 2023),
        # a story naming the report's parts, or the annual plan its session approves
        ("报告分四个部分:一是2010年政府工作回顾及“十一五”主要成绩;二是……", 2011),
        (
            "会议还书面审查了关于长沙市2014年国民经济和社会发展计划执行情况与2015年国民经济和社会发展计划草案的报告",
            2015,
        ),
        ("2020年成就:\n实现生产总值2.62万亿元", 2021),
        ("他在回顾2019年政府工作时指出", 2020),
        ("刚刚过去的2018年,是……", 2019),
        ("2022年主要预期目标\n全市生产总值增长6.5%以上", 2022),
        ("县长作政府工作报告。“2018年我县经济社会发展的主要预期目标是:生产总值增长8.5%以上", 2018),
        ("关于印发2023年重点工作任务的通知", 2023),
        ("2010年8大工作重点\n■全面推进灾后恢复重建", 2010),
        # tasks reported done are a review, not a plan
        ("摘要(一):2021年全县各项目标任务高质量全面完成\n对2022年的主要工作作了安排部署", 2022),
        ("一、“十二五”时期国民经济和社会发展回顾", 2016),
        ("连同《拉萨市“十三五”时期国民经济和社会发展规划纲要(草案)》一并审议", 2016),
        ("2020年,德州将把握好“稳”与“进”的关系", 2020),
        ("记者从会议上获悉,2014年全市GDP增长目标为9%,重回高位。", 2014),  # a story's lead on the target
        # a story writing the year into 今年; a target paragraph opening with its year; what the
        # report reviews and what it plans, named in a story
        ("报告又提出今(2024)年经济社会发展的各项预期目标", 2024),
        ("2023年,鄂城区经济社会发展主要预期目标是:锚定“十四五”期间", 2023),
        ("报告首先回顾了汶上县人民政府2008年的工作。", 2009),
        ("报告对2005年政府工作及“十五”计划完成情况作了详细总结,同时对2006年的政府工作作了布置", 2006),
        ("报告对2005年政府工作及“十五”计划完成情况作了详细总结", 2006),
        ("2022年,我们实现了年初确定的预期目标", None),  # a review's words, not a plan's heading
        ("市发改委主任作了2005年国民经济和社会发展计划执行情况与2006年计划草案报告", 2006),
        ("千字极简版政府工作报告来了\n2020年湖南\n交答卷!\n地区生产总值增长3.8%", 2021),
        ("并将《广州市国民经济和社会发展第十一个五年规划纲要(草案)》向大会提交审议", 2006),
        ("经济总量跨越了两千亿元和三千亿元两个台阶。预计2012年全市生产总值完成3440亿元左右", 2013),
        ("到2015年,全市生产总值超过1.5万亿元。现在深圳的GDP是8201亿元,到2015年将达到1.5万亿元", None),
        ("2024年02月01日15:19 | 来源:人民网", 2024),
        ("2017湖南政府工作报告\n各位代表:", 2017),  # a title without 年
        # the year a review opens with beats a copy site's title that gives the review year
        (
            "2019年某县政府工作报告\n一、克难攻坚,过去一年政府工作成效显著\n2019年,是我县极具挑战的一年。",
            2020,
        ),
        ("该市今年作为“十三五”开局之年,各项重点工作安排更是看点十足", 2016),
        ("今年是“十三五”规划收官之年", 2020),
        ("题:跳跃式发展著华章——七台河市人民政府向人民代表报告2008年工作侧记", 2009),
        (" date 2018-03 By\n\n【i-CABLE】\n\n中国人大开幕大会,总理发表工作报告", 2018),  # a labelled month
        ("市人大会议开幕\n2019-01-15\n记者从会上获悉", 2019),  # a date at the top of a page
        ("加快发展现代服务业,推动高质量发展。", None),
    ],
)
def test_document_year_cues(text, year):
    assert detect_plan_year(text) == year


def test_congress_calendars():
    assert national_congress_year(14, 1) == 2023
    assert national_congress_year(13, 3) == 2020
    assert plan_years(14) == (2021, 2025)
    # a provincial session fits one of the years the text speaks of
    assert provincial_session_year("2014年甘肃省实现生产总值6835亿元", "甘肃省", 3) == 2015
    assert provincial_session_year("2024年,西藏地区生产总值增长6.3%", "西藏自治区", 3) == 2025
    assert provincial_session_year("2024年,地区生产总值增长6.3%", "成都市", 3) is None
    assert provincial_session_year("没有年份", "甘肃省", 3) is None
    # a year of the five-year plan the text names: only 2013 opens a provincial term in 2011-2016
    assert provincial_session_year("今年是实施“十二五”规划承前启后的关键一年", "山东省", 1) == 2013


def test_year_inferred_from_another_session_of_the_same_congress():
    docs = pl.DataFrame(
        {
            "region": ["德州市", "德州市", "聊城市"],
            "year": [2020, None, None],
            "congress_term": [18, 18, 17],
            "session_no": [4, 3, 3],
        },
        schema_overrides={"year": pl.Int32, "congress_term": pl.Int32, "session_no": pl.Int32},
    )
    out = infer_years_from_sessions(docs)
    assert out["year"].to_list() == [2020, 2019, None]
    assert out["year_source"].to_list() == ["text", "session", None]


# ---------------------------------------------------------------- documents without sections


def _frames(text: str, year: int | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    documents = pl.DataFrame(
        [{"doc_id": "d", "source_name": "d.txt", "region": "某市", "text": text, "doc_type": None,
          "year": year, "year_source": "text" if year else None}]
    )  # fmt: skip
    return documents, sentence_frame(documents)


def records_of(text: str, year: int | None = None) -> list[tuple]:
    records = target_frame(*_frames(text, year))
    return [(r["indicator"], r["value"], r["kind"], r["year"]) for r in records.to_dicts()]


def test_a_news_story_interleaving_plan_and_result():
    text = (
        "报告指出,2023年,全省地区生产总值预期目标增长6%,实际增长6.5%。"
        "过去一年,城镇新增就业6万人。今年,城镇新增就业5万人以上。"
    )
    got = records_of(text, 2024)
    assert got == [
        ("地区生产总值", 6.0, TARGET, 2023),
        ("地区生产总值", 6.5, ACHIEVEMENT, 2023),
        ("城镇新增就业", 6.0, ACHIEVEMENT, 2023),
        ("城镇新增就业", 5.0, TARGET, 2024),
    ]


def test_a_year_of_unknown_kind_hands_on_the_kind_its_sentence_says():
    # the plan year is unknown, so 2021 alone says no kind: "预计实现" makes it a review
    got = records_of("2021年预计实现地区生产总值947亿元。累计完成工业投资358.7亿元。")
    assert got == [("地区生产总值", 947.0, ACHIEVEMENT, 2021), ("工业投资", 358.7, ACHIEVEMENT, 2021)]
    # a kind only worded yields to the figure's own kind words ("初步核算": what was counted)
    got = records_of(
        "2010年,我们顺利完成了县十五届人大四次会议和“十一五”确定的目标任务。初步核算,全县生产总值实现131487万元。"
    )
    assert [kind for _, _, kind, _ in got] == [ACHIEVEMENT]


def test_a_span_named_late_in_a_sentence_hands_on_no_time():
    # "实现了“十三五”良好开局" speaks of the plan; the year before still dates what follows
    got = records_of("2016年,全省地区生产总值增长7.9%,实现了“十三五”良好开局。经济总量达到3.12万亿元。", 2017)
    assert got == [("地区生产总值", 7.9, ACHIEVEMENT, 2016), ("经济总量", 3.12, ACHIEVEMENT, 2016)]


def test_a_card_layout_names_a_figure_on_the_line_above():
    text = (
        "2023年主要成就\n全年GDP\n增长5.3%左右\n一般公共预算收入增长4.4%\n城镇和农村居民人均可支配收入\n"
        "分别增长4.5%、8.5%左右\n加快推进产业升级。\n增长6%。"
    )
    assert records_of(text) == [
        ("GDP", 5.3, ACHIEVEMENT, 2023),
        ("一般公共预算收入", 4.4, ACHIEVEMENT, 2023),
        ("城镇居民人均可支配收入", 4.5, ACHIEVEMENT, 2023),
        ("农村居民人均可支配收入", 8.5, ACHIEVEMENT, 2023),
    ]  # a sentence above is no label: "增长6%" names nothing
    documents = pl.DataFrame(
        [{"doc_id": "d", "source_name": "d.txt", "region": "某市", "text": text, "doc_type": None,
          "year": None, "year_source": None}]
    )  # fmt: skip
    evidence = target_frame(documents, sentence_frame(documents))["evidence"].to_list()
    assert evidence[0] == "增长5.3%左右"  # a quote of the text: the label's words are in the indicator


def test_a_bullet_summary_resolves_the_year_per_block():
    text = (
        "2020年成就:\n实现生产总值2.62万亿元,增长2.2%\n粮食单产创历史新高\n城镇新增就业43.2万人\n"
        "“十三五”成就:\n生产总值年均增长6.3%\n人均突破1万美元\n"
        "“十四五”目标:\n人均生产总值达到9万元左右\n2021年目标:\n生产总值增长6.5%左右\n"
    )
    got = {(value, kind, year) for _, value, kind, year in records_of(text, 2021)}
    assert got == {
        (2.62, ACHIEVEMENT, 2020),
        (2.2, ACHIEVEMENT, 2020),
        (43.2, ACHIEVEMENT, 2020),
        (6.3, ACHIEVEMENT, None),
        (1.0, ACHIEVEMENT, 2020),
        (9.0, TARGET, 2025),
        (6.5, TARGET, 2021),
    }


def test_a_thirty_character_text_gets_its_year_from_its_own_words():
    got = records_of("2021年地区生产总值增长8%左右,城镇新增就业5万人以上。")
    assert [(value, kind, year) for _, value, kind, year in got] == [(8.0, TARGET, 2021), (5.0, TARGET, 2021)]


def test_a_year_carries_on_into_the_paragraphs_after_it_where_no_heading_dates_them():
    text = (
        "在全县人民的共同努力下,2021年,各项目标任务全面完成。\n\n"
        "据统计,全县地区生产总值增长12.6%达92.9亿元。\n"
        "三年内规上企业由139家发展到200家。\n"
        "新增企业研发平台10家。\n"
    )
    got = records_of(text, 2022)
    # a year carries on; a span of years ("三年内") is its own paragraph's
    assert [(value, kind, year) for _, value, kind, year in got] == [
        (12.6, ACHIEVEMENT, 2021),
        (92.9, ACHIEVEMENT, 2021),
        (139.0, ACHIEVEMENT, 2021),
        (200.0, TARGET, 2024),
        (10.0, TARGET, 2022),
    ]


def test_a_review_of_several_years_carries_on_into_the_paragraphs_after_it():
    text = "总结过去5年政绩,取得历史性成就。\n\n经济方面,国内生产总值由54万亿元,增加至82.7万亿元,平均每年增长7.1%。\n"
    got = records_of(text, 2018)
    # the span starts from the level of the year before its first; a level reached is its end
    # year's; an average over it has no single year
    assert [(value, kind, year) for _, value, kind, year in got] == [
        (54.0, ACHIEVEMENT, 2012),
        (82.7, ACHIEVEMENT, 2017),
        (7.1, ACHIEVEMENT, None),
    ]


def test_levels_listed_after_one_with_a_dated_start_start_in_that_year():
    sentence = "地区生产总值从2005年的28亿元增加到2011年的95亿元,人均生产总值从7738元增加到24715元。"
    assert kind_year(sentence, plan_year=2012, nth=2, start_level=True) == (ACHIEVEMENT, 2005)
    assert kind_year("人均生产总值从7738元增加到24715元。", plan_year=2012, start_level=True) == (
        ACHIEVEMENT,
        2011,
    )


def test_kind_words_of_a_sentence_outrank_the_year_the_paragraphs_before_hand_on():
    text = (
        "报告共分两部分:2017年工作回顾;2018年主要工作。\n全年预计实现地方生产总值25.23亿元,同比增长8.5%。\n"
    )
    got = records_of(text, 2018)
    assert [(value, kind, year) for _, value, kind, year in got] == [
        (25.23, ACHIEVEMENT, 2017),
        (8.5, ACHIEVEMENT, 2017),
    ]


def test_the_year_of_a_starting_level_is_not_handed_on():
    text = (
        "五年来,全市国内生产总值由1998年的256亿元增加到380.8亿元,年均增长8.9%。人均国内生产总值达到6948元。"
    )
    got = records_of(text, 2004)
    assert [(value, year) for _, value, _, year in got] == [
        (256.0, 1998),
        (380.8, 2003),
        (8.9, None),
        (6948.0, 2003),
    ]


def test_the_end_and_the_span_of_a_five_year_plan():
    text = "“十一五”时期,全县生产总值由“十五”末的12.8亿元增加到19.2亿元。“九五”时期全县投资增长1.5倍。"
    got = records_of(text, 2011)
    assert [(value, kind, year) for _, value, kind, year in got] == [
        (12.8, ACHIEVEMENT, 2005),
        (19.2, ACHIEVEMENT, 2010),
        (1.5, ACHIEVEMENT, None),
    ]


def test_levels_listed_held_or_compared_with_a_base_year_end_a_review_of_several_years():
    text = (
        "五年来,全市生产总值、财政总收入年均分别增长14.1%、22.1%,达4270亿元、500.36亿元;"
        "拥有产值亿元以上企业1470家、上市企业74家,分别是2006年的3倍、3.4倍;"
        "中心城区建成区面积比2006年增加81.5平方公里;新增公路3639公里。"
    )
    got = records_of(text, 2012)
    assert [(value, year) for _, value, _, year in got] == [
        (14.1, None),
        (22.1, None),
        (4270.0, 2011),
        (500.36, 2011),
        (1470.0, 2011),
        (74.0, 2011),
        (3.0, 2011),
        (3.4, 2011),
        (81.5, 2011),
        (3639.0, None),  # a count over the span has no single year
    ]


def test_a_line_opening_with_listed_numerals_is_no_heading():
    """ "一、二、三产比例…" lists the three sectors; read as a heading "一、" it ended the review."""
    text = (
        "一、过去五年工作回顾\n五年来,全市国内生产总值由1998年的256亿元增加到380.8亿元。\n"
        "经济结构进一步优化。\n一、二、三产比例调整为15.7∶50.1∶34.2,第二产业比重突破50%。\n"
    )
    got = records_of(text, 2004)
    assert [(value, kind, year) for _, value, kind, year in got] == [
        (256.0, ACHIEVEMENT, 1998),
        (380.8, ACHIEVEMENT, 2003),
        (50.0, ACHIEVEMENT, 2003),
    ]


def test_an_aside_in_brackets_keeps_its_time_and_its_kind_to_itself():
    text = (
        "2003年:\n全市生产总值增长13%,增速连续三年超过13%(2001年、2002年均为13.1%)。"
        "全市完成固定资产投资863亿元。\n2004年:\n"
        "城镇居民人均可支配收入计划达到10374元(去年为9641元)。新增城镇就业人数6万人。"
        "力争实际利用国内市外资金200亿元(去年为156.5亿元)。\n"
    )
    got = target_frame(*_frames(text, 2004)).select("value", "kind", "year", "qualifier").rows()
    assert got == [
        (13.0, ACHIEVEMENT, 2003, ""),
        (13.0, ACHIEVEMENT, None, "超过"),
        (13.1, ACHIEVEMENT, 2002, ""),
        (863.0, ACHIEVEMENT, 2003, ""),
        (10374.0, TARGET, 2004, ""),
        (9641.0, ACHIEVEMENT, 2003, ""),
        (6.0, TARGET, 2004, ""),
        (200.0, TARGET, 2004, "力争"),
        (156.5, ACHIEVEMENT, 2003, ""),
    ]


def test_where_the_plan_year_is_unknown_a_sentences_kind_words_tell_its_years_kind():
    text = (
        "报告指出,2022年,是迈上新征程、向第二个百年奋斗目标进军的重要一年,也是极不平凡的一年。\n"
        "2022年,全州实现地区生产总值53.62亿元,同比增长2.7%。\n"
    )
    got = records_of(text, None)
    assert [(value, kind, year) for _, value, kind, year in got] == [
        (53.62, ACHIEVEMENT, 2022),
        (2.7, ACHIEVEMENT, 2022),
    ]


def test_a_strong_kind_word_of_the_sentence_outranks_a_weak_one():
    """ "力争…限上社零额同比增长15%以上,财政总收入达到20亿元": 同比 is said of targets too."""
    text = (
        "2023年,全区经济社会发展主要预期目标是:\n"
        "力争固定资产投资增幅16%以上、限上社零额同比增长15%以上,财政总收入达到20亿元、增幅12%以上。\n"
    )
    got = records_of(text, 2023)
    assert [(value, kind, year) for _, value, kind, year in got] == [
        (16.0, TARGET, 2023),
        (15.0, TARGET, 2023),
        (20.0, TARGET, 2023),
        (12.0, TARGET, 2023),
    ]


def test_a_bullet_ending_as_a_list_item_is_no_heading():
    text = (
        "报告指出:\n●2023年全省地区生产总值达到13.57万亿元、增长4.8%;\n●进出口顶住压力、逆势实现正增长;\n"
        "●规模以上工业增加值突破4万亿元、增长4.4%。\n"
    )
    got = records_of(text, 2024)
    assert [(value, kind, year) for _, value, kind, year in got] == [
        (13.57, ACHIEVEMENT, 2023),
        (4.8, ACHIEVEMENT, 2023),
        (4.0, ACHIEVEMENT, 2023),
        (4.4, ACHIEVEMENT, 2023),
    ]


def test_a_record_over_years_is_no_span_of_years():
    """ "生产总值增幅创7年来新高": a record, not a review of seven years handed on."""
    text = "2004年工作回顾\n生产总值增幅创7年来新高。规模以上工业企业利润增长47.4%。\n"
    got = records_of(text, 2005)
    assert [(value, kind, year) for _, value, kind, year in got] == [(47.4, ACHIEVEMENT, 2004)]


def test_a_year_heading_without_its_character():
    """ "回顾2023" and a line that is only "2021" (an infographic's) date the lines under them;
    an annual average concentration (PM2.5年均浓度) is a level, no average over years."""
    text = (
        "报告分为两大部分\n一、2023年工作回顾\n二、2024年目标任务和主要工作\n回顾2023\n"
        "全省生产总值增长5.5%,一般公共预算收入增长5.7%。\n"
    )
    assert [(value, kind, year) for _, value, kind, year in records_of(text, 2024)] == [
        (5.5, ACHIEVEMENT, 2023),
        (5.7, ACHIEVEMENT, 2023),
    ]
    text = "一图读懂政府工作报告\n2021\n持之以恒改善生态环境\n修复废弃矿山2.58万亩,PM2.5年均浓度下降13.5%。\n"
    assert [(value, kind, year) for _, value, kind, year in records_of(text, 2022)] == [
        (2.58, ACHIEVEMENT, 2021),
        (13.5, ACHIEVEMENT, 2021),
    ]
