"""The demo catalogue: 45 products in the five categories the shop sells, with SKUs.

SKU codes are `<product>-<size>-<colour>` for apparel and textiles ("TS-001-M-BLK") and
`<product>-<spec>` for goods sold by specification ("FD-003-500G").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kefu.core.timeutil import round_money

# fmt: off
COLORS: dict[str, str] = {
    "黑色": "BLK", "白色": "WHT", "灰色": "GRY", "藏青色": "NVY", "米白色": "IVY",
    "卡其色": "KHK", "粉色": "PNK", "雾霾蓝": "BLU", "酒红色": "RED", "墨绿色": "GRN",
    "杏色": "APR", "咖啡色": "BRN", "香芋紫": "PRP", "奶黄色": "YLW", "浅灰色": "LGY",
}
# fmt: on

# Upper-body garment chart: size -> (height range cm, weight range kg, chest cm, length cm)
# fmt: off
_TOP_CHART = (
    ("S", 150, 160, 40, 50, 96, 66),
    ("M", 160, 168, 50, 58, 100, 68),
    ("L", 168, 175, 58, 66, 104, 70),
    ("XL", 175, 180, 66, 75, 108, 72),
    ("2XL", 180, 185, 75, 85, 112, 74),
    ("3XL", 185, 190, 85, 95, 116, 76),
)
_PANTS_CHART = (
    ("S", 150, 160, 40, 50, 66, 96),
    ("M", 160, 168, 50, 58, 70, 98),
    ("L", 168, 175, 58, 66, 74, 100),
    ("XL", 175, 180, 66, 75, 78, 102),
    ("2XL", 180, 185, 75, 85, 82, 104),
)
_SHOE_SIZES = tuple(range(35, 45))
# fmt: on


def _top_chart(sizes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "size": s,
            "height_min": h0,
            "height_max": h1,
            "weight_min_kg": w0,
            "weight_max_kg": w1,
            "chest_cm": c,
            "length_cm": ln,
        }
        for s, h0, h1, w0, w1, c, ln in _TOP_CHART
        if s in sizes
    ]


def _pants_chart(sizes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "size": s,
            "height_min": h0,
            "height_max": h1,
            "weight_min_kg": w0,
            "weight_max_kg": w1,
            "waist_cm": waist,
            "length_cm": ln,
        }
        for s, h0, h1, w0, w1, waist, ln in _PANTS_CHART
        if s in sizes
    ]


def _shoe_chart(sizes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"size": s, "foot_length_mm": 225 + 5 * (int(s) - 35)} for s in sizes]


@dataclass(frozen=True)
class _Spec:
    code: str
    title: str
    category: str
    price: str
    attributes: dict[str, str]
    description: str
    weight_kg: float
    dims_cm: tuple[float, float, float]
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()  # garment sizes, or specifications ("500g") when no colours
    chart: str = ""  # "top" | "pants" | "shoe" | ""
    spec_prices: tuple[str, ...] = ()  # price per specification, parallel to sizes


# fmt: off
_TOPS = ("S", "M", "L", "XL", "2XL")
_SPECS: tuple[_Spec, ...] = (
    # ---- apparel ----
    _Spec("TS-001", "纯棉圆领短袖T恤男女同款", "apparel", "59.00",
          {"材质": "100%棉", "厚薄": "常规", "版型": "宽松", "产地": "浙江杭州"},
          "精梳棉面料，柔软透气不起球，男女同款宽松版型，日常百搭。", 0.25, (30, 25, 3),
          ("黑色", "白色", "灰色", "藏青色"), _TOPS, "top"),
    _Spec("TS-002", "重磅纯棉长袖T恤秋季打底衫", "apparel", "79.00",
          {"材质": "100%棉", "克重": "260g", "版型": "常规", "产地": "广东广州"},
          "260克重磅棉，挺括不透，单穿内搭都合适。", 0.35, (30, 25, 4),
          ("白色", "黑色", "米白色", "墨绿色"), _TOPS, "top"),
    _Spec("HD-003", "加绒连帽卫衣女宽松秋冬款", "apparel", "139.00",
          {"材质": "棉65% 聚酯纤维35%", "厚薄": "加绒", "版型": "宽松", "产地": "江苏常熟"},
          "内里加绒保暖，落肩宽松版型，帽绳可调节。", 0.7, (35, 28, 6),
          ("雾霾蓝", "杏色", "灰色", "香芋紫"), ("S", "M", "L", "XL"), "top"),
    _Spec("JK-004", "轻薄羽绒服男短款立领外套", "apparel", "399.00",
          {"材质": "面料锦纶100%", "填充物": "90%白鸭绒", "充绒量": "120g", "产地": "江苏常熟"},
          "90白鸭绒轻薄保暖，可收纳成小包，通勤出行都方便。", 0.6, (40, 30, 8),
          ("黑色", "藏青色", "卡其色"), ("M", "L", "XL", "2XL", "3XL"), "top"),
    _Spec("PT-005", "高腰直筒牛仔裤女显瘦", "apparel", "129.00",
          {"材质": "棉98% 氨纶2%", "弹力": "微弹", "裤长": "长裤", "产地": "广东新塘"},
          "高腰直筒显腿长，微弹面料久坐不勒。", 0.6, (35, 28, 5),
          ("雾霾蓝", "黑色"), ("S", "M", "L", "XL"), "pants"),
    _Spec("PT-006", "冰丝阔腿休闲裤男夏季薄款", "apparel", "89.00",
          {"材质": "聚酯纤维90% 氨纶10%", "厚薄": "薄款", "产地": "浙江湖州"},
          "冰丝面料清凉垂感好，松紧腰头穿脱方便。", 0.4, (32, 25, 4),
          ("黑色", "灰色", "卡其色"), _TOPS, "pants"),
    _Spec("KN-007", "羊毛混纺圆领毛衣女慵懒风", "apparel", "169.00",
          {"材质": "羊毛30% 腈纶70%", "厚薄": "常规", "产地": "浙江桐乡"},
          "羊毛混纺软糯亲肤，慵懒落肩设计。", 0.5, (35, 28, 6),
          ("米白色", "咖啡色", "酒红色"), ("S", "M", "L", "XL"), "top"),
    _Spec("SH-008", "经典低帮帆布鞋男女情侣款", "apparel", "99.00",
          {"鞋面材质": "帆布", "鞋底材质": "橡胶", "产地": "福建晋江"},
          "硫化橡胶底防滑耐磨，帆布鞋面透气，标准码。", 0.9, (33, 22, 12),
          ("白色", "黑色"), tuple(str(s) for s in _SHOE_SIZES), "shoe"),
    _Spec("SK-009", "纯棉中筒袜子男女5双装", "apparel", "29.90",
          {"材质": "棉80% 锦纶17% 氨纶3%", "规格": "5双装", "产地": "浙江诸暨"},
          "精梳棉中筒袜，吸汗防臭，均码适合35-43码。", 0.2, (20, 15, 5),
          ("黑色", "白色", "灰色"), ("均码",), ""),
    # ---- food ----
    _Spec("FD-010", "新疆阿克苏冰糖心苹果", "food", "49.90",
          {"产地": "新疆阿克苏", "保质期": "15天", "储存": "冷藏", "规格": "5斤/10斤"},
          "产地直发冰糖心苹果，脆甜多汁，果径80mm以上。", 5.5, (40, 30, 20),
          sizes=("5斤", "10斤"), spec_prices=("49.90", "89.90")),
    _Spec("FD-011", "云南古树普洱熟茶饼357g", "food", "168.00",
          {"产地": "云南普洱", "保质期": "长期", "净含量": "357g", "年份": "2019"},
          "古树原料，汤色红浓，口感醇厚回甘。", 0.5, (22, 22, 4),
          sizes=("357g",), spec_prices=("168.00",)),
    _Spec("FD-012", "每日坚果混合果仁30包", "food", "89.00",
          {"产地": "安徽合肥", "保质期": "180天", "规格": "25g×30包", "储存": "阴凉干燥处"},
          "6种坚果果干科学配比，独立小包装，办公室零食。", 0.9, (30, 20, 12),
          sizes=("30包", "15包"), spec_prices=("89.00", "49.00")),
    _Spec("FD-013", "五常稻花香大米5kg", "food", "79.90",
          {"产地": "黑龙江五常", "保质期": "12个月", "净含量": "5kg", "等级": "一级"},
          "当季新米，米粒饱满，蒸饭清香软糯。", 5.2, (40, 28, 10),
          sizes=("5kg", "10kg"), spec_prices=("79.90", "149.00")),
    _Spec("FD-014", "内蒙古风干牛肉干500g", "food", "128.00",
          {"产地": "内蒙古锡林郭勒", "保质期": "9个月", "净含量": "500g", "口味": "原味/香辣"},
          "草原黄牛肉手撕风干，高蛋白解馋零食。", 0.6, (25, 18, 6),
          sizes=("原味500G", "香辣500G"), spec_prices=("128.00", "128.00")),
    _Spec("FD-015", "西湖龙井明前特级绿茶250g", "food", "298.00",
          {"产地": "浙江杭州", "保质期": "18个月", "净含量": "250g", "等级": "特级"},
          "明前采摘，扁平光滑，豆花香清幽。", 0.4, (20, 12, 12),
          sizes=("250g",), spec_prices=("298.00",)),
    _Spec("FD-016", "低温烘焙燕麦片1kg", "food", "39.90",
          {"产地": "澳大利亚", "保质期": "12个月", "净含量": "1kg", "储存": "阴凉干燥处"},
          "无添加蔗糖，可冲泡可即食，早餐代餐。", 1.1, (25, 15, 10),
          sizes=("1kg",), spec_prices=("39.90",)),
    _Spec("FD-017", "柳州螺蛳粉300g*5袋", "food", "59.90",
          {"产地": "广西柳州", "保质期": "6个月", "规格": "300g×5袋", "辣度": "中辣"},
          "正宗柳州风味，料包齐全，酸笋够味。", 1.7, (30, 22, 12),
          sizes=("5袋", "10袋"), spec_prices=("59.90", "109.00")),
    _Spec("FD-018", "宁夏中宁枸杞500g", "food", "69.00",
          {"产地": "宁夏中宁", "保质期": "18个月", "净含量": "500g", "等级": "特优级"},
          "颗粒饱满，免洗可直接嚼食泡水。", 0.6, (22, 15, 6),
          sizes=("500g", "250g"), spec_prices=("69.00", "39.00")),
    # ---- daily chemical ----
    _Spec("DC-019", "氨基酸洗面奶温和控油120g", "daily_chemical", "69.00",
          {"净含量": "120g", "适合肤质": "所有肤质", "保质期": "3年", "产地": "上海"},
          "氨基酸表活，洗后不紧绷，敏感肌可用。", 0.2, (18, 6, 4),
          sizes=("120g",), spec_prices=("69.00",)),
    _Spec("DC-020", "无硅油去屑洗发水500ml", "daily_chemical", "59.00",
          {"净含量": "500ml", "功效": "去屑止痒", "保质期": "3年", "产地": "广东广州"},
          "无硅油配方，温和去屑，清爽蓬松。", 0.6, (22, 8, 8),
          sizes=("500ml", "750ml"), spec_prices=("59.00", "79.00")),
    _Spec("DC-021", "持久留香洗衣液2kg*2瓶", "daily_chemical", "49.90",
          {"净含量": "2kg×2", "香型": "薰衣草", "保质期": "3年", "产地": "江苏苏州"},
          "深层洁净，持久留香，机洗手洗都可以。", 4.3, (30, 20, 28),
          sizes=("2瓶装", "4瓶装"), spec_prices=("49.90", "89.90")),
    _Spec("DC-022", "烟酰胺身体乳保湿滋润250ml", "daily_chemical", "79.00",
          {"净含量": "250ml", "功效": "保湿提亮", "保质期": "3年", "产地": "上海"},
          "烟酰胺配方，清爽好吸收不粘腻。", 0.35, (18, 7, 7),
          sizes=("250ml",), spec_prices=("79.00",)),
    _Spec("DC-023", "含氟防蛀牙膏120g*3支", "daily_chemical", "39.90",
          {"净含量": "120g×3", "功效": "防蛀清新", "保质期": "3年", "产地": "广东广州"},
          "含氟防蛀，薄荷清新口气。", 0.45, (20, 10, 6),
          sizes=("3支装",), spec_prices=("39.90",)),
    _Spec("DC-024", "电动牙刷替换刷头4支装", "daily_chemical", "49.00",
          {"规格": "4支装", "刷毛": "杜邦软毛", "产地": "广东深圳"},
          "适配本店声波电动牙刷，建议3个月更换一次。", 0.1, (15, 8, 2),
          sizes=("4支装",), spec_prices=("49.00",)),
    _Spec("DC-025", "厨房重油污清洁剂500ml", "daily_chemical", "29.90",
          {"净含量": "500ml", "适用": "油烟机/灶台", "保质期": "3年", "产地": "浙江宁波"},
          "喷一喷擦一擦，重油污轻松去除。", 0.6, (25, 10, 6),
          sizes=("单瓶", "2瓶装"), spec_prices=("29.90", "49.90")),
    _Spec("DC-026", "樱花香氛沐浴露1L", "daily_chemical", "59.90",
          {"净含量": "1L", "香型": "樱花", "保质期": "3年", "产地": "上海"},
          "氨基酸温和清洁，淡淡樱花香。", 1.15, (24, 10, 8),
          sizes=("1L",), spec_prices=("59.90",)),
    _Spec("DC-027", "防晒霜SPF50+清爽50ml", "daily_chemical", "99.00",
          {"净含量": "50ml", "防晒指数": "SPF50+ PA++++", "保质期": "3年", "产地": "上海"},
          "清爽不油腻，户外通勤都适用。", 0.1, (14, 5, 4),
          sizes=("50ml",), spec_prices=("99.00",)),
    # ---- home textile ----
    _Spec("HT-028", "60支长绒棉四件套纯棉床上用品", "home_textile", "399.00",
          {"材质": "100%长绒棉", "支数": "60支", "工艺": "贡缎", "产地": "江苏南通"},
          "60支长绒棉贡缎，丝滑亲肤，含被套床单枕套。", 2.6, (45, 35, 12),
          ("米白色", "浅灰色", "雾霾蓝", "粉色"), ("1.5m床", "1.8m床", "2.0m床"), ""),
    _Spec("HT-029", "大豆纤维夏凉被空调被", "home_textile", "159.00",
          {"面料": "水洗棉", "填充物": "大豆纤维", "产地": "江苏南通"},
          "轻薄透气，可机洗，空调房盖刚刚好。", 1.8, (50, 40, 12),
          ("米白色", "雾霾蓝"), ("150x200cm", "200x230cm"), ""),
    _Spec("HT-030", "冬季加厚羊羔绒毛毯", "home_textile", "129.00",
          {"材质": "聚酯纤维", "克重": "800g/㎡", "产地": "浙江绍兴"},
          "双层加厚羊羔绒，柔软保暖不掉毛。", 2.2, (45, 35, 15),
          ("杏色", "浅灰色"), ("150x200cm", "180x220cm"), ""),
    _Spec("HT-031", "记忆棉护颈枕头", "home_textile", "139.00",
          {"填充物": "慢回弹记忆棉", "枕套": "可拆洗", "产地": "广东佛山"},
          "人体工学曲线，慢回弹贴合颈椎。", 1.3, (60, 35, 12),
          ("白色",), ("标准款", "加高款"), ""),
    _Spec("HT-032", "纯棉加厚浴巾毛巾套装", "home_textile", "69.00",
          {"材质": "100%棉", "克重": "500g", "产地": "河北高阳"},
          "加厚吸水，不易掉毛，1浴巾2毛巾。", 0.8, (30, 25, 10),
          ("米白色", "浅灰色", "粉色"), ("三件套",), ""),
    _Spec("HT-033", "遮光窗帘成品卧室", "home_textile", "89.00",
          {"材质": "涤纶", "遮光率": "85%-90%", "安装": "挂钩式", "产地": "浙江海宁"},
          "高精密遮光，配挂钩，可按尺寸选择。", 1.5, (40, 30, 8),
          ("浅灰色", "墨绿色", "米白色"), ("宽2m高2.7m", "宽3m高2.7m"), ""),
    _Spec("HT-034", "A类婴儿纱布盖毯", "home_textile", "99.00",
          {"材质": "100%棉纱布", "安全类别": "A类", "产地": "江苏南通"},
          "六层纱布，透气柔软，婴儿可用。", 0.7, (35, 25, 8),
          ("奶黄色", "雾霾蓝"), ("110x110cm",), ""),
    _Spec("HT-035", "慢回弹乳胶床垫5cm", "home_textile", "599.00",
          {"材质": "天然乳胶", "厚度": "5cm", "产地": "广东佛山"},
          "天然乳胶回弹支撑，压缩卷包发货。", 9.5, (100, 40, 40),
          ("白色",), ("1.5m床", "1.8m床"), ""),
    _Spec("HT-036", "全棉防滑沙发垫", "home_textile", "79.00",
          {"材质": "棉", "防滑": "颗粒防滑底", "产地": "浙江桐乡"},
          "四季通用，防滑不跑位，可机洗。", 0.9, (35, 30, 8),
          ("卡其色", "浅灰色"), ("70x70cm", "70x150cm"), ""),
    # ---- small appliance ----
    _Spec("SA-037", "家用空气炸锅5L大容量", "small_appliance", "299.00",
          {"功率": "1400W", "容量": "5L", "电压": "220V", "保修": "1年", "产地": "广东佛山"},
          "无油空气炸，可视窗口，不粘内胆好清洗。", 5.0, (35, 35, 38),
          sizes=("白色5L", "黑色5L"), spec_prices=("299.00", "299.00")),
    _Spec("SA-038", "便携式榨汁杯无线充电", "small_appliance", "129.00",
          {"功率": "70W", "容量": "400ml", "电池": "2000mAh", "保修": "1年", "产地": "广东中山"},
          "Type-C充电，随时随地鲜榨果汁。", 0.8, (12, 12, 26),
          sizes=("粉色", "白色"), spec_prices=("129.00", "129.00")),
    _Spec("SA-039", "负离子吹风机大功率速干", "small_appliance", "199.00",
          {"功率": "1800W", "电压": "220V", "档位": "3档温度2档风速", "保修": "1年",
           "产地": "广东深圳"},
          "千万级负离子，速干不伤发。", 0.9, (28, 12, 24),
          sizes=("标准款",), spec_prices=("199.00",)),
    _Spec("SA-040", "电热水壶304不锈钢1.7L", "small_appliance", "89.00",
          {"功率": "1800W", "容量": "1.7L", "材质": "304不锈钢", "保修": "1年",
           "产地": "广东中山"},
          "一体无缝内胆，烧干自动断电。", 1.3, (24, 18, 26),
          sizes=("1.7L",), spec_prices=("89.00",)),
    _Spec("SA-041", "声波电动牙刷成人款", "small_appliance", "239.00",
          {"功率": "2W", "续航": "60天", "防水": "IPX7", "保修": "2年", "产地": "广东深圳"},
          "五档清洁模式，2分钟智能计时。", 0.4, (24, 8, 6),
          sizes=("白色", "黑色"), spec_prices=("239.00", "239.00")),
    _Spec("SA-042", "家用多功能电煮锅", "small_appliance", "159.00",
          {"功率": "600W", "容量": "1.5L", "电压": "220V", "保修": "1年", "产地": "广东佛山"},
          "煮面火锅蒸蛋一锅多用，宿舍小功率款。", 1.6, (25, 25, 20),
          sizes=("单锅", "带蒸笼"), spec_prices=("159.00", "179.00")),
    _Spec("SA-043", "桌面小风扇USB静音", "small_appliance", "59.00",
          {"功率": "5W", "档位": "3档", "保修": "1年", "产地": "浙江慈溪"},
          "静音大风力，可摇头，USB供电。", 0.6, (20, 15, 25),
          sizes=("白色", "绿色"), spec_prices=("59.00", "59.00")),
    _Spec("SA-044", "智能恒温暖手宝充电款", "small_appliance", "79.00",
          {"功率": "10W", "电池": "10000mAh", "保修": "1年", "产地": "浙江宁波"},
          "恒温暖手，可当充电宝，冬季通勤必备。", 0.35, (15, 10, 5),
          sizes=("奶白色", "雾霾蓝"), spec_prices=("79.00", "79.00")),
    _Spec("SA-045", "挂烫机家用手持蒸汽熨斗", "small_appliance", "149.00",
          {"功率": "1500W", "水箱": "250ml", "电压": "220V", "保修": "1年", "产地": "广东中山"},
          "30秒快速出汽，折叠收纳，出差便携。", 1.2, (30, 15, 15),
          sizes=("标准款",), spec_prices=("149.00",)),
)
# fmt: on

# Specification words -> short SKU parts (ASCII, so SKU codes stay typeable).
# fmt: off
_SPEC_CODES: dict[str, str] = {
    "均码": "F", "5斤": "5J", "10斤": "10J", "30包": "30P", "15包": "15P", "原味500G": "YW",
    "香辣500G": "XL", "5袋": "5B", "10袋": "10B", "2瓶装": "2P", "4瓶装": "4P", "3支装": "3P",
    "4支装": "4P", "单瓶": "1P", "1.5m床": "150", "1.8m床": "180", "2.0m床": "200",
    "150x200cm": "150", "200x230cm": "200", "180x220cm": "180", "标准款": "STD",
    "加高款": "HI", "三件套": "SET", "宽2m高2.7m": "W2", "宽3m高2.7m": "W3", "110x110cm": "110",
    "70x70cm": "70", "70x150cm": "150", "白色5L": "WHT", "黑色5L": "BLK", "粉色": "PNK",
    "白色": "WHT", "黑色": "BLK", "绿色": "GRN", "奶白色": "IVY", "雾霾蓝": "BLU",
    "单锅": "1", "带蒸笼": "2",
}
# fmt: on


def _spec_code(word: str) -> str:
    if word in _SPEC_CODES:
        return _SPEC_CODES[word]
    return word.upper().replace(".", "")  # 500g -> 500G, 1.7L -> 17L, XL -> XL, 38 -> 38


def _stock(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.06:
        return 0
    if roll < 0.14:
        return rng.randint(1, 3)
    return rng.randint(15, 400)


def make_products(rng: random.Random) -> list[dict[str, Any]]:
    products = []
    for spec in _SPECS:
        base = Decimal(spec.price)
        skus: list[dict[str, Any]] = []
        if spec.colors:
            for size in spec.sizes:
                for color in spec.colors:
                    # Plus sizes cost a little more, as is common in shops.
                    extra = Decimal("10") if size in ("2XL", "3XL", "2.0m床", "200x230cm") else 0
                    skus.append(
                        {
                            "sku": f"{spec.code}-{_spec_code(size)}-{COLORS[color]}",
                            "color": color,
                            "size": size,
                            "stock": _stock(rng),
                            "price": round_money(base + extra),
                        }
                    )
        else:
            for size, price in zip(spec.sizes, spec.spec_prices, strict=True):
                color = size if size in COLORS or size in ("粉色", "奶白色", "绿色") else ""
                skus.append(
                    {
                        "sku": f"{spec.code}-{_spec_code(size)}",
                        "color": color,
                        "size": "" if color else size,
                        "stock": _stock(rng),
                        "price": round_money(Decimal(price)),
                    }
                )
        chart: list[dict[str, Any]] | None = None
        if spec.chart == "top":
            chart = _top_chart(spec.sizes)
        elif spec.chart == "pants":
            chart = _pants_chart(spec.sizes)
        elif spec.chart == "shoe":
            chart = _shoe_chart(spec.sizes)
        products.append(
            {
                "product_id": spec.code,
                "title": spec.title,
                "category": spec.category,
                "price": min(s["price"] for s in skus),
                "attributes": dict(spec.attributes),
                "size_chart": chart,
                "description": spec.description,
                "weight_kg": spec.weight_kg,
                "dims_cm": [float(d) for d in spec.dims_cm],
                "skus": skus,
            }
        )
    return products


def sku_title(product: dict[str, Any], sku: dict[str, Any]) -> str:
    """The order-line title: product title plus colour and size, as platforms print it."""
    parts = [product["title"]]
    if sku["color"]:
        parts.append(sku["color"])
    if sku["size"]:
        parts.append(sku["size"])
    return " ".join(parts)


# How buyers name the products in chat (nobody types the whole listing title).
# fmt: off
SHORT_NAMES: dict[str, str] = {
    "TS-001": "T恤", "TS-002": "长袖T恤", "HD-003": "卫衣", "JK-004": "羽绒服",
    "PT-005": "牛仔裤", "PT-006": "阔腿裤", "KN-007": "毛衣", "SH-008": "帆布鞋",
    "SK-009": "袜子", "FD-010": "苹果", "FD-011": "普洱", "FD-012": "每日坚果",
    "FD-013": "大米", "FD-014": "牛肉干", "FD-015": "龙井", "FD-016": "燕麦片",
    "FD-017": "螺蛳粉", "FD-018": "枸杞", "DC-019": "洗面奶", "DC-020": "洗发水",
    "DC-021": "洗衣液", "DC-022": "身体乳", "DC-023": "牙膏", "DC-024": "刷头",
    "DC-025": "清洁剂", "DC-026": "沐浴露", "DC-027": "防晒霜", "HT-028": "四件套",
    "HT-029": "夏凉被", "HT-030": "毛毯", "HT-031": "枕头", "HT-032": "浴巾",
    "HT-033": "窗帘", "HT-034": "盖毯", "HT-035": "床垫", "HT-036": "沙发垫",
    "SA-037": "空气炸锅", "SA-038": "榨汁杯", "SA-039": "吹风机", "SA-040": "电热水壶",
    "SA-041": "电动牙刷", "SA-042": "电煮锅", "SA-043": "小风扇", "SA-044": "暖手宝",
    "SA-045": "挂烫机",
}
# fmt: on
