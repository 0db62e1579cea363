"""`/api/v1/conversations`: the conversations the caller may read (shop and role scoped)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from kefu.api.schemas import (
    BuyerPanelOut,
    ConversationListOut,
    ConversationOut,
    ConversationSummaryOut,
    ErrorOut,
    MessageOut,
    OrderBriefOut,
    Queue,
)
from kefu.http.deps import CurrentUser, Db, Now, shop_tz
from kefu.services import workspace

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


def _local(value: datetime | None, tz: tzinfo) -> datetime | None:
    return value.astimezone(tz) if value is not None else None


def summary_out(item: workspace.ConversationSummary, tz: tzinfo) -> ConversationSummaryOut:
    return ConversationSummaryOut(
        conversation_id=item.id,
        buyer_id=item.buyer_id,
        buyer_nickname=item.buyer_nickname,
        platform=item.platform,
        queue=item.queue,  # type: ignore[arg-type]
        status=item.status,  # type: ignore[arg-type]
        agent_id=item.agent_id,
        agent_no=item.agent_no,
        unread_count=item.unread_count,
        waiting_seconds=item.waiting_seconds,
        last_message=item.last_message,
        last_message_at=_local(item.last_message_at, tz),
    )


def detail_out(detail: workspace.ConversationDetail, tz: tzinfo) -> ConversationOut:
    buyer = detail.buyer
    return ConversationOut(
        **summary_out(detail.summary, tz).model_dump(),
        order_ids=detail.order_ids,
        messages=[
            MessageOut(
                seq=m.seq,
                sender=m.sender,  # type: ignore[arg-type]
                text=m.text,
                ts=m.ts.astimezone(tz),
                quick_reply=m.quick_reply,
            )
            for m in detail.messages
        ],
        buyer=BuyerPanelOut(
            buyer_id=buyer.buyer_id,
            nickname=buyer.nickname,
            name=buyer.name,
            phone=buyer.phone,
            address=buyer.address,
            masked=buyer.masked,
            orders=[
                OrderBriefOut(
                    order_id=o.order_id,
                    status=o.status,
                    amount=o.amount,
                    created_at=o.created_at.astimezone(tz),
                    title=o.title,
                )
                for o in buyer.orders
            ],
        ),
    )


@router.get("", response_model=ConversationListOut, responses={403: {"model": ErrorOut}})
def list_conversations(
    user: CurrentUser,
    db: Db,
    now: Now,
    queue: Annotated[Queue | None, Query(description="Only this queue")] = None,
    status_filter: Annotated[
        Literal["active", "recent", "closed", "all"],
        Query(
            alias="status",
            description="active = open or pending (default); recent = active or closed within 24 h",
        ),
    ] = "active",
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> ConversationListOut:
    items = workspace.list_conversations(
        db, user, now=now, queue=queue, status=status_filter, limit=limit
    )
    tz = shop_tz(db, user.shop_id)
    return ConversationListOut(items=[summary_out(i, tz) for i in items], count=len(items))


@router.get(
    "/{conversation_id}",
    response_model=ConversationOut,
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
def get_conversation(conversation_id: str, user: CurrentUser, db: Db, now: Now) -> ConversationOut:
    detail = workspace.access_conversation(db, user, conversation_id, now=now)
    return detail_out(detail, shop_tz(db, user.shop_id))
