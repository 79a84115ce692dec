"""Document metadata and sections."""

from __future__ import annotations

import pytest
from govtargets.transforms.structure import document_metadata, sentences


def test_work_report_metadata_from_its_own_text():
    text = "政府工作报告\n——2020年5月26日在聊城市第十七届人民代表大会第四次会议上\n各位代表:\n现在,我代表市人民政府,向大会报告工作。"
    meta = document_metadata(text)
    assert meta == {
        "region": "聊城市",
        "year": 2020,
        "year_source": "text",
        "doc_type": "work_report",
        "delivered_on": "2020-05-26",
        "congress_term": 17,
        "session_no": 4,
    }


def test_unsure_metadata_stays_null():
    meta = document_metadata("加快发展现代服务业,推动高质量发展。")
    assert meta["region"] is None and meta["year"] is None and meta["doc_type"] is None


def test_sections_decide_review_or_plan_and_their_year():
    text = "各位代表:\n一、2023年工作回顾\n(一)经济运行承压稳进。地区生产总值增长6%。\n二、2024年重点工作安排\n(一)持续推动经济以进促稳。"
    rows = sentences(text, "work_report", 2024)
    kinds = {r["sentence"]: (r["section_kind"], r["section_year"]) for r in rows}
    assert kinds["地区生产总值增长6%。"] == ("review", 2023)
    assert kinds["(一)持续推动经济以进促稳。"] == ("plan", 2024)
    assert kinds["各位代表:"][0] == "other"


def test_an_unnumbered_dated_heading_is_a_part_above_numbered_ones():
    text = "2017年工作回顾\n一年来,各项工作取得新成效。\n一、现代农业稳步发展。\n建设大田试验站430亩。\n2018年工作安排\n一、推进农业现代化。\n建设示范园2000亩。"
    rows = sentences(text, "work_report", 2018)
    kinds = {r["sentence"]: (r["section_kind"], r["section_year"]) for r in rows}
    assert kinds["建设大田试验站430亩。"] == ("review", 2017)
    assert kinds["建设示范园2000亩。"] == ("plan", 2018)
    # a year written without 年 before review words dates its section too
    rows = sentences("2023 成就鼓舞人心\n全年GDP\n增长5.3%左右", "news_summary", 2024)
    assert {r["sentence"]: r["section_year"] for r in rows}["增长5.3%左右"] == 2023


def test_a_dateline_is_no_dated_section():
    text = "2023年1月12日 09:30 来源:本报\n2020年,德州这六个方面全力攻坚\n地区生产总值增长6%。"
    rows = sentences(text, "news_summary", 2020)
    kinds = {r["sentence"]: (r["section_kind"], r["section_year"]) for r in rows}
    assert kinds["地区生产总值增长6%。"] == ("other", None)  # not a 2023 review


@pytest.mark.parametrize(
    ("part", "section"),
    [
        # a document's outermost sections use the enumerator that comes first, whatever its style
        ("一、{}", "(一)"),
        ("第一部分 {}", "一、"),
        ("1.{}", "(一)"),
        ("(一){}", "1."),
    ],
)
def test_sections_nest_in_the_order_of_the_documents_enumerators(part, section):
    review, plan = (
        part.format("2023年工作回顾"),
        part.replace("一", "二").replace("1", "2").format("2024年重点工作安排"),
    )
    text = f"各位代表:\n{review}\n{section}经济运行承压稳进。地区生产总值增长6%。\n{plan}\n{section}持续推动经济以进促稳。"
    kinds = {
        r["sentence"]: (r["section_kind"], r["section_year"]) for r in sentences(text, "work_report", 2024)
    }
    assert kinds["地区生产总值增长6%。"] == ("review", 2023)
    assert kinds[f"{section}持续推动经济以进促稳。"] == ("plan", 2024)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("——2024年1月8日在德州市第十八届人民代表大会第四次会议上", "2024-01-08"),
        ("——2020年1月53日在聊城市第十六届人民代表大会第五次会议上", None),
        ("——2023年2月29日在某市人民代表大会上", None),
        ("德州市人民政府关于2023年重点工作的通知", None),
    ],
)
def test_delivery_date_is_a_real_date_or_none(head, expected):
    from govtargets.transforms.structure import detect_delivered_on

    assert detect_delivered_on(head + "\n各位代表:") == expected


