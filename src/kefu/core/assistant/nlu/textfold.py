"""Character folding that keeps every offset: full-width ASCII to half-width (１３８ → 138,
Ｌ码 → L码, ￥ stays) and the traditional characters buyers from 港澳台 type most often to
simplified ones (親 → 亲, 貨 → 货). One character in, one character out, so entity offsets
found on the folded text are offsets into the original message.
"""

from __future__ import annotations

_TRADITIONAL = (
    "親亲 嗎吗 貨货 發发 運运 費费 號号 碼码 顏颜 東东 這这 個个 們们 價价 錢钱 還还 說说 會会 麼么 沒没 "
    "換换 買买 賣卖 時时 間间 郵邮 遞递 單单 訂订 質质 問问 題题 謝谢 請请 幫帮 開开 優优 壞坏 紅红 藍蓝 "
    "綠绿 黃黄 門门 廣广 灣湾 臺台 區区 對对 長长 為为 從从 給给 讓让 點点 裡里 裏里 應应 該该 實实 際际 "
    "準准 確确 種种 樣样 與与 機机 電电 話话 線线 網网 聯联 係系 歡欢 歲岁 極极 圓圆 韻韵 達达 順顺 豐丰 "
    "襪袜 褲裤 衛卫 寬宽 緊紧 鬆松 擇择 幾几 塊块 億亿 萬万 兩两 貳贰 參叁 陸陆 師师 務务 處处 "
    "麗丽 聽听 讀读 寫写 車车 轉转 詢询 諮咨 啟启 經经 驗验 報报 紙纸 張张 專专 稅税 額额 據据 "
    "鐘钟 錯错 誤误 丟丢 損损 舊旧 髒脏 氣气 勁劲 態态 騙骗 訴诉 評评 "
    "補补 減减 劵券 贈赠 滿满 滅灭 紀纪 員员 購购 結结 帳账 賬账 戶户 銀银 "
    "鎖锁 裝装 潔洁 維维 護护 書书"
)
_TABLE: dict[int, int] = {}
for _pair in _TRADITIONAL.split():
    if len(_pair) == 2 and _pair[0] != _pair[1]:
        _TABLE[ord(_pair[0])] = ord(_pair[1])
# Full-width ASCII block U+FF01..U+FF5E -> U+0021..U+007E, and the ideographic space.
for _code in range(0xFF01, 0xFF5F):
    _TABLE[_code] = _code - 0xFEE0
_TABLE[0x3000] = 0x20
_TABLE[ord("￥")] = ord("¥")


def fold(text: str) -> str:
    """`text` with full-width ASCII and common traditional characters folded, same length."""
    return text.translate(_TABLE)
