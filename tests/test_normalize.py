"""Each kind of layout noise, and idempotence."""

from __future__ import annotations

import pytest
from govtargets.transforms.normalize import normalize_text
from hypothesis import example, given, settings
from hypothesis import strategies as st


def test_full_width_digits_and_percent_become_parseable():
    assert normalize_text("地区生产总值增长６．５％左右。") == "地区生产总值增长6.5%左右。"
    # what input methods offer for %: the care-of sign and the small percent sign
    assert normalize_text("财政总收入增长57.7℅,增幅超过68﹪。") == "财政总收入增长57.7%,增幅超过68%。"


def test_full_width_punctuation_is_folded_consistently():
    assert normalize_text("增长5%，力争6%；（牵头单位：市科技局）") == "增长5%,力争6%;(牵头单位:市科技局)"


def test_spaces_inside_numbers_and_before_units_are_removed():
    assert normalize_text("城镇新增就业 6.78 万人,居全省第 1 位。") == "城镇新增就业6.78万人,居全省第1位。"


def test_pinyin_glosses_are_removed_but_latin_abbreviations_stay():
    text = "國(guó)務(wù)院政府工作報(bào)告提出,GDP(国内生产总值)增长5%。"
    assert normalize_text(text) == "国务院政府工作报告提出,GDP(国内生产总值)增长5%。"


def test_doubled_punctuation_collapses():
    assert normalize_text("增长6%,,力争6.5%。。") == "增长6%,力争6.5%。"


def test_markdown_markup_is_removed_and_headings_stay_lines():
    text = "## 主要预期目标 >>\n\n- 地区生产总值增长6%;\n- **一般公共预算收入**增长2%。\n"
    assert normalize_text(text) == "主要预期目标\n地区生产总值增长6%;\n一般公共预算收入增长2%。"


def test_lines_broken_inside_a_sentence_or_number_are_rejoined():
    text = "持续改善生态环境质量。加大散煤治理力度,完成煤炭消费压减任务,农村地区清洁取暖改造29\n\n万户。\n\n下一段。"
    assert (
        normalize_text(text)
        == "持续改善生态环境质量。加大散煤治理力度,完成煤炭消费压减任务,农村地区清洁取暖改造29万户。\n下一段。"
    )


def test_a_copy_sites_junk_letters_after_a_stop_do_not_hide_it():
    text = "一年来,社会消费品零售总额完成16亿元,城乡常住居民人均可支配收入分别达到\n37462元和17597元、增长7%和10%。vfO\n下一段。"
    assert normalize_text(text).split("\n") == [
        "一年来,社会消费品零售总额完成16亿元,城乡常住居民人均可支配收入分别达到37462元和17597元、增长7%和10%。vfO",
        "下一段。",
    ]


def test_short_headings_are_not_glued_to_the_next_paragraph():
    text = (
        "一、2023年工作回顾\n\n2023年是开局之年,全市经济运行稳中向好。\n加快新旧动能转换\n做大做强实体经济\n"
    )
    assert normalize_text(text).split("\n") == [
        "一、2023年工作回顾",
        "2023年是开局之年,全市经济运行稳中向好。",
        "加快新旧动能转换",
        "做大做强实体经济",
    ]


def test_inline_numbered_items_of_one_line_notices_get_their_own_lines():
    text = "制定重点工作任务如下。一、提升科技创新能力1.推动科技成果转化。引进科技成果50项以上。(牵头单位:市科技局)2.加强创新平台建设。"
    assert normalize_text(text).split("\n") == [
        "制定重点工作任务如下。",
        "一、提升科技创新能力",
        "1.推动科技成果转化。引进科技成果50项以上。(牵头单位:市科技局)",
        "2.加强创新平台建设。",
    ]


def test_traditional_script_becomes_simplified():
    assert normalize_text("污水處理廠提標改造達到60%以上。") == "污水处理厂提标改造达到60%以上。"


