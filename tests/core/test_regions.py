from kefu.core.regions import is_hmt, normalize_province, province_in, province_key


def test_full_and_short_names_normalise_to_the_full_name() -> None:
    assert normalize_province("浙江") == "浙江省"
    assert normalize_province("浙江省") == "浙江省"
    assert normalize_province("新疆") == "新疆维吾尔自治区"
    assert normalize_province("香港") == "香港特别行政区"
    assert normalize_province(" 上海 ") == "上海市"
    assert normalize_province("内蒙") == "内蒙古自治区"


def test_unknown_or_empty_province_is_none() -> None:
    assert normalize_province("火星省") is None
    assert normalize_province("") is None
    assert normalize_province(None) is None
    assert province_key("火星 省") == "火星省"


def test_province_in_matches_both_ways() -> None:
    assert province_in("新疆", ["新疆维吾尔自治区", "西藏自治区"])
    assert province_in("西藏自治区", ["西藏"])
    assert not province_in("浙江", ["江苏省"])
    assert not province_in("", ["江苏省"])


def test_hong_kong_macao_taiwan() -> None:
    assert is_hmt("香港") and is_hmt("澳门特别行政区") and is_hmt("台湾")
    assert not is_hmt("广东省")