@pytest.mark.parametrize(
    ("text", "region"),
    [
        # the congress or the authority the text names
        ("辽宁省第十三届人民代表大会第三次会议14日在沈阳开幕,省长代表辽宁省人民政府报告工作。", "辽宁省"),
        ("西藏自治区代理主席在向大会作政府工作报告时称", "西藏自治区"),
        # the national report
        ("3月5日,李克强总理向十四届全国人大一次会议作政府工作报告。", "全国"),
        ("国务院总理在政府工作报告中说", "全国"),
        ("国务院总理李克强周五(3月5日)在政府工作报告中指出", "全国"),
        ("十二届全国人大四次会议正式开幕,李克强总理代表国务院向大会报告政府工作。", "全国"),
        ("中国人大开幕大会,国务院总理李克强发表现届政府最后一份工作报告", "全国"),
        # a report's title names its area before the year, or without 人民
        ("鞍山市2023年政府工作报告\n各位代表:", "鞍山市"),
        ("从巴南区政府工作报告看出,2021年预计实现地区生产总值947亿。", "巴南区"),
        # a name jieba does not know, before the area's own authorities twice
        ("——在饶阳县第十七届人民代表大会第二次会议上\n饶阳县人民政府县长\n各位代表:", "饶阳县"),
        (
            "2025年克什克腾旗人民政府政府工作报告\n——2025年1月15日在克什克腾旗 第十八届人民代表大会",
            "克什克腾旗",
        ),
        ("——2017年12月23日在和县第十七届人民代表大会第二次会议上\n和县人民政府县长\n", "和县"),
        # once, where the report says at which congress session it is delivered; other words before
        # a session name no one
        ("——2019年1月9日在柯坪县第十七届人民代表大会第四次会议上\n各位代表:", "柯坪县"),
        ("备受关注的县第十七届人民代表大会第四次会议昨日开幕。全县经济增长7%。", None),
        # an autonomous county's name is long; a name and its session across a hard line wrap
        (
            "酉阳土家族苗族自治县人民政府工作报告\n\n2022年1月5日在县第十八届人民代表大会第一次会议上",
            "酉阳土家族苗族自治县",
        ),
        ("2月20日,张家川回族自治县第十五届人民代表大会第二次会议开幕。", "张家川回族自治县"),
        ("——2024年1月18日在牟定县第十八届\n人民代表大会第三次会议上\n县长 李永军", "牟定县"),
        # a congress, not a sports meeting, is the area's own authority
        (
            "——2016年2月26日在迪庆藏族自治州第十二届人民代表大会第六次会议上\n承办了云南省第十届少数民族体育运动会",
            "迪庆藏族自治州",
        ),
        # an autonomous area's short name with the suffix the text uses for its own area
        ("全州各族人民。州长黄政红向大会作《政府工作报告》。共同描绘迪庆未来的发展蓝图。", "迪庆藏族自治州"),
        # once at its congress session after any boundary, where jieba does not know the name as a
        # place; words with a verb before the suffix are no name
        (
            (
                "2月14日上午,备受全市人民瞩目的周口市第二届人民代表大会第四次会议在周口人民会堂隆重举行。"
                "8时30分,毛超峰宣布周口市第二届人民代表大会第四次会议开幕。"
            ),
            "周口市",
        ),
        ("昨日上午,白云区十四届人大五次会议召开。白云区长余楚风作《政府工作报告》。", "白云区"),
        ("2月15日,天全县召开第十七届人民代表大会第二次会议。天全县人民政府县长作政府工作报告。", "天全县"),
        # who delivers the report when the office is vacant
        ("第五次会议上\n\n静宁县常务副县长杨晓勇\n\n各位代表:", "静宁县"),
        # a district named after the city it is part of
        (
            "(江西省)2024年赣州市章贡区人民政府工作报告\n——2024年1月12日在赣州市章贡区第六届人民代表大会",
            "章贡区",
        ),
        # the place the text names with the suffix it uses for its own area
        ("我代表市人民政府报告工作。是我市发展极不平凡的五年,推动拉萨进入新阶段。", "拉萨市"),
        # a report naming itself in passing, with the suffix of its own area
        (
            "2022年,是柳林发展史上极不平凡的一年。团结和带领全县广大干部群众,我县地区生产总值增长9.4%。",
            "柳林县",
        ),
        # a title that names the report by its area's short name
        ("2019黑龙江政府工作报告\n各位代表:全省地区生产总值增长5%。", "黑龙江省"),
        # the title of who delivers the report says its area's level, as 我市 does
        ("代市长王平昨日在政府工作报告中提出,今年莆田地区生产总值增长8%。", "莆田市"),
        ("莆田城市长效管理写入政府工作报告。", None),
        # an autonomous area by its full name, however the text shortens it
        ("我代表州人民政府报告工作。黔东南州地区生产总值增长5%,我州经济稳中向好。", "黔东南苗族侗族自治州"),
        # "全省" alone also speaks of the province a city is in: one mention is not enough
        ("聚焦云南州市两会。确保与全国全省同步全面建成小康社会。", None),
        # a common word is no place, with 我区 or not
        ("我区推进乡村振兴,乡村振兴取得成效,振兴乡村。", None),
        ("加快发展现代服务业,推动高质量发展。", None),
    ],
)
def test_region_cues(text, region):
    assert document_metadata(text)["region"] == region


