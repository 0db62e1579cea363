"""Quality-inspection 质检 pages: team and agent figures, a conversation's findings, appeals.

Same pattern as `pages.py`: full pages under `/qa`, htmx partials under `/ui/qa` that
return HTML fragments, all calling `kefu.services.qa_ops` (the API's actions).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from kefu.core.i18n import translate
from kefu.db.models.accounts import User
from kefu.db.models.inbox import Conversation
from kefu.db.models.qa import QaFinding, QaResult
from kefu.http.deps import Db, Lang, Now, OptionalUser, RowId, same_origin, shop_tz
from kefu.services import accounts, qa_ops
from kefu.web.pages import _signin_redirect, render, shop_name

router = APIRouter(include_in_schema=False)

CHART_W, CHART_H = 640, 160  # the trend chart's viewBox


def trend_bars(trend: list[tuple[date, float, int]]) -> dict[str, Any]:
    """Geometry of an inline SVG bar chart of the daily mean score.

    Scores sit near 100, so the bars start from a floor below the lowest mean (a multiple
    of 10) instead of 0: a drop from 99 to 94 must be visible. Day and value labels thin
    out when there are many days, so they never overlap.
    """
    lowest = min((mean for _, mean, _ in trend), default=100.0)
    floor = min(max(int((lowest - 5) // 10 * 10), 0), 90)
    count = max(len(trend), 1)
    step = CHART_W / count
    width = max(min(step * 0.7, 40), 2)
    every = -(-count // 10)  # at most ~10 day labels
    bars = []
    for index, (day, mean, conversations) in enumerate(trend):
        height = CHART_H * (mean - floor) / (100 - floor)
        bars.append(
            {
                "x": round(index * step + (step - width) / 2, 1),
                "y": round(CHART_H - height, 1),
                "w": round(width, 1),
                "h": round(height, 1),
                "day": day.strftime("%m-%d"),
                "mean": mean,
                "n": conversations,
                "low": mean < 90,
                "show_day": index % every == 0 or index == count - 1,
                "show_value": count <= 14,
            }
        )
    return {"bars": bars, "w": CHART_W, "h": CHART_H, "floor": floor}


def _stats_view(stats: qa_ops.Stats | None) -> dict[str, Any] | None:
    if stats is None:
        return None
    rules = stats.rules()
    top = max((n for _, n in rules), default=1)
    return {
        "conversations": stats.conversations,
        "mean": stats.mean,
        "findings": stats.findings,
        "rules": [{"rule": r, "count": n, "pct": round(100 * n / top)} for r, n in rules],
        "chart": trend_bars(stats.trend()),
    }


def _is_htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def _page_context(db: Session, user: User) -> dict[str, Any]:
    return {
        "me": accounts.user_public(user),
        "shop_name": shop_name(db, user.shop_id),
        "supervisor": qa_ops.is_supervisor(user),
    }


def _summary_page(
    request: Request,
    db: Session,
    user: User,
    lang: str,
    now: Any,
    days: int,
    agent: str | None,
) -> Response:
    try:
        summary = qa_ops.qa_summary(db, user, now=now, days=days, agent=agent)
        recent = qa_ops.recent_results(db, user, agent=agent)
        appeals = qa_ops.pending_appeals(db, user)
    except accounts.PermissionDenied:
        return HTMLResponse(translate(lang, "error.forbidden"), status_code=403)
    shown_agent = agent if agent is not None else (None if summary.team else user.username)
    own = summary.agents.get(shown_agent or "") if shown_agent is not None else None
    agents = [
        {"agent_id": name, **(_stats_view(stats) or {})}
        for name, stats in sorted(summary.agents.items(), key=lambda i: (i[1].mean or 0, i[0]))
    ]
    return render(
        request,
        "qa/summary.html",
        lang,
        {
            **_page_context(db, user),
            "days": days,
            "agent": shown_agent,
            "team": _stats_view(summary.team),
            "own": _stats_view(own) if shown_agent is not None else None,
            "agents": agents if summary.team is not None else [],
            "recent": recent,
            "appeals": appeals,
        },
        tz=shop_tz(db, user.shop_id),
    )


@router.get("/qa", response_class=HTMLResponse, name="qa_home")
def qa_home(
    request: Request,
    db: Db,
    now: Now,
    lang: Lang,
    user: OptionalUser,
    days: Annotated[int, Query(ge=1, le=366)] = qa_ops.SUMMARY_DAYS,
) -> Response:
    """Supervisors: the team and every agent. Agents: their own figures."""
    if user is None:
        return _signin_redirect(request)
    return _summary_page(request, db, user, lang, now, days, None)


@router.get("/qa/agents/{username}", response_class=HTMLResponse, name="qa_agent_page")
def qa_agent_page(
    username: str,
    request: Request,
    db: Db,
    now: Now,
    lang: Lang,
    user: OptionalUser,
    days: Annotated[int, Query(ge=1, le=366)] = qa_ops.SUMMARY_DAYS,
) -> Response:
    if user is None:
        return _signin_redirect(request)
    return _summary_page(request, db, user, lang, now, days, username)


@router.get(
    "/qa/conversations/{conversation_id}",
    response_class=HTMLResponse,
    name="qa_conversation_page",
)
def qa_conversation_page(
    conversation_id: str, request: Request, db: Db, now: Now, lang: Lang, user: OptionalUser
) -> Response:
    if user is None:
        return _signin_redirect(request)
    try:
        qa = qa_ops.access_conversation_qa(db, user, conversation_id, now=now)
    except (accounts.NotFound, accounts.PermissionDenied):
        return HTMLResponse(translate(lang, "error.not_found"), status_code=404)
    return render(
        request,
        "qa/conversation.html",
        lang,
        {**_page_context(db, user), "view": qa_ops.conversation_view(db, user, qa)},
        tz=shop_tz(db, user.shop_id),
    )


def _finding_fragment(
    request: Request,
    db: Session,
    user: User,
    lang: str,
    now: Any,
    conversation_id: str,
    finding_id: RowId,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    qa = qa_ops.access_conversation_qa(db, user, conversation_id, now=now)
    view = qa_ops.conversation_view(db, user, qa)
    findings = view["conversation_findings"] + [f for m in view["messages"] for f in m["findings"]]
    finding = next(f for f in findings if f["id"] == finding_id)
    return render(
        request,
        "qa/_finding.html",
        lang,
        {"f": finding, "conv_id": conversation_id, "error": error, "oob_score": view["score"]},
        status_code=status_code,
        tz=shop_tz(db, user.shop_id),
    )


def _conversation_of(db: Session, finding_id: int) -> str:
    finding = db.get(QaFinding, finding_id)
    result = db.get(QaResult, finding.result_id) if finding else None
    conv = db.get(Conversation, result.conversation_pk) if result else None
    if conv is None:
        raise accounts.NotFound()
    return conv.conversation_id


def _refuse(request: Request) -> Response | None:
    if not same_origin(request) or not _is_htmx(request):
        return Response("cross-site request refused", status_code=status.HTTP_403_FORBIDDEN)
    return None


@router.post("/ui/qa/findings/{finding_id}/appeal", name="ui_qa_appeal")
def ui_qa_appeal(
    finding_id: RowId,
    request: Request,
    db: Db,
    now: Now,
    lang: Lang,
    user: OptionalUser,
    reason: Annotated[str, Form()] = "",
) -> Response:
    if user is None:
        return _signin_redirect(request)
    refused = _refuse(request)
    if refused is not None:
        return refused
    try:
        finding = qa_ops.access_finding(db, user, finding_id)
        conversation_id = _conversation_of(db, finding_id)
        qa_ops.do_appeal(db, finding, user, reason, now=now)
    except (accounts.NotFound, accounts.PermissionDenied):
        return HTMLResponse(translate(lang, "error.forbidden"), status_code=403)
    except qa_ops.QaError as exc:
        return _finding_fragment(
            request,
            db,
            user,
            lang,
            now,
            conversation_id,
            finding_id,
            error=translate(lang, f"qa.error.{exc.code}"),
            status_code=200,  # htmx swaps only 2xx answers: the form shows the error
        )
    return _finding_fragment(request, db, user, lang, now, conversation_id, finding_id)


@router.post("/ui/qa/appeals/{appeal_id}/decide", name="ui_qa_decide")
def ui_qa_decide(
    appeal_id: RowId,
    request: Request,
    db: Db,
    now: Now,
    lang: Lang,
    user: OptionalUser,
    decision: Annotated[Literal["accept", "reject"], Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    if user is None:
        return _signin_redirect(request)
    refused = _refuse(request)
    if refused is not None:
        return refused
    try:
        appeal = qa_ops.access_appeal(db, user, appeal_id)
        conversation_id = _conversation_of(db, appeal.finding_id)
        qa_ops.do_decide_appeal(db, appeal, user, decision, note, now=now)
    except (accounts.NotFound, accounts.PermissionDenied):
        return HTMLResponse(translate(lang, "error.forbidden"), status_code=403)
    except qa_ops.QaError as exc:
        return _finding_fragment(
            request,
            db,
            user,
            lang,
            now,
            conversation_id,
            appeal.finding_id,
            error=translate(lang, f"qa.error.{exc.code}"),
        )
    return _finding_fragment(request, db, user, lang, now, conversation_id, appeal.finding_id)
