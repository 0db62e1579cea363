"""Demo people: the service team and the buyers, with realistic Chinese names and addresses."""

from __future__ import annotations

import random
from typing import Any

from kefu.demo.geo import (
    COMMUNITIES,
    HK_STREETS,
    MO_STREETS,
    PLACES,
    PROVINCE_WEIGHTS,
    ROADS,
    TW_STREETS,
    WORKPLACES,
)

# fmt: off
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "萧", "田", "董", "潘", "袁", "蔡", "蒋", "余", "杜", "叶", "程", "魏", "苏",
    "吕", "丁", "任", "沈", "姚", "卢", "傅", "钟", "崔", "欧阳", "司马",
)
GIVEN_CHARS = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "慧", "建", "晨", "宇", "欣", "怡",
    "婷", "雪", "琳", "浩", "博", "佳", "梓", "涵", "子", "轩", "雨", "萱", "思", "诗", "嘉",
    "文", "俊", "鹏", "倩", "颖", "悦", "昊", "然", "睿", "彤", "晓", "梦", "露", "瑶", "凯",
)
NICK_PARTS_A = (
    "小鹿", "阿狸", "糖糖", "橙子", "柚子", "小鱼儿", "奶茶", "芒果", "豆豆", "兔子", "喵喵",
    "大白", "土豆", "小米", "阳光", "微风", "星星", "木木", "可乐", "布丁",
)
NICK_PARTS_B = (
    "爱吃鱼", "的日常", "不吃香菜", "想睡觉", "要减肥", "2018", "酱", "同学", "妈妈", "小姐姐",
    "在路上", "_88", "1993", "很开心", "啊啊", "的小窝", "lucky", "001",
)
PINYIN = (
    "xiaolu", "lucy", "momo", "tangtang", "chengzi", "amy", "jack", "dawei", "xiaomi",
    "yuyu", "lili", "kiki", "sunny", "panda", "coco", "tiantian", "mengmeng", "haha",
    "wangfang", "zhangwei", "liujing", "chenchen", "leo", "nana", "dudu", "bobo",
)
TAGS = ("老客户", "回头客", "大额买家", "爱议价", "差评风险", "学生", "宝妈", "企业采购",
        "送礼", "偏远地区", "港澳台", "退货较多", "好评达人")
BUYER_NOTES = (
    "", "", "", "", "喜欢顺丰", "白天上班，下午6点后方便收货", "上次买的T恤很满意",
    "要求开公司抬头发票", "对价格比较敏感", "曾反馈物流慢", "老客户，尺码穿L",
)
# fmt: on

FRONT_LINE = ("presale", "insale", "aftersale", "review")


def person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return surname + given


def mobile(rng: random.Random) -> str:
    """A well-formed (fake) mainland mobile number: 1[3-9] + 9 digits."""
    prefix = rng.choice(("13", "15", "17", "18", "19", "13", "15", "18"))
    third = str(rng.randint(0, 9)) if prefix != "17" else rng.choice("3678")
    return prefix + third + "".join(str(rng.randint(0, 9)) for _ in range(8))


def street_detail(rng: random.Random, province: str) -> str:
    if province == "香港特别行政区":
        return f"{rng.choice(HK_STREETS)}{rng.randint(1, 300)}号{rng.randint(2, 30)}楼{rng.choice('ABCDEF')}室"
    if province == "澳门特别行政区":
        return f"{rng.choice(MO_STREETS)}{rng.randint(1, 200)}号{rng.randint(1, 20)}楼"
    if province == "台湾省":
        return f"{rng.choice(TW_STREETS)}{rng.randint(1, 300)}号{rng.randint(2, 15)}楼"
    road = rng.choice(ROADS)
    if rng.random() < 0.25:
        return (
            f"{road}{rng.randint(1, 999)}号{rng.choice(('星光', '华润', '国贸', '创新'))}"
            f"{rng.choice(WORKPLACES)}{rng.randint(2, 28)}楼"
        )
    return (
        f"{road}{rng.randint(1, 999)}号{rng.choice(COMMUNITIES)}{rng.randint(1, 30)}幢"
        f"{rng.randint(1, 4)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
    )


