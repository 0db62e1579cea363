"""`/api/v1/chat`: what the live chat panel asks for besides the WebSocket: quick replies
快捷短语 and agent-assist drafts 智能推荐."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kefu.http.deps import CurrentUser, Db, Now
from kefu.services import assistant_bot, inbox

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])


@router.get("/conversations/{conversation_id}/quick-replies", name="quick_replies")
def quick_replies(conversation_id: str, db: Db, user: CurrentUser) -> list[dict[str, str]]:
    """The quick replies for this conversation, variables filled."""
    conv = inbox.access_conversation(db, user.shop_id, conversation_id)
    inbox.check_agent_access(user, conv, write=False)
    return inbox.access_quick_replies(db, user, conv)


@router.get("/conversations/{conversation_id}/suggestions", name="reply_suggestions")
def reply_suggestions(
    conversation_id: str,
    db: Db,
    user: CurrentUser,
    now: Now,
    seq: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> dict[str, Any]:
    """The top 3 drafts for the selected buyer message (`seq`, default the latest), for the
    agent to edit before sending. Only for whoever may answer the conversation: its agent,
    or a supervisor and up (an unassigned one: its queue's agents)."""
    conv = inbox.access_conversation(db, user.shop_id, conversation_id)
    inbox.check_agent_access(user, conv, write=True)
    return {"suggestions": assistant_bot.suggest_for_conversation(db, conv, user, now, seq=seq)}
