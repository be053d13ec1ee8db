"""What a push says, by the recipient's privacy level. Content-free by default.

Notification text stays in the phone's notification database, so "hidden" names nothing:
no sender, no cue, no text. The service worker always shows a notification from it.
"""

from __future__ import annotations

import msgspec

from api.db.push import DueJob

LEVELS = ("hidden", "sender", "full")
# Push services cap payloads near 4 KB; encryption adds 103 bytes. Stay well under 3 KB.
PAYLOAD_MAX = 3000
TEXT_PREVIEW_MAX = 600
_RHYTHM = msgspec.json.Decoder(list[int]).decode


class PushPayload(msgspec.Struct, omit_defaults=True):
    title: str
    body: str
    tag: str
    url: str
    message_id: int
    channel_id: int
    team_id: int
    kind: str
    urgency: str
    renotify: bool
    rhythm: list[int] = msgspec.field(default_factory=list)
    cue: str | None = None


def build(job: DueJob, *, shrink: bool = False) -> bytes:
    """The JSON payload for one job; `shrink` drops everything optional (after a 413)."""
    level = "hidden" if shrink else job.push_level
    is_cue = job.kind == "cue"
    title, body = ("New cue", "") if is_cue else ("New message", "")
    if level in ("sender", "full"):
        title = job.sender_name
        body = str(job.cue_label or job.cue) if is_cue else "sent a message"
    if level == "full" and not is_cue:
        body = (job.text or "")[:TEXT_PREVIEW_MAX]
    if job.recalled_at is not None:  # the worker closes the cue's notification, leaving a silent "recalled"
        recalled = PushPayload(
            title="Cue recalled",
            body=job.sender_name if level in ("sender", "full") else "",
            tag=f"channel-{job.channel_id}",
            url=f"/channels/{job.channel_id}",
            message_id=job.message_id,
            channel_id=job.channel_id,
            team_id=job.team_id,
            kind="recall",
            urgency="normal",
            renotify=False,
        )
        return msgspec.json.encode(recalled)
    payload = PushPayload(
        title=title,
        body=body,
        tag=f"channel-{job.channel_id}",
        url=f"/channels/{job.channel_id}",
        message_id=job.message_id,
        channel_id=job.channel_id,
        team_id=job.team_id,
        kind=job.kind,
        urgency=job.urgency,
        renotify=is_cue,
        rhythm=_RHYTHM(job.cue_rhythm) if is_cue and job.cue_rhythm and not shrink else [],
        cue=job.cue if is_cue and level != "hidden" else None,
    )
    return msgspec.json.encode(payload)