def make_address(
    rng: random.Random, name: str, phone: str, province: str | None = None
) -> dict[str, str]:
    if province is None:
        provinces = list(PROVINCE_WEIGHTS)
        province = rng.choices(provinces, weights=[PROVINCE_WEIGHTS[p] for p in provinces])[0]
    city = rng.choice(sorted(PLACES[province]))
    district = rng.choice(PLACES[province][city])
    return {
        "name": name,
        "phone": phone,
        "province": province,
        "city": city,
        "district": district,
        "detail": street_detail(rng, province),
    }


def make_buyers(rng: random.Random, count: int) -> list[dict[str, Any]]:
    buyers: list[dict[str, Any]] = []
    seen: set[str] = set()
    # Some buyers are forced into remote areas and 港澳台 so that every region is covered.
    forced = [
        "新疆维吾尔自治区",
        "西藏自治区",
        "青海省",
        "内蒙古自治区",
        "海南省",
        "香港特别行政区",
        "香港特别行政区",
        "澳门特别行政区",
        "台湾省",
        "甘肃省",
        "宁夏回族自治区",
        "新疆维吾尔自治区",
        "香港特别行政区",
        "内蒙古自治区",
    ]
    for index in range(count):
        name = person_name(rng)
        while True:
            buyer_id = f"tb_{rng.choice(PINYIN)}{rng.randint(1, 9999)}"
            if buyer_id not in seen:
                seen.add(buyer_id)
                break
        phone = mobile(rng)
        province = forced[index] if index < len(forced) else None
        addresses = [make_address(rng, name, phone, province)]
        roll = rng.random()
        if roll < 0.3:  # a second address: office, parents, a friend
            other = person_name(rng) if rng.random() < 0.4 else name
            addresses.append(make_address(rng, other, mobile(rng) if other != name else phone))
        if roll < 0.06:
            addresses.append(make_address(rng, name, phone))
        nickname = rng.choice(NICK_PARTS_A) + rng.choice(NICK_PARTS_B)
        tags = sorted(set(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2)))))
        if addresses[0]["province"] in ("香港特别行政区", "澳门特别行政区", "台湾省"):
            tags = sorted(set(tags) | {"港澳台"})
        buyers.append(
            {
                "buyer_id": buyer_id,
                "platform": "taobao",
                "nickname": nickname,
                "name": name,
                "phone": phone,
                "addresses": addresses,
                "tags": tags,
                "notes": rng.choice(BUYER_NOTES),
                "vip_level": rng.choices((0, 1, 2, 3, 4, 5), weights=(30, 25, 20, 12, 8, 5))[0],
            }
        )
    return buyers


# (agent number, role, queues, status): kf08 is the seeds' 客服8号, on pre-sale.
# fmt: off
_TEAM: tuple[tuple[int, str, tuple[str, ...], str], ...] = (
    (1, "presale", ("presale",), "online"),
    (2, "presale", ("presale",), "online"),
    (8, "presale", ("presale", "insale"), "online"),
    (3, "insale", ("insale",), "online"),
    (4, "insale", ("insale", "presale"), "busy"),
    (5, "aftersale", ("aftersale",), "online"),
    (6, "aftersale", ("aftersale", "insale"), "away"),
    (7, "review", ("review", "aftersale"), "online"),
    (9, "review", ("review",), "offline"),
    (10, "supervisor", ("presale", "insale", "aftersale", "review"), "online"),
    (11, "manager", ("aftersale", "review"), "away"),
    (12, "admin", (), "offline"),
)
_AGENT_NAMES = ("林小雨", "陈思琪", "王佳怡", "张晓燕", "刘婷婷", "赵明轩", "黄雅琪",
                "周梦瑶", "吴欣然", "郑海波", "孙丽华", "钱志远")
# fmt: on


def make_agents() -> list[dict[str, Any]]:
    agents = []
    for (number, role, queues, status), name in zip(_TEAM, _AGENT_NAMES, strict=True):
        agent_id = f"kf{number:02d}"
        agents.append(
            {
                "agent_id": agent_id,
                "username": agent_id,
                "display_name": name,
                "agent_no": f"客服{number}号",
                "role": role,
                "queues": list(queues),
                "status": status,
            }
        )
    return agents
