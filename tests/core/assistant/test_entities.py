from typing import Any

import pytest

from kefu.core.assistant.nlu.entities import extract_entities


def found(text: str) -> list[tuple[str, Any]]:
    return [(e.type, e.value) for e in extract_entities(text)]


def spans(text: str) -> list[tuple[str, str]]:
    return [(e.type, text[e.start : e.end]) for e in extract_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一米七穿什么码", [("height_cm", 170)]),
        ("1米7的穿啥码", [("height_cm", 170)]),
        ("1米75 70kg", [("height_cm", 175), ("weight_kg", 70)]),
        ("一米六五，一百三十斤", [("height_cm", 165), ("weight_kg", 65)]),
        ("172cm 65公斤", [("height_cm", 172), ("weight_kg", 65)]),
        ("1.7m 60kg", [("height_cm", 170), ("weight_kg", 60)]),
        ("170 65kg穿什么码", [("height_cm", 170), ("weight_kg", 65)]),
        ("身高162体重105斤", [("height_cm", 162), ("weight_kg", 52.5)]),
        ("160/100斤选哪个码", [("height_cm", 160), ("weight_kg", 50)]),
        ("我一百二十斤穿多大", [("weight_kg", 60)]),
    ],
)
def test_body_measures(text: str, expected: list[tuple[str, Any]]) -> None:
    assert found(text) == expected


def test_weight_is_a_number_in_kg_and_int_when_whole() -> None:
    [weight] = [e for e in extract_entities("130斤穿M吗") if e.type == "weight_kg"]
    assert weight.value == 65 and isinstance(weight.value, int)


def test_a_bare_number_is_a_height_only_in_a_size_question() -> None:
    assert found("170 穿什么码") == [("height_cm", 170)]
    assert found("订单170件什么时候发") == []


def test_produce_weight_is_not_body_weight() -> None:
    assert found("两斤苹果多少钱") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("九十九块能包邮吗", [("amount", 99)]),
        ("¥99的那款", [("amount", 99)]),
        ("便宜10块呗", [("amount", 10)]),
        ("两百块卖不卖", [("amount", 200)]),
        ("99元包邮吗", [("amount", 99)]),
        ("五十块钱", [("amount", 50)]),
        ("九块九包邮", [("amount", 9.9)]),
        ("RMB 120", [("amount", 120)]),
        ("差价20.5元", [("amount", 20.5)]),
    ],
)
def test_amounts_need_a_money_unit(text: str, expected: list[tuple[str, Any]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", ["满199减20", "能少20吗", "我们一块去买", "买了3件"])
def test_numbers_without_a_money_unit_are_not_amounts(text: str) -> None:
    assert [kind for kind, _ in found(text)] == []


def test_amount_span_includes_its_unit() -> None:
    assert spans("便宜九十九块呗") == [("amount", "九十九块")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("单号SF1234567890123", [("tracking_no", "SF1234567890123")]),
        ("sf123456789012 查一下", [("tracking_no", "SF123456789012")]),
        ("中通 75312345678901 到哪了", [("tracking_no", "75312345678901")]),
        ("圆通单号：YT1234567890123", [("tracking_no", "YT1234567890123")]),
        # digits right after a courier name are a waybill even when order-id long
        ("顺丰：123456789012345678", [("tracking_no", "123456789012345678")]),
        ("4312345678901（韵达）", [("tracking_no", "4312345678901")]),
    ],
)
def test_tracking_numbers(text: str, expected: list[tuple[str, Any]]) -> None:
    assert found(text) == expected


def test_order_id_is_15_to_20_digits() -> None:
    assert found("订单号 3712345678901234567 还没发") == [("order_id", "3712345678901234567")]
    assert found("订单12345678901234") == []  # 14 digits, no courier: nothing
    assert found("123456789012345678901") == []  # 21 digits


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("电话13812345678", "13812345678"),
        ("手机号：138 1234 5678", "13812345678"),
        ("改成186-1234-5678", "18612345678"),
    ],
)
def test_phones_become_11_digits(text: str, phone: str) -> None:
    assert found(text) == [("phone", phone)]