REPORT_PIECES = st.sampled_from(
    [
        "地区生产总值增长6%",
        "，",
        "。",
        "；",
        "\n",
        "\n\n",
        " ",
        "６．５％",
        "## ",
        "- ",
        "**",
        "万人",
        "一、",
        "(一)",
        "1.",
        "报(bào)告",
        ",,",
        "城镇新增就业",
        "29",
        "新开工棚户区改造13496套",
        "各位代表:",
        "牽頭單位",
        "　",
        "以上",
        "2024年重点工作安排",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(REPORT_PIECES, max_size=40).map("".join))
@example("地区生产总值增长6% ## **## **，")  # junk that removing bold exposes (found by CI)
@example("29，29６．５％")  # a full-width comma that folding would make a thousands separator
@example("29。。29")  # a doubled stop the collapse leaves between digits
@example("29,,29６．５％")  # and a doubled comma
def test_normalization_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        # decimals split by a space in copying or a hard wrap
        ("实现生产总值6835. 27亿元", "实现生产总值6835.27亿元"),
        ("人均可支配收入49532元,增长5 .2%。", "人均可支配收入49532元,增长5.2%。"),
        ("人口自然增长率6. 2‰", "人口自然增长率6.2‰"),
        # a decimal point written as a full stop; a full stop before a date or a list number ends a sentence
        ("同比增长9。5%,规模以上工业增加值373。15亿元", "同比增长9.5%,规模以上工业增加值373.15亿元"),
        (
            "总数达到200。3月份开工,达到100。2019年,达到50。1、",
            "总数达到200。3月份开工,达到100。2019年,达到50。1、",
        ),
        # a space between two numbers separates them
        ("公文搜 2021-07-28 08:33:05 政府报告", "公文搜2021-07-28 08:33:05政府报告"),
        # a space before a bracket inside a name
        ("全国百强区 (县) 增至12个", "全国百强区(县)增至12个"),
        # HTML entities, also with the & split off
        ("实行& ldquo;卡长”负责制", "实行“卡长”负责制"),
        ("增长&nbsp;5%", "增长5%"),
        # forum anti-copy junk; abbreviations and English survive
        ("相当“不简单的”。0 s5 T6 T, z7 [2 R- z, s3 [5 ?", "相当“不简单的”。"),
        ("2017年工作总体要求8 \\4 x- D: N) T9 g/ n' w7 A9 o) h", "2017年工作总体要求"),
        ("PM2.5 and GDP in the end", "PM2.5 and GDP in the end"),
        # a year and date in Chinese digits (zero as 〇, ○ or 零); counts of years in words stay
        ("——二〇二三年一月十二日在市第十七届人民代表大会", "——2023年1月12日在市第十七届人民代表大会"),
        ("二○一九年工作回顾", "2019年工作回顾"),
        ("二零二零年十二月", "2020年12月"),
        ("过去二十年,一千二百年", "过去二十年,一千二百年"),
        # spaces a web layout leaves before punctuation and pinyin glosses
        (
            "赤字率 拟按3%安排 ,该延续的延续 ;税费优惠 : 对现行",
            "赤字率拟按3%安排,该延续的延续;税费优惠:对现行",
        ),
        ("增长 (zhǎng)6.5%", "增长6.5%"),
        ("the end, of it: PM2.5 and GDP", "the end, of it: PM2.5 and GDP"),
        # percentages in words
        ("国内生产总值增长百分之五左右,失业率百分之五点五", "国内生产总值增长5%左右,失业率5.5%"),
        ("百分之九十以上,千分之三,三分之一", "90%以上,3‰,三分之一"),
        # a thousands separator is no clause end, in full-width digits too; a full-width comma between
        # other numbers is punctuation (a space keeps a second pass from reading a separator there)
        ("落实1,000个项目,完成投资1,234.5亿元", "落实1000个项目,完成投资1234.5亿元"),
        ("全年实现１，２３４．５亿元", "全年实现1234.5亿元"),
        ("增长3%,100个项目开工,排名第3，100家企业", "增长3%,100个项目开工,排名第3, 100家企业"),
    ],
)
def test_web_copy_noise(raw, normalized):
    assert normalize_text(raw) == normalized


def test_labelled_items_of_a_bullet_summary_stay_lines():
    text = "财政:积极的财政政策要加力提效。赤字率拟按3%安排\n税费优惠:对现行减税降费等措施,该延续的延续,该优化的优化\n"
    assert normalize_text(text).split("\n") == [
        "财政:积极的财政政策要加力提效。赤字率拟按3%安排",
        "税费优惠:对现行减税降费等措施,该延续的延续,该优化的优化",
    ]


def test_variant_characters_opencc_keeps_are_folded():
    assert normalize_text("陜西省第十三屆人民代表大會") == "陕西省第十三届人民代表大会"
    # Hong Kong standard forms (OpenCC s2hk) that t2s keeps
    assert normalize_text("新建村衞生室220家,工作枱") == "新建村卫生室220家,工作台"


def test_a_hard_wrapped_page_is_joined_into_its_paragraphs():
    paragraph = (
        "过去一年,全市地区生产总值增长5.8%,一般公共预算收入增长7.3%,城镇新增就业6.1万人,"
        "新改扩建中小学校、幼儿园53所,新增学位3.65万个,招聘教师2930人,社保参保扩面17.7万人。"
    )
    # wrapped every 25 characters: the lines of the wrap width would each pass for a heading
    wrapped = "\n".join(paragraph[i : i + 25] for i in range(0, len(paragraph), 25))
    heading = "二、2024年重点工作安排"
    assert normalize_text(f"{wrapped}\n{heading}\n{wrapped}").split("\n") == [paragraph, heading, paragraph]
    # a list whose items are about one length is no wrap: items that do not agree in length stay lines
    items = [
        "●实施新旧动能转换重大项目工程,始终保持项目库存",
        "●坚持亩均论英雄,把好项目质量关",
        "●建立项目高效落地保障机制",
    ]
    assert normalize_text("\n".join(items * 3)).split("\n") == [item[1:] for item in items * 3]


def test_a_lone_surrogate_is_replaced_as_an_undecodable_byte_is():
    # a str made with surrogateescape, or by hand; OpenCC's conversion raised on one (hypothesis found it)
    assert normalize_text("增长\ud8006%") == "增长\ufffd6%"
    assert normalize_text("增长\U0001f600") == "增长\U0001f600"  # a character outside the BMP is kept
