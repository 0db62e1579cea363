import pytest

from kefu.core.assistant.nlu.numerals import parse_chinese, parse_number, tidy


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("九十九", 99),
        ("一百三十", 130),
        ("一百三", 130),  # colloquial: the trailing digit takes the next lower unit
        ("一百零五", 105),
        ("两百", 200),
        ("一千二", 1200),
        ("十五", 15),
        ("十", 10),
        ("二十", 20),
        ("一七五", 175),
        ("一万二", 12000),
        ("三万", 30000),
    ],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert parse_chinese(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("99", 99.0), ("1.5", 1.5), ("1,299", 1299.0), ("2万", 20000.0), ("1.5w", 15000.0)],
)
def test_arabic_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "百百", "九九十"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_tidy_gives_int_when_whole() -> None:
    assert tidy(65.0) == 65 and isinstance(tidy(65.0), int)
    assert tidy(52.5) == 52.5
