"""The message catalogue: zh-CN first, English complete, language choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kefu.core.i18n import MESSAGES, normalize_lang, pick_lang, translate
from kefu.db.models.accounts import AGENT_STATUSES
from kefu.db.models.inbox import SENDERS
from kefu.db.models.orders import ORDER_STATUSES
from kefu.services.accounts import ALL_ROLES, QUEUES

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "kefu" / "web" / "templates"


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    assert MESSAGES["zh-CN"].keys() == MESSAGES["en"].keys()
    for key, zh in MESSAGES["zh-CN"].items():
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", MESSAGES["en"][key]))


def test_every_literal_key_in_the_templates_exists() -> None:
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"""t\(["']([\w.]+)["']\s*[,)]""", template.read_text()))
    assert used, "no t('...') call found: the pattern is stale"
    assert used - MESSAGES["zh-CN"].keys() == set()


def test_keys_built_from_codes_exist() -> None:
    """Templates build keys such as "role." ~ user.role: every code needs its label."""
    codes = {
        "role": ALL_ROLES,
        "queue": QUEUES,
        "status": AGENT_STATUSES,
        "sender": SENDERS,
        "order.status": ORDER_STATUSES,
    }
    for prefix, values in codes.items():
        for value in values:
            assert f"{prefix}.{value}" in MESSAGES["zh-CN"], f"{prefix}.{value}"


@pytest.mark.parametrize(
    ("preference", "header", "expected"),
    [
        (None, None, "zh-CN"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        (None, "fr-FR,en;q=0.5,zh;q=0.7", "zh-CN"),  # quality decides, not order
        (None, "fr-FR,de", "zh-CN"),
        (None, "en;q=0, zh-TW", "zh-CN"),  # q=0 means "not this one"
        (None, "en;q=abc", "zh-CN"),
        ("en", "zh-CN", "en"),  # the user's own choice wins
        ("klingon", "en", "en"),
    ],
)
def test_pick_lang(preference, header, expected) -> None:
    assert pick_lang(preference, header) == expected


def test_normalize_and_translate() -> None:
    assert normalize_lang("zh-Hans-CN") == "zh-CN"
    assert normalize_lang("EN-gb") == "en"
    assert normalize_lang("") is None
    assert translate("zh-CN", "agent.number", number=8) == "客服8号"
    assert translate("en", "agent.number", number=8) == "Agent #8"
    assert translate("xx", "login.submit") == "登录"  # unknown language: zh-CN
    assert translate("en", "no.such.key") == "no.such.key"
