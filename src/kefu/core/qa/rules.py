"""Message-level quality rules: each reads one agent/bot message and returns its evidence.

Every rule is `rule(view) -> str | None`: the text that triggered it, or None. `view` holds
the message text and the spans of the one automaton pass (`matcher.py`); the rules add
context checks so that near misses stay quiet:

- a trigger inside a safe phrase is ignored ("没有色差", "随你挑");
- a negative word inside a question back to the buyer ("没有收到吗？") or a condition
  ("如果没有收到…") is not a refusal;
- a reason, alternative or next step anywhere in the message explains a negative word,
  except weak markers glued to it ("不能帮您改" is still bare).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from kefu.core.qa import matcher as t
from kefu.core.qa import words as w
from kefu.core.qa.matcher import Hits, Span

CLAUSE_BREAKS = frozenset("，,。！!？?；;\n\r\t ~～…、：:")
SENTENCE_BREAKS = frozenset("。！!？?；;\n\r…")
_TRAILING_PARTICLES = "呀啊哈哦噢喔呢亲~～ 了的吧啦嘛"
_A_NOT_A = (
    "是不是",
    "有没有",
    "能不能",
    "可不可以",
    "要不要",
    "会不会",
    "对不对",
    "好不好",
    "行不行",
    "是否",
    "是吗",
    "对吗",
    "可以吗",
)


class MessageView:
    """One message and its automaton spans; what every rule function reads."""

    __slots__ = ("hits", "text")

    def __init__(self, text: str, hits: Hits) -> None:
        self.text = text
        self.hits = hits

    def spans(self, tag: str) -> list[Span]:
        return self.hits.get(tag) or []

    def live(self, tag: str, safe_tag: str) -> list[Span]:
        """Spans of `tag` that no span of `safe_tag` contains."""
        spans = self.hits.get(tag)
        if not spans:
            return []
        safe = self.hits.get(safe_tag)
        if not safe:
            return spans
        return [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in safe)]

    def any_in(self, tag: str, start: int, end: int) -> bool:
        return any(start <= s and e <= end for s, e in self.hits.get(tag) or ())


# --- text geometry ------------------------------------------------------------------------
def bounds(text: str, start: int, end: int, breaks: frozenset[str]) -> Span:
    """The clause (or sentence) around [start, end): up to the nearest break on each side."""
    a = start
    while a > 0 and text[a - 1] not in breaks:
        a -= 1
    b = end
    n = len(text)
    while b < n and text[b] not in breaks:
        b += 1
    return a, b


def is_question(view: MessageView, a: int, b: int) -> bool:
    """A clause that asks the buyer something ("没有收到吗？" / "是不是还没有发货")."""
    text = view.text
    rest = b
    while rest < len(text) and text[rest] in " ~～":
        rest += 1
    if rest < len(text) and text[rest] in "?？":
        return True
    clause = text[a:b]
    if any(q in clause for q in _A_NOT_A):
        return True
    core = clause.rstrip(_TRAILING_PARTICLES)
    if core.endswith(("吗", "么", "嘛")) or clause.rstrip(" ~～").endswith(("吗", "么")):
        return True
    ends_ne = clause.rstrip(" ~～亲").endswith("呢")
    return ends_ne and view.any_in(t.QUESTION_WORD, a, b)


def is_conditional(view: MessageView, a: int, s: int, e: int, b: int) -> bool:
    """A negative inside a condition ("如果没有收到" / "不行的话")."""
    if any(a <= cs and ce <= s for cs, ce in view.spans(t.CONDITION)):
        return True
    return "的话" in view.text[e:b]


def _glued(span: Span, others: Sequence[Span], text: str) -> bool:
    """`span` within two characters of one of `others`, with no clause break between."""
    s, e = span
    for os_, oe in others:
        if 0 <= s - oe <= 2:
            gap = text[oe:s]
        elif 0 <= os_ - e <= 2:
            gap = text[e:os_]
        elif os_ <= s < oe or s <= os_ < e:
            return True
        else:
            continue
        if not any(ch in CLAUSE_BREAKS for ch in gap):
            return True
    return False


def has_explanation(view: MessageView, negatives: Sequence[Span]) -> bool:
    """A reason, alternative or next step somewhere in the message."""
    if view.live(t.EXPLAIN_STRONG, t.EXPLAIN_SAFE):
        return True
    return any(
        not _glued(span, negatives, view.text) for span in view.live(t.EXPLAIN_WEAK, t.EXPLAIN_SAFE)
    )


# --- QA_NEGATIVE_NO_EXPLAIN --------------------------------------------------------------
def negative_no_explain(view: MessageView) -> str | None:
    negatives = view.live(t.NEG, t.NEG_SAFE)
    if not negatives:
        return None
    text = view.text
    bare: list[Span] = []
    for s, e in negatives:
        a, b = bounds(text, s, e, CLAUSE_BREAKS)
        if not (is_question(view, a, b) or is_conditional(view, a, s, e, b)):
            bare.append((a, b))
    if not bare or has_explanation(view, negatives):
        return None
    a, b = bare[0]
    return text[a:b].strip()


# --- QA_ONE_WORD -----------------------------------------------------------------------------
# Exactly one CJK character; everything else punctuation, symbols, emoji or space (\W: not a
# letter or digit of any script).
_CJK = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002fa1f"
_ONE_CJK = re.compile(rf"[\W_]*[{_CJK}][\W_]*")


def one_word(text: str) -> str | None:
    if len(text) > 24 or _ONE_CJK.fullmatch(text) is None:
        return None
    return text.strip()


# --- QA_RUDE -------------------------------------------------------------------------------
def rude(view: MessageView) -> str | None:
    spans = view.live(t.RUDE, t.RUDE_SAFE)
    if not spans:
        return None
    s, e = spans[0]
    return view.text[s:e]


# --- QA_DIRECT_REFUSAL ---------------------------------------------------------------------
_END_PARTICLES = frozenset("的了啦哦噢呢啊呀亲哈吧嘛～~ ")


def direct_refusal(view: MessageView) -> str | None:
    text = view.text
    hard = view.live(t.REFUSAL_HARD, t.REFUSAL_SAFE)
    if hard:
        s, e = hard[0]
        return text[s:e]
    soft = view.live(t.REFUSAL_SOFT, t.REFUSAL_SAFE)
    if not soft:
        return None
    flat: list[Span] = []
    for s, e in soft:
        a, b = bounds(text, s, e, CLAUSE_BREAKS)
        word = text[s:e]
        if word in w.REFUSAL_CLAUSE_END_ONLY and not all(ch in _END_PARTICLES for ch in text[e:b]):
            continue
        if is_question(view, a, b) or is_conditional(view, a, s, e, b):
            continue
        flat.append((a, b))
    if not flat:
        return None
    glue = soft + view.live(t.NEG, t.NEG_SAFE)
    if has_explanation(view, glue):
        return None
    a, b = flat[0]
    return text[a:b].strip()


# --- QA_DISPARAGE_COMPETITOR ---------------------------------------------------------------
_NOT_SHOP_AFTER_JIA = frozenset("具居电纺用里人庭乡属务长常伙族园境底门政教规法")
_JUDGE_NEGATORS = ("不", "没", "非", "无", "未")


def _names_a_shop(text: str, a: int, s: int) -> bool:
    """Some "X家" before position `s` in the sentence names another shop ("某某家")."""
    index = text.find("家", a, s)
    while index != -1:
        before1 = text[index - 1 : index] if index > a else ""
        before2 = text[index - 2 : index] if index - 1 > a else ""
        after = text[index + 1 : index + 2]
        if (
            before1
            and (before1.isalnum())
            and before1 not in w.NOT_SHOP_BEFORE_JIA
            and before2 not in w.NOT_SHOP_BEFORE_JIA
            and after not in _NOT_SHOP_AFTER_JIA
        ):
            return True
        index = text.find("家", index + 1, s)
    return False


def disparage_competitor(view: MessageView) -> str | None:
    text = view.text
    strong = view.live(t.COMP_JUDGE_STRONG, t.COMP_SAFE)
    weak = view.live(t.COMP_JUDGE_WEAK, t.COMP_SAFE)
    if not strong and not weak:
        return None
    refs = view.spans(t.COMP_REF)
    if not refs and not strong:
        return None
    for is_strong, (s, e) in [(True, span) for span in strong] + [(False, span) for span in weak]:
        a, b = bounds(text, s, e, SENTENCE_BREAKS)
        if view.any_in(t.COMP_NEUTRAL, a, b):
            continue
        if any(neg in text[max(a, s - 4) : s] for neg in _JUDGE_NEGATORS):
            continue
        named = any(a <= rs and re_ <= b for rs, re_ in refs)
        if named or (is_strong and _names_a_shop(text, a, s)):
            return text[a:b].strip()
    return None


# --- phone numbers, ids, addresses ---------------------------------------------------------
MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d){8}(?![0-9])")
OTHER_PHONE = re.compile(
    r"(?<![0-9A-Za-z])(?:0\d{2,3}[- ]?\d{7,8}|[48]00[- ]?\d{3}[- ]?\d{4})(?![0-9])"
)
ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[0-9Xx](?![0-9A-Za-z])"
)
_COURIER_NEAR = re.compile(
    r"(?:单号|订单|运单|快递号|物流号|编号|交易号|顺丰|圆通|中通|申通|韵达|邮政|京东|百世|极兔|"
    r"德邦|EMS|SF|YTO|ZTO|STO|JD)[^0-9]{0,6}$"
)
IM_ID = re.compile(
    r"(?:微信|薇信|威信|徽信|[Vv]信|[Vv][Xx]|[Ww][Xx]|[Ww]eixin|[Ww]e[Cc]hat|[Qq]{2}|扣扣|企鹅)"
    r"(?:号码?|账号|帐号|号是|[Ii][Dd])?\s*[:：是为]?\s*(?:[A-Za-z][-_A-Za-z0-9]{5,19}|\d{5,12})"
    r"(?![-_A-Za-z0-9])"
)
_CJK_NUM = "0-9一二三四五六七八九十百零〇两"
ADDRESS = re.compile(
    rf"[\u4e00-\u9fff]{{1,12}}(?:路|街|道|巷|弄|胡同|里|村|组)\s*[{_CJK_NUM}]+\s*(?:号|弄|栋|幢)"
    rf"|[\u4e00-\u9fff]{{1,12}}(?:小区|花园|公寓|大厦|广场|苑|家园|新村|新城|府|庭|中心|大楼)"
    rf"\s*[{_CJK_NUM}A-Za-z]+\s*(?:栋|幢|号楼|号|座|单元|室|楼)"
)
_NAME_AFTER_LABEL = re.compile(
    r"(?:收货人|收件人|姓名|名字|联系人|寄件人|签收人|户名|真实姓名)\s*[:：是为]?\s*"
    r"([\u4e00-\u9fff][\u4e00-\u9fff*＊xX×某]{0,3})"
)
_MASK = frozenset("*＊xX×某")
_TITLES = ("先生", "女士", "小姐", "老师", "师傅", "同学", "姐", "哥")
_SURNAME_SET = frozenset(w.SURNAMES)
_STANDALONE_CJK = re.compile(r"(?<![\u4e00-\u9fff*＊])[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff*＊])")
_DIGIT = re.compile(r"\d")


def _is_full_name(token: str) -> bool:
    if any(ch in _MASK for ch in token) or token.endswith(_TITLES) or token in w.NOT_NAMES:
        return False
    if token[:2] in w.COMPOUND_SURNAMES:
        return 3 <= len(token) <= 4
    return token[0] in _SURNAME_SET and 2 <= len(token) <= 3 and token[:2] not in w.NOT_NAMES


def _full_name_near(text: str) -> str | None:
    for match in _NAME_AFTER_LABEL.finditer(text):
        token = match.group(1)
        tail = text[match.end(1) : match.end(1) + 1]
        if tail not in _MASK and _is_full_name(token):
            return token
    for match in _STANDALONE_CJK.finditer(text):
        if _is_full_name(match.group()):
            return match.group()
    return None


# A phone cue between an order/courier word and the number wins: "订单上留的电话是138…".
_PHONE_CUE = re.compile(r"电话|手机|联系方式|号码|致电|[Tt]el")


def _is_waybill_context(text: str, start: int) -> bool:
    near = _COURIER_NEAR.search(text, 0, start)
    return near is not None and not _PHONE_CUE.search(text, near.start(), start)


def phones(text: str) -> list[re.Match[str]]:
    """Full mainland mobile numbers (not waybills or order numbers)."""
    return [m for m in MOBILE.finditer(text) if not _is_waybill_context(text, m.start())]


def privacy_leak(view: MessageView, mobiles: list[re.Match[str]]) -> str | None:
    text = view.text
    if mobiles:
        return mobiles[0].group()
    extra = view.spans(t.PRIVACY_EXTRA)
    if extra:
        s, e = extra[0]
        return text[s:e]
    if _DIGIT.search(text) is None:
        return None
    for match in ID_CARD.finditer(text):
        near_order = _COURIER_NEAR.search(text, 0, match.start())
        if not near_order or view.spans(t.ID_CUE) or match.group()[-1] in "Xx":
            return match.group()
    address = ADDRESS.search(text)
    if address is not None:
        name = _full_name_near(text)
        if name is not None:
            return f"{name} {address.group()}"
    return None


# --- QA_OFF_PLATFORM -------------------------------------------------------------------------
_NEGATED_AFTER = (
    "不行",
    "不可以",
    "不允许",
    "违规",
    "禁止",
    "不能",
    "不支持",
    "是不",
    "不加",
    "不被允许",
    "有风险",
    "不安全",
)


def _negated(view: MessageView, s: int, e: int) -> bool:
    text = view.text
    a, b = bounds(text, s, e, CLAUSE_BREAKS)
    before = text[max(a, s - 6) : s]
    if any(word in before for word in w.OFF_PLATFORM_NEGATORS):
        return True
    after = text[e:b]
    return any(word in after for word in _NEGATED_AFTER)


def off_platform(view: MessageView, mobiles: list[re.Match[str]]) -> str | None:
    text = view.text
    # Longest phrase first, so the evidence is "加我微信" rather than "加我微".
    for s, e in sorted(view.live(t.OFF, t.OFF_SAFE), key=lambda span: span[0] - span[1]):
        if not _negated(view, s, e):
            return text[s:e]
    if view.spans(t.IM_WORD):
        for match in IM_ID.finditer(text):
            if not _negated(view, match.start(), match.end()):
                return match.group()
    cues = view.spans(t.PHONE_CUE)
    if cues and not view.spans(t.PHONE_THIRD):
        numbers = mobiles or (list(OTHER_PHONE.finditer(text)) if _DIGIT.search(text) else [])
        if numbers:
            s, e = cues[0]
            return f"{text[s:e]} {numbers[0].group()}"
    return None


# --- QA_FORBIDDEN_PROMISE --------------------------------------------------------------------
_GUAR = "(?:" + "|".join(re.escape(x) for x in w.GUARANTEE_WORDS) + ")"
_GAP = r"[^，,。！!？?；;\n]"
PROMISE_DELIVERY = re.compile(
    _GUAR + r"(?!要)" + _GAP + r"{0,10}?(?P<hit>到货|送到|送达|寄到|运到|收到|拿到|到达|到手|"
    r"(?:能|会|就|可以|可|准|得|来得及)到(?![底时期位账])|"
    r"(?:天|日|号|前|内|周[一二三四五六日天]|今天|明天|后天|月底|晚上|上午|下午)到(?![底时期位账]))"
    r"|" + _GUAR + r"到(?![底时期位账店])"
)
PROMISE_RESULT = re.compile(
    _GUAR + r"(?!要)" + _GAP + r"{0,8}?(?P<hit>不(?:会)?(?:掉色|褪色|退色|起球|缩水|变形|坏|过敏|"
    r"开线|脱线|漏|破|生锈|发霉|变质|开裂|掉毛|掉漆|卡顿|死机|失效|出问题|有问题)|没有任何问题|"
    r"合适|合身|满意|有效|见效|管用|能瘦|瘦下来|美白|能白|变白|祛痘|祛斑|根治|治好|治愈|耐用|穿得下|能穿|"
    r"效果)"
)
PROMISE_REFUND = re.compile(
    r"(?:马上|立刻|立即|立马|现在就|这就|今天就|直接|肯定|一定|保证|绝对|百分百)(?:会)?"
    r"(?:给|帮|为|替)?(?:您|你|亲)?(?:全额)?"
    r"(?:退款|退钱|退给|把钱退|办理退款|退(?=[了的吧哈哦呢，。！!,～~ ]|$))"
)
_APPROVAL_FIRST = (
    "后",
    "退回来",
    "寄回来",
    "寄回",
    "退回",
    "收到",
    "收到退货",
    "收到货后",
    "收到后",
    "审核",
    "通过后",
    "验货",
    "签收后",
    "入库后",
    "寄回后",
    "退回后",
    "到仓",
    "确认后",
    "之后",
    "以后",
    "退货后",
    "同意后",
)
_NOUN_AFTER = re.compile(r"的(?:都|是|全|商品|货|东西|包裹|宝贝|产品|衣服|快递|物品|鞋)")
_RESULT_NOT_AFTER = ("有", "找", "选", "挑", "荐", "到")
_RESULT_SERVICE = ("的答复", "的处理", "的解决", "的服务", "答复", "的结果", "的方案", "的回复")


def _promise_ok(text: str, start: int, end: int) -> bool:
    """Hedged, negated or asked rather than promised."""
    if any(neg in text[max(0, start - 2) : start] for neg in w.PROMISE_NEGATORS):
        return True
    a, b = bounds(text, start, end, CLAUSE_BREAKS)
    view_tail = text[b : b + 1]
    clause = text[a:b].rstrip(_TRAILING_PARTICLES)
    return view_tail in ("?", "？") or clause.endswith(("吗", "么"))


def forbidden_promise(view: MessageView) -> str | None:
    text = view.text
    extra = view.spans(t.PROMISE_EXTRA)
    if extra:
        s, e = extra[0]
        return text[s:e]
    if not view.spans(t.GUARANTEE):
        return None
    for match in PROMISE_DELIVERY.finditer(text):
        # "保证您收到的都是正品" promises the goods, not the arrival.
        if _NOUN_AFTER.match(text, match.end()):
            continue
        if not _promise_ok(text, match.start(), match.end()):
            return match.group()
    for match in PROMISE_RESULT.finditer(text):
        hit = match.start("hit")
        if text[hit - 1 : hit] in _RESULT_NOT_AFTER:
            continue
        if text.startswith(_RESULT_SERVICE, match.end()):
            continue
        if not _promise_ok(text, match.start(), match.end()):
            return match.group()
    for match in PROMISE_REFUND.finditer(text):
        a, _ = bounds(text, match.start(), match.end(), SENTENCE_BREAKS)
        if any(cond in text[a : match.start()] for cond in _APPROVAL_FIRST):
            continue
        if not _promise_ok(text, match.start(), match.end()):
            return match.group()
    return None


# --- QA_BUY_REVIEW ----------------------------------------------------------------------------
REWARD = re.compile(
    r"返现|返[0-9一二三四五六七八九十两几]|返钱|返红包|返您|返你|返还|红包|现金|"
    r"[0-9一二三四五六七八九十两几]+(?:\.\d+)?\s*(?:元|块|毛|rmb|RMB)|[¥￥]\s*\d|"
    r"优惠券|代金券|券|礼品|赠品|小礼物|礼物|奖励|补偿|好处|钱|转账|有礼|"
    r"(?<![配运递派发赠])送(?![达到货出回修检])|赠送|抽奖|免单|小样|福利"
)
REVIEW_CHANGE = re.compile(r"改|删|撤|去掉|追加|追评|换成好评|修改|取消|不要给|别给|不给|不打|不写")
# A sentence that forbids or ends the reward is no offer ("好评返现活动已经结束了").
_REVIEW_FORBIDDEN = (
    "禁止",
    "严禁",
    "违规",
    "不允许",
    "不支持",
    "不参与",
    "不做",
    "不搞",
    "结束",
    "已取消",
    "停止",
    "不再",
    "没有这个活动",
    "没有这种活动",
)


def buy_review(view: MessageView) -> str | None:
    text = view.text
    extra = view.spans(t.REVIEW_EXTRA)
    if extra:
        s, e = extra[0]
        return text[s:e]
    positive = view.live(t.REVIEW_POS, t.REVIEW_SAFE)
    negative = view.spans(t.REVIEW_NEG)
    for is_negative, (s, e) in [(False, x) for x in positive] + [(True, x) for x in negative]:
        a, b = bounds(text, s, e, SENTENCE_BREAKS)
        sentence = text[a:b]
        if any(word in sentence for word in _REVIEW_FORBIDDEN):
            continue
        if not is_negative and any(neg in text[max(a, s - 3) : s] for neg in ("不", "没")):
            continue
        if is_negative and REVIEW_CHANGE.search(sentence) is None:
            continue
        if REWARD.search(sentence) is not None:
            return sentence.strip()
    return None


MessageRule = Callable[[MessageView], str | None]