def test_not_a_mobile_number() -> None:
    assert found("12812345678") == []  # 12x is not a mainland mobile prefix
    assert found("138123456789") == []  # 12 digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("寄到浙江杭州", [("province", "浙江省"), ("city", "杭州市")]),
        ("杭州能到吗", [("city", "杭州市")]),  # a city alone does not add its province
        ("新疆加多少运费", [("province", "新疆维吾尔自治区")]),
        ("北京几天到", [("province", "北京市")]),  # municipalities are province only
        ("上海市浦东新区", [("province", "上海市")]),
        ("黑龙江可以发吗", [("province", "黑龙江省")]),
        ("内蒙古包邮吗", [("province", "内蒙古自治区")]),
        ("吉林", [("province", "吉林省")]),
        ("吉林市", [("city", "吉林市")]),
        ("香港能寄吗", [("province", "香港特别行政区")]),
    ],
)
def test_places(text: str, expected: list[tuple[str, Any]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("黑色XL还有吗", [("color", "黑色"), ("size", "XL")]),
        ("要黑的，l码", [("color", "黑"), ("size", "L")]),
        ("米白色m码", [("color", "米白色"), ("size", "M")]),
        ("38码的鞋", [("size", "38码")]),
        ("是均码吗", [("size", "均码")]),
        ("2XL码有吗", [("size", "2XL")]),
        ("卡其色和粉红色", [("color", "卡其色"), ("color", "粉红色")]),
    ],
)
def test_sizes_and_colours(text: str, expected: list[tuple[str, Any]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "有红包吗",
        "蓝牙能连吗",
        "小红书上看到的",
        "白天发货吗",
        "明白了",
        "灰常好",
        "金额不对",
        "白等了三天",
    ],
)
def test_colour_characters_inside_other_words_are_not_colours(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "color"] == []


def test_english_words_are_not_sizes() -> None:
    assert found("ok 发ems") == []


def test_offsets_are_character_offsets_end_exclusive() -> None:
    text = "在吗😊我130斤穿L码"
    assert spans(text) == [("weight_kg", "130斤"), ("size", "L码")]
    weight = extract_entities(text)[0]
    assert (weight.start, weight.end) == (4, 8)


def test_empty_text() -> None:
    assert extract_entities("") == []


def test_numbers_named_otherwise_next_to_a_courier_are_not_waybills() -> None:
    assert found("顺丰快递员电话13812345678") == [("phone", "13812345678")]
    assert found("京东上买的 订单号123456789012345678") == [("order_id", "123456789012345678")]


def test_two_colour_characters_with_se_are_one_colour() -> None:
    assert found("灰蓝色的") == [("color", "灰蓝色")]
    assert found("黑白两色") == [("color", "黑"), ("color", "白")]


def test_district_names_are_not_cities() -> None:
    assert found("北京朝阳区") == [("province", "北京市")]
    assert found("杭州市区") == [("city", "杭州市")]


def test_phone_with_country_code() -> None:
    assert found("+86 138 1234 5678") == [("phone", "13812345678")]


def test_full_width_and_traditional_text_keeps_offsets() -> None:
    text = "親 電話１３８１２３４５６７８ 紅色Ｌ碼"
    assert [(e.type, e.value, text[e.start : e.end]) for e in extract_entities(text)] == [
        ("phone", "13812345678", "１３８１２３４５６７８"),
        ("color", "紅色", "紅色"),
        ("size", "L", "Ｌ碼"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10块一件", [("amount", 10)]),  # a measure word after the digit: not 10.1
        ("付了1,299元", [("amount", 1299)]),
        ("身高一米八体重一百六", [("height_cm", 180), ("weight_kg", 80)]),
        ("一米七八 一百二 穿L", [("height_cm", 178), ("weight_kg", 60), ("size", "L")]),
    ],
)
def test_amount_and_weight_edge_cases(text: str, expected: list[tuple[str, Any]]) -> None:
    assert found(text) == expected


def test_height_slash_weight_and_garment_size_labels() -> None:
    assert found("170/65") == [("height_cm", 170), ("weight_kg", 65)]
    assert found("165/88A") == []  # a garment size label, not a body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这款咖啡机能打奶泡吗", []),  # 咖啡 in an appliance name is not a colour
        ("要咖啡色的", [("color", "咖啡色")]),
        ("牛肉干开封后怎么保存", []),  # 开封 "opened", not the city
        ("没开封能退吗", []),
        ("发到开封要几天", [("city", "开封市")]),
    ],
)
def test_food_and_appliance_words_are_not_colours_or_cities(
    text: str, expected: list[tuple[str, Any]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", ["四件套有1.2米的吗", "1米8的床单有吗", "1.5米床用多大被套"])
def test_a_bed_width_is_not_a_body_height(text: str) -> None:
    assert [kind for kind, _ in found(text)] == []


def test_a_metre_height_still_counts_with_a_body_word_beside_bedding() -> None:
    assert found("孩子1.2米 被子选多大") == [("height_cm", 120)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我一百六十八 一百二十斤 穿啥码", [("height_cm", 168), ("weight_kg", 60)]),
        ("身高一百七 体重一百三十斤", [("height_cm", 170), ("weight_kg", 65)]),
        ("一百六十八块穿什么码", [("amount", 168)]),  # money, not a height
        ("一百二十个赞 穿啥码", []),  # below any adult height and counted
    ],
)
def test_heights_in_chinese_numerals(text: str, expected: list[tuple[str, Any]]) -> None:
    assert found(text) == expected


def test_lower_case_sizes_in_a_swap_request() -> None:
    assert found("帮我把m改成s 还没发吧") == [("size", "M"), ("size", "S")]
    assert found("改成明天发") == []


def test_heimao_the_complaint_site_is_not_a_colour() -> None:
    assert found("这么处理我去黑猫投诉了") == []
