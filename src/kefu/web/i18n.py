"""The UI's message catalogue: zh-CN first, English second.

Templates call `t("key")`; the language is chosen per request from the user's preference,
then the `Accept-Language` header, and falls back to zh-CN (the people using kefu read
Chinese). A key missing from a catalogue falls back to zh-CN, then to the key itself, so a
forgotten translation shows up as a readable key instead of an error page.
"""

from __future__ import annotations

from collections.abc import Callable

DEFAULT_LANG = "zh-CN"
LANGS = ("zh-CN", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "app.name": "客服工作台",
        "app.tagline": "让每位买家都被好好接待",
        "login.title": "登录",
        "login.username": "账号",
        "login.password": "密码",
        "login.submit": "登录",
        "login.error.bad_credentials": "账号或密码错误，请重新输入",
        "login.error.disabled": "该账号已停用，请联系管理员",
        "login.error.missing": "请输入账号和密码",
        "login.demo.title": "演示账号（仅演示模式可见）",
        "login.demo.role": "角色",
        "login.demo.hint": "点击账号可自动填入",
        "logout": "退出登录",
        "nav.label": "导航",
        "nav.inbox": "实时接待",
        "nav.qa": "质检",
        "agent.number": "客服{number}号",
        "status.label": "接待状态",
        "status.online": "在线",
        "status.busy": "忙碌",
        "status.away": "离开",
        "status.offline": "离线",
        "role.presale": "售前",
        "role.insale": "售中",
        "role.aftersale": "售后",
        "role.review": "中差评",
        "role.supervisor": "主管",
        "role.manager": "店长",
        "role.admin": "管理员",
        "queue.presale": "售前",
        "queue.insale": "售中",
        "queue.aftersale": "售后",
        "queue.review": "中差评",
        "queue.all": "全部",
        "conv.list": "会话列表",
        "conv.empty": "当前没有会话",
        "conv.unread": "未读",
        "conv.waiting": "已等待",
        "conv.mine": "我的",
        "conv.unassigned": "待接入",
        "conv.closed": "已结束",
        "conv.recent_closed": "24小时内已结束",
        "conv.admin_note": "管理员账号负责账号与系统设置，不接待买家会话",
        "conv.pick": "从左侧选择一个会话查看聊天记录",
        "conv.history": "聊天记录",
        "conv.readonly": "只读：请在「实时接待」中回复买家",
        "conv.no_messages": "暂无消息",
        "sender.buyer": "买家",
        "sender.agent": "客服",
        "sender.bot": "机器人",
        "sender.system": "系统",
        "buyer.panel": "买家信息",
        "buyer.id": "买家账号",
        "buyer.name": "收货人",
        "buyer.phone": "手机号",
        "buyer.address": "收货地址",
        "buyer.masked": "已脱敏",
        "buyer.masked_hint": "按权限规则，手机号和地址已脱敏显示",
        "buyer.unmasked_hint": "完整信息的查看已记入审计日志",
        "buyer.orders": "相关订单",
        "buyer.no_orders": "暂无订单",
        "order.status.unpaid": "待付款",
        "order.status.paid": "已付款",
        "order.status.shipped": "已发货",
        "order.status.signed": "已签收",
        "order.status.completed": "已完成",
        "order.status.closed": "已关闭",
        "order.status.refunding": "退款中",
        "time.seconds": "{n}秒",
        "time.minutes": "{n}分钟",
        "time.hours": "{n}小时",
        "time.days": "{n}天",
        "error.forbidden": "没有权限执行此操作",
        "error.not_found": "找不到该内容",
        "lang.switch": "English",
        "health.ok": "正常",
        "qa.rule.QA_NEGATIVE_NO_EXPLAIN": "否定词未解释",
        "qa.rule.QA_ONE_WORD": "单字回复",
        "qa.rule.QA_RUDE": "辱骂/争吵",
        "qa.rule.QA_DIRECT_REFUSAL": "直接拒绝",
        "qa.rule.QA_DISPARAGE_COMPETITOR": "诋毁同行",
        "qa.rule.QA_OFF_PLATFORM": "站外联系",
        "qa.rule.QA_PRIVACY_LEAK": "泄露客户信息",
        "qa.rule.QA_FORBIDDEN_PROMISE": "违规承诺",
        "qa.rule.QA_BUY_REVIEW": "花钱买评价",
        "qa.rule.QA_SLOW_FIRST_RESPONSE": "首次响应超时",
        "qa.rule.QA_SLOW_RESPONSE": "回复不及时",
        "qa.rule.QA_NO_GREETING": "缺少欢迎语",
        "qa.rule.QA_NO_CLOSING": "缺少欢送语",
        "qa.rule.QA_QUICK_REPLY_OVERUSE": "滥用快捷回复",
        "qa.nav": "质检",
        "qa.title.team": "团队质检",
        "qa.title.agent": "{agent} 的质检",
        "qa.score_mean": "平均分",
        "qa.conversations": "质检会话",
        "qa.findings": "扣分项",
        "qa.by_rule": "按规则统计",
        "qa.trend": "每日平均分",
        "qa.agents": "客服质检",
        "qa.agent": "客服",
        "qa.none": "暂无质检数据",
        "qa.days": "近{n}天",
        "qa.pending_appeals": "待处理申诉",
        "qa.recent": "最近质检的会话",
        "qa.conversation": "会话质检",
        "qa.score": "得分",
        "qa.not_scanned": "尚未质检（会话结束后自动质检）",
        "qa.conversation_wide": "整体问题",
        "qa.deduction": "扣{n}分",
        "qa.appeal": "申诉",
        "qa.appeal.reason": "申诉理由",
        "qa.appeal.submit": "提交申诉",
        "qa.accept": "通过",
        "qa.reject": "驳回",
        "qa.note": "处理意见",
        "qa.status.active": "有效",
        "qa.status.appealed": "申诉中",
        "qa.status.upheld": "申诉已驳回",
        "qa.status.overturned": "申诉通过，不扣分",
        "qa.try": "试一试",
        "qa.try_hint": "输入一条回复，看看发送前质检会怎么提示",
        "qa.send": "发送",
        "qa.open": "查看",
        "qa.back": "返回质检",
        "qa.closed_at": "结束时间",
        "qa.guard.warn": "质检提示",
        "qa.guard.blocked": "已拦截：请修改后再发送，或请主管放行",
        "qa.guard.allow": "主管放行",
        "qa.guard.allowed": "主管已放行，可以发送",
        "qa.guard.supervisor": "主管账号",
        "qa.guard.password": "主管密码",
        "qa.guard.refused": "放行失败：需要主管账号和正确的密码",
        "qa.guard.suggestion": "建议",
        "qa.error.reason_required": "请填写申诉理由",
        "qa.error.not_appealable": "该条质检结果已申诉或已处理",
        "qa.error.already_decided": "该申诉已处理",
    },
    "en": {
        "app.name": "Service Desk",
        "app.tagline": "Every buyer well served",
        "login.title": "Sign in",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Sign in",
        "login.error.bad_credentials": "Wrong username or password, please try again",
        "login.error.disabled": "This account is disabled; please contact an administrator",
        "login.error.missing": "Please enter your username and password",
        "login.demo.title": "Demo accounts (shown in demo mode only)",
        "login.demo.role": "Role",
        "login.demo.hint": "Click an account to fill in the form",
        "logout": "Sign out",
        "nav.label": "Navigation",
        "nav.inbox": "Live inbox",
        "nav.qa": "Quality",
        "agent.number": "Agent #{number}",
        "status.label": "Status",
        "status.online": "Online",
        "status.busy": "Busy",
        "status.away": "Away",
        "status.offline": "Offline",
        "role.presale": "Pre-sale",
        "role.insale": "In-sale",
        "role.aftersale": "After-sale",
        "role.review": "Reviews",
        "role.supervisor": "Supervisor",
        "role.manager": "Manager",
        "role.admin": "Admin",
        "queue.presale": "Pre-sale",
        "queue.insale": "In-sale",
        "queue.aftersale": "After-sale",
        "queue.review": "Bad reviews",
        "queue.all": "All",
        "conv.list": "Conversations",
        "conv.empty": "No conversations",
        "conv.unread": "unread",
        "conv.waiting": "waiting",
        "conv.mine": "Mine",
        "conv.unassigned": "Waiting",
        "conv.closed": "Closed",
        "conv.recent_closed": "Closed in the last 24 h",
        "conv.admin_note": "Admin accounts manage accounts and settings; they do not serve buyers",
        "conv.pick": "Pick a conversation on the left to read its history",
        "conv.history": "History",
        "conv.readonly": "Read-only: reply to buyers from the live inbox",
        "conv.no_messages": "No messages yet",
        "sender.buyer": "Buyer",
        "sender.agent": "Agent",
        "sender.bot": "Bot",
        "sender.system": "System",
        "buyer.panel": "Buyer",
        "buyer.id": "Buyer ID",
        "buyer.name": "Receiver",
        "buyer.phone": "Phone",
        "buyer.address": "Address",
        "buyer.masked": "masked",
        "buyer.masked_hint": "Phone and address are masked by the access rules",
        "buyer.unmasked_hint": "Viewing the full details was written to the audit log",
        "buyer.orders": "Orders",
        "buyer.no_orders": "No orders",
        "order.status.unpaid": "Unpaid",
        "order.status.paid": "Paid",
        "order.status.shipped": "Shipped",
        "order.status.signed": "Delivered",
        "order.status.completed": "Completed",
        "order.status.closed": "Closed",
        "order.status.refunding": "Refunding",
        "time.seconds": "{n}s",
        "time.minutes": "{n} min",
        "time.hours": "{n} h",
        "time.days": "{n} d",
        "error.forbidden": "You are not allowed to do this",
        "error.not_found": "Not found",
        "lang.switch": "中文",
        "health.ok": "OK",
        "qa.rule.QA_NEGATIVE_NO_EXPLAIN": "Negative without explanation",
        "qa.rule.QA_ONE_WORD": "One-word reply",
        "qa.rule.QA_RUDE": "Rude or arguing",
        "qa.rule.QA_DIRECT_REFUSAL": "Flat refusal",
        "qa.rule.QA_DISPARAGE_COMPETITOR": "Disparaging competitors",
        "qa.rule.QA_OFF_PLATFORM": "Off-platform contact",
        "qa.rule.QA_PRIVACY_LEAK": "Customer data leak",
        "qa.rule.QA_FORBIDDEN_PROMISE": "Forbidden promise",
        "qa.rule.QA_BUY_REVIEW": "Buying reviews",
        "qa.rule.QA_SLOW_FIRST_RESPONSE": "Slow first response",
        "qa.rule.QA_SLOW_RESPONSE": "Slow response",
        "qa.rule.QA_NO_GREETING": "No greeting",
        "qa.rule.QA_NO_CLOSING": "No farewell",
        "qa.rule.QA_QUICK_REPLY_OVERUSE": "Quick-reply overuse",
        "qa.nav": "Quality",
        "qa.title.team": "Team quality",
        "qa.title.agent": "Quality of {agent}",
        "qa.score_mean": "Mean score",
        "qa.conversations": "Conversations",
        "qa.findings": "Findings",
        "qa.by_rule": "Findings by rule",
        "qa.trend": "Daily mean score",
        "qa.agents": "Agents",
        "qa.agent": "Agent",
        "qa.none": "Nothing inspected yet",
        "qa.days": "Last {n} days",
        "qa.pending_appeals": "Pending appeals",
        "qa.recent": "Recently inspected",
        "qa.conversation": "Conversation quality",
        "qa.score": "Score",
        "qa.not_scanned": "Not inspected yet (done when the chat closes)",
        "qa.conversation_wide": "Conversation-wide",
        "qa.deduction": "−{n} pts",
        "qa.appeal": "Appeal",
        "qa.appeal.reason": "Reason",
        "qa.appeal.submit": "Submit appeal",
        "qa.accept": "Accept",
        "qa.reject": "Reject",
        "qa.note": "Note",
        "qa.status.active": "Active",
        "qa.status.appealed": "Under appeal",
        "qa.status.upheld": "Appeal rejected",
        "qa.status.overturned": "Appeal accepted, no deduction",
        "qa.try": "Try it",
        "qa.try_hint": "Type a reply to see what the pre-send guard says",
        "qa.send": "Send",
        "qa.open": "Open",
        "qa.back": "Back to quality",
        "qa.closed_at": "Closed",
        "qa.guard.warn": "Quality hint",
        "qa.guard.blocked": "Blocked: edit the message, or ask a supervisor to allow it",
        "qa.guard.allow": "Supervisor allow",
        "qa.guard.allowed": "Allowed by a supervisor: you can send",
        "qa.guard.supervisor": "Supervisor",
        "qa.guard.password": "Password",
        "qa.guard.refused": "Not allowed: a supervisor's username and password are needed",
        "qa.guard.suggestion": "Suggestion",
        "qa.error.reason_required": "Please give a reason",
        "qa.error.not_appealable": "This finding was already appealed or decided",
        "qa.error.already_decided": "This appeal was already decided",
    },
}


