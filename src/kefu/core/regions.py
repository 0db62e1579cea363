"""China's provincial-level divisions, with full/short name normalisation.

Both full names (浙江省, 新疆维吾尔自治区, 香港特别行政区) and short names (浙江, 新疆,
香港) must be understood everywhere (formats.md).
"""

from __future__ import annotations

# full name -> short name
PROVINCES: dict[str, str] = {
    "北京市": "北京",
    "天津市": "天津",
    "上海市": "上海",
    "重庆市": "重庆",
    "河北省": "河北",
    "山西省": "山西",
    "辽宁省": "辽宁",
    "吉林省": "吉林",
    "黑龙江省": "黑龙江",
    "江苏省": "江苏",
    "浙江省": "浙江",
    "安徽省": "安徽",
    "福建省": "福建",
    "江西省": "江西",
    "山东省": "山东",
    "河南省": "河南",
    "湖北省": "湖北",
    "湖南省": "湖南",
    "广东省": "广东",
    "海南省": "海南",
    "四川省": "四川",
    "贵州省": "贵州",
    "云南省": "云南",
    "陕西省": "陕西",
    "甘肃省": "甘肃",
    "青海省": "青海",
    "台湾省": "台湾",
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}

MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
HMT = frozenset({"香港特别行政区", "澳门特别行政区", "台湾省"})

_ALIASES: dict[str, str] = {}
for _full, _short in PROVINCES.items():
    _ALIASES[_full] = _full
    _ALIASES[_short] = _full
# Other spellings seen in real address data.
_ALIASES.update(
    {
        "广西自治区": "广西壮族自治区",
        "宁夏自治区": "宁夏回族自治区",
        "新疆自治区": "新疆维吾尔自治区",
        "内蒙古省": "内蒙古自治区",
        "内蒙": "内蒙古自治区",
        "香港特区": "香港特别行政区",
        "澳门特区": "澳门特别行政区",
        "台湾地区": "台湾省",
        "台灣": "台湾省",
        "香港特别行政区（HK）": "香港特别行政区",
    }
)


def normalize_province(name: str | None) -> str | None:
    """Full name of a provincial-level division, or None when it is not one."""
    if not name:
        return None
    key = "".join(name.split())
    return _ALIASES.get(key)


def province_key(name: str | None) -> str:
    """A comparison key: the full name when known, else the stripped input."""
    if not name:
        return ""
    return normalize_province(name) or "".join(name.split())


def is_hmt(name: str | None) -> bool:
    return normalize_province(name) in HMT


def province_in(name: str | None, names: list[str] | tuple[str, ...] | set[str]) -> bool:
    """Whether `name` is one of `names`, matching full and short names both ways."""
    key = province_key(name)
    return any(province_key(n) == key for n in names) if key else False