@pytest.mark.parametrize(
    ("text", "doc_type"),
    [
        ("政府工作报告\n各位代表:\n现在,我代表市人民政府,向大会报告政府工作。", "work_report"),
        ("2022年工作回顾\n2022年,是柳林发展史上极不平凡的一年。", "work_report"),
        (
            "关于印发德州市2023年重点工作任务的通知\n1.推进项目建设。(牵头单位:市发展改革委)",
            "key_tasks_notice",
        ),
        ("甘肃省省长刘伟平作政府工作报告。", "news_summary"),
        ("报告回顾了2023年工作,同时提出了2024年目标任务。", "news_summary"),
        ("(记者朱虹)今日,成都市第十八届人民代表大会第二次会议开幕,市长向大会报告工作。", "news_summary"),
        ("本报特摘编部分区县政府工作报告。", "news_summary"),
        ("2021年成绩\n全市生产总值18109亿元。", None),
    ],
)
def test_document_type_cues(text, doc_type):
    assert document_metadata(text)["doc_type"] == doc_type


def test_a_digest_of_several_areas_reports_gives_each_part_its_area():
    text = (
        "本报特摘编部分区县政府工作报告。\n"
        "渝中\n2020年目标:地区生产总值增长5%。\n"
        "沙坪坝区\n2020年目标:地区生产总值增长5%左右。\n"
    )
    areas = {row["sentence"]: row["area"] for row in sentences(text, None, 2020)}
    assert areas == {
        "本报特摘编部分区县政府工作报告。": None,
        "渝中": "渝中区",
        "2020年目标:地区生产总值增长5%。": "渝中区",
        "沙坪坝区": "沙坪坝区",
        "2020年目标:地区生产总值增长5%左右。": "沙坪坝区",
    }
    # one line naming an area is a dateline or a caption, not a digest
    single = "北京\n全市地区生产总值增长5%。\n"
    assert {row["area"] for row in sentences(single, None, 2020)} == {None}
