"""`/api/v1/qa`: the pre-send guard, QA results, summaries and appeals 申诉.

Roles are enforced here and in `kefu.services.qa_ops`: an agent sees and appeals the
findings of their own conversations; supervisors and managers see the whole shop and
decide appeals; admin reads no conversations.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from kefu.api.schemas import Input
from kefu.core.errors import Conflict
from kefu.core.i18n import translate
from kefu.core.permissions import Permission
from kefu.core.qa import check_message
from kefu.core.shopconfig import ShopConfig
from kefu.db.models.accounts import User
from kefu.http.deps import AppSettings, CurrentUser, Db, Lang, Now, RowId, require, shop_tz
from kefu.http.identity import client_ip
from kefu.services import qa_ops, shops

router = APIRouter(prefix="/api/v1/qa", tags=["qa"])

MAX_DRAFT = 5000  # characters; a chat message is far shorter


# --- schemas ------------------------------------------------------------------------------------


class CheckIn(Input):
    text: str = Field(max_length=MAX_DRAFT)


class GuardFindingOut(BaseModel):
    rule: str
    label: str  # the rule's name for people (zh-CN by default)
    evidence: str
    suggestion: str
    blocking: bool


class CheckOut(BaseModel):
    findings: list[GuardFindingOut]
    blocking: bool  # sending is disabled until a supervisor allows it
    can_allow: bool  # the caller is a supervisor and may allow it without a second person
    elapsed_ms: float
    ui: dict[str, str]  # the guard's own words in the caller's language


GUARD_UI_KEYS = ("warn", "blocked", "allow", "allowed", "supervisor", "password", "suggestion")


class AllowIn(Input):
    text: str = Field(max_length=MAX_DRAFT)
    supervisor_username: str | None = Field(default=None, max_length=64)
    supervisor_password: str | None = Field(default=None, max_length=200)


class AllowOut(BaseModel):
    allowed: bool
    token: str  # bound to this agent and this exact text, valid 15 minutes
    rules: list[str]


class AppealIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class DecisionIn(Input):
    decision: Literal["accept", "reject"]
    note: str = Field(default="", max_length=2000)


class AppealOut(BaseModel):
    id: int
    finding_id: int
    status: str
    reason: str
    decision_note: str
    score: int  # the conversation's score after the action


# --- helpers ------------------------------------------------------------------------------------


def guard_findings(text: str, shop: ShopConfig, lang: str) -> list[GuardFindingOut]:
    return [
        GuardFindingOut(
            rule=f.rule,
            label=translate(lang, f"qa.rule.{f.rule}"),
            evidence=f.evidence,
            suggestion=f.suggestion,
            blocking=f.blocking,
        )
        for f in check_message(text, shop)
    ]


def _shop(db: Session, user: User) -> ShopConfig:
    return shops.config(db, user.shop_id)


def _localize(value: Any, tz: Any) -> Any:
    """Times in the shop's offset (formats.md), recursively through the view's dicts."""
    if isinstance(value, datetime):
        return value.astimezone(tz)
    if isinstance(value, dict):
        return {k: _localize(v, tz) for k, v in value.items()}
    if isinstance(value, list):
        return [_localize(v, tz) for v in value]
    if isinstance(value, tuple):
        return [_localize(v, tz) for v in value]
    return value


# --- the pre-send guard -------------------------------------------------------------------------


@router.post("/check", response_model=CheckOut, name="qa_check")
def qa_check(body: CheckIn, user: CurrentUser, db: Db, lang: Lang) -> CheckOut:
    """Message-level rules on a draft: rule, label, evidence, suggested rewording, blocking."""
    shop = _shop(db, user)
    started = time.perf_counter()
    findings = guard_findings(body.text, shop, lang)
    elapsed = (time.perf_counter() - started) * 1000
    return CheckOut(
        findings=findings,
        blocking=any(f.blocking for f in findings),
        can_allow=qa_ops.is_supervisor(user),
        elapsed_ms=round(elapsed, 3),
        ui={key: translate(lang, f"qa.guard.{key}") for key in GUARD_UI_KEYS},
    )


@router.post("/allow", response_model=AllowOut, name="qa_allow")
def qa_allow(
    body: AllowIn,
    request: Request,
    user: CurrentUser,
    db: Db,
    now: Now,
    lang: Lang,
    settings: AppSettings,
) -> AllowOut:
    """A supervisor lets a blocked draft through (the caller, or one confirming with their
    password at the agent's desk); audited as `qa.allow_send`."""
    rules = [f.rule for f in check_message(body.text, _shop(db, user)) if f.blocking]
    if not rules:
        raise Conflict("not_blocked", "该消息未被拦截，无需放行")
    token = qa_ops.do_allow_blocked(
        db,
        user,
        body.text,
        rules,
        secret=settings.effective_secret_key,
        now=now,
        supervisor_username=body.supervisor_username,
        supervisor_password=body.supervisor_password,
        ip=client_ip(request),
    )
    return AllowOut(allowed=True, token=token, rules=rules)


# --- results --------------------------------------------------------------------------------------


@router.get("/summary", name="qa_summary")
def qa_summary(
    user: CurrentUser,
    db: Db,
    now: Now,
    lang: Lang,
    days: Annotated[int, Query(ge=1, le=366)] = qa_ops.SUMMARY_DAYS,
    agent: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Score mean, findings by rule and trend by day: the team and each agent (supervisors)
    or the caller's own figures (agents)."""
    summary = qa_ops.qa_summary(db, user, now=now, days=days, agent=agent)
    return _localize(qa_ops.summary_json(summary), shop_tz(db, user.shop_id))


@router.get("/conversations/{conversation_id}", name="qa_conversation")
def qa_conversation(
    conversation_id: str, user: CurrentUser, db: Db, now: Now, lang: Lang
) -> dict[str, Any]:
    """The conversation with its findings; `pieces` cut each message at the evidence."""
    qa = qa_ops.access_conversation_qa(db, user, conversation_id, now=now)
    view = qa_ops.conversation_view(db, user, qa)
    for message in view["messages"]:
        message["pieces"] = [{"text": t, "rule": r} for t, r in message["pieces"]]
    return _localize(view, shop_tz(db, user.shop_id))


@router.post(
    "/conversations/{conversation_id}/scan",
    name="qa_rescan",
    dependencies=[require(Permission.QA_READ_ALL)],
)
def qa_rescan(
    conversation_id: str, user: CurrentUser, db: Db, now: Now, lang: Lang
) -> dict[str, Any]:
    """Scan again now (after the shop changed its word lists); appeals are kept."""
    qa = qa_ops.access_conversation_qa(db, user, conversation_id, now=now)
    result = qa_ops.do_scan_conversation(db, qa.conversation, now=now, source="manual")
    return {"conversation_id": conversation_id, "score": result.score}


@router.get("/appeals", name="qa_appeals")
def qa_appeals(user: CurrentUser, db: Db, lang: Lang) -> dict[str, Any]:
    """Pending appeals: the shop's (supervisors) or the caller's own."""
    rows = qa_ops.pending_appeals(db, user)
    return {
        "items": [
            {
                "id": appeal.id,
                "finding_id": finding.id,
                "conversation_id": conversation_id,
                "rule": finding.rule,
                "label": translate(lang, f"qa.rule.{finding.rule}"),
                "evidence": finding.evidence,
                "reason": appeal.reason,
            }
            for appeal, finding, conversation_id in rows
        ]
    }


@router.post("/findings/{finding_id}/appeal", response_model=AppealOut, name="qa_appeal")
def qa_appeal(
    finding_id: RowId, body: AppealIn, user: CurrentUser, db: Db, now: Now, lang: Lang
) -> AppealOut:
    """The conversation's agent appeals one finding."""
    finding = qa_ops.access_finding(db, user, finding_id)
    appeal = qa_ops.do_appeal(db, finding, user, body.reason, now=now)
    return _appeal_out(appeal, finding.result.score)


@router.post(
    "/appeals/{appeal_id}/decision",
    response_model=AppealOut,
    name="qa_decide",
    dependencies=[require(Permission.QA_DECIDE_APPEAL)],
)
def qa_decide(
    appeal_id: RowId, body: DecisionIn, user: CurrentUser, db: Db, now: Now, lang: Lang
) -> AppealOut:
    """A supervisor accepts (the deduction leaves the score) or rejects an appeal."""
    appeal = qa_ops.access_appeal(db, user, appeal_id)
    qa_ops.do_decide_appeal(db, appeal, user, body.decision, body.note, now=now)
    finding = qa_ops.access_finding(db, user, appeal.finding_id)
    return _appeal_out(appeal, finding.result.score)


def _appeal_out(appeal: Any, score: int) -> AppealOut:
    return AppealOut(
        id=appeal.id,
        finding_id=appeal.finding_id,
        status=appeal.status,
        reason=appeal.reason,
        decision_note=appeal.decision_note,
        score=score,
    )
