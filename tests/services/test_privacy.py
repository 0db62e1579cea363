import pytest

from kefu.core.privacy import mask_address, mask_name, mask_phone, mask_phones_in_text


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0571-88886666", "****6666"),
        ("12345", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("王小明", "王**"), ("欧", "欧*"), ("", ""), (None, "")]
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_address_keeps_the_district_only() -> None:
    address = {
        "name": "张三",
        "phone": "13812345678",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路123号",
    }
    assert mask_address(address) == "西湖区****"


def test_mask_address_falls_back_to_the_most_precise_area() -> None:
    assert mask_address({"province": "浙江", "city": "杭州市", "district": ""}) == "杭州市****"
    assert mask_address({"province": "浙江"}) == "浙江****"
    assert mask_address({}) == "****"


def test_mask_phones_in_text_leaves_order_numbers_alone() -> None:
    text = "电话13812345678，订单3712345678901234567"
    assert mask_phones_in_text(text) == "电话138****5678，订单3712345678901234567"