def normalize_lang(value: str | None) -> str | None:
    """Map a language tag (`zh`, `zh-cn`, `zh-Hans-CN`, `en-US`…) to a catalogue, or None."""
    if not value:
        return None
    tag = value.strip().lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    return None


def pick_lang(preference: str | None, accept_language: str | None) -> str:
    """Choose the UI language: the user's saved preference, then Accept-Language, then zh-CN."""
    chosen = normalize_lang(preference)
    if chosen:
        return chosen
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            params = params.strip()
            if params.startswith("q="):
                try:
                    quality = float(params[2:])
                except ValueError:
                    quality = 0.0
            lang = normalize_lang(tag)
            if lang and quality > 0:
                # Higher quality first; on a tie the header's own order wins.
                ranked.append((-quality, index, lang))
        if ranked:
            return min(ranked)[2]
    return DEFAULT_LANG


def translate(lang: str, key: str, **params: object) -> str:
    """The message for `key` in `lang` (falling back to zh-CN, then the key), formatted."""
    text = MESSAGES.get(lang, {}).get(key) or MESSAGES[DEFAULT_LANG].get(key) or key
    return text.format(**params) if params else text


def translator(lang: str) -> Callable[..., str]:
    """A `t(key, **params)` bound to one language, for templates."""

    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    return t
