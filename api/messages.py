"""Message routes: exactly-once sends keyed by the client's id, history, "got it" acks, deleting a channel's history.

Each route decodes, runs one action or query (api/actions/messages.py) and answers.
"""

from __future__ import annotations

import logging
from typing import Annotated

from litestar import Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter

from api.actions import messages as actions
from api.actions.messages import Page, SendIn
from api.auth import GUEST, Auth
from api.db.connection import Database
from api.escalator import Escalator
from api.events import AckOut, HistoryCleared, Message, Recalled
from api.presence import Presence
from api.push.worker import PushWorker
from api.throttle import Throttles
from api.wire import PathId

log = logging.getLogger("backchannel.messages")

HISTORY_PAGE = (50, 200)  # default, most


@post(
    "/channels/{channel_id:int}/messages",
    summary="Send a text or a cue; retry with the same client_id safely",
    opt=GUEST,
    responses={200: ResponseSpec(Message, description="A retry: the message already stored for this client_id")},
)
async def send_message(
    channel_id: PathId,
    data: JSONBody[SendIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    push_worker: NamedDependency[PushWorker],
    escalator: NamedDependency[Escalator],
    presence: NamedDependency[Presence],
    throttles: NamedDependency[Throttles],
) -> Response[Message]:
    sent = await db.write(
        actions.send_message,
        auth.user_id,
        channel_id,
        data,
        throttle=throttles.messages,
        showing=presence.showing(),
        wake_push=push_worker.wake,
        wake_escalator=escalator.wake,
    )
    message = sent.message
    if not sent.created:
        return Response(message, status_code=200)
    # Never the text: logs outlive the deletion of a channel's history.
    log.info("message_stored id=%d channel=%d kind=%s cursor=%d", message.id, channel_id, message.kind, message.cursor)
    return Response(message, status_code=201)


@get(
    "/channels/{channel_id:int}/messages", summary="Channel history, newest page first, oldest first within", opt=GUEST
)
async def list_messages(
    channel_id: PathId,
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    before: Annotated[int | None, QueryParameter(ge=1, le=2**53)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=HISTORY_PAGE[1])] = HISTORY_PAGE[0],
) -> Page:
    return await db.read(actions.history, auth.user_id, channel_id, before, limit)


@post("/messages/{message_id:int}/ack", status_code=200, summary='Acknowledge ("got it") a message sent to me')
async def ack_message(message_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> AckOut:
    return await db.write(actions.ack_message, auth.user_id, message_id)


@delete("/channels/{channel_id:int}/messages", status_code=200, summary="Delete a channel's history; team owner only")
async def delete_history(
    channel_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> HistoryCleared:
    """Messages, acks, pending pushes and their events go; with secure_delete and a WAL checkpoint
    their text is gone from the database files, not just unlinked."""
    cleared = await db.write(actions.delete_history, auth.user_id, channel_id)
    await db.scrub()
    return cleared


@post(
    "/messages/{message_id:int}/recall", status_code=200, summary="Recall my cue, within RECALL_SECONDS of sending it"
)
async def recall_message(
    message_id: PathId,
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    push_worker: NamedDependency[PushWorker],
    presence: NamedDependency[Presence],
) -> Recalled:
    return await db.write(
        actions.recall_message, auth.user_id, message_id, showing=presence.showing(), wake_push=push_worker.wake
    )


route_handlers = [send_message, list_messages, delete_history, ack_message, recall_message]
