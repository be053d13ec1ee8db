"""The limits a person meets in a form, served to the PWA as a module generated from the server's own constants.

pwa/js/limits.js is this module's output (`python -m api.limits > pwa/js/limits.js`), checked in so the app needs
no build step and has its limits offline; tests/unit/test_limits.py fails when the two drift apart. A generated
module rather than a GET /api/limits: the forms need the limits before their first keystroke, offline too, and a
fetched copy would need a fallback of its own (a second source).
"""

from __future__ import annotations

import json

from api.accounts import DEVICE_MAX, PASSWORD_MAX, PASSWORD_MIN
from api.actions.meetings import COUNTERPART_MAX, MEETING_TITLE_MAX
from api.actions.messages import RECALL_SECONDS
from api.actions.search import SEARCH_MAX_CHARS
from api.actions.sources import ASSESSMENT_NOTE_MAX, CLAIM_MAX, GIVE_MAX, NOTES_MAX, PSEUDONYM_MAX
from api.cueset import LABEL_MAX
from api.names import USERNAME_CHARS, USERNAME_MAX, USERNAME_MIN
from api.wire import NAME_MAX

LIMITS = {
    "name": NAME_MAX,  # display, team and channel names
    "label": LABEL_MAX,  # cue labels
    "usernameMin": USERNAME_MIN,
    "usernameMax": USERNAME_MAX,
    "passwordMin": PASSWORD_MIN,
    "passwordMax": PASSWORD_MAX,
    "device": DEVICE_MAX,
    "recallSeconds": RECALL_SECONDS,  # a mis-tapped cue can be recalled this long
    "search": SEARCH_MAX_CHARS,  # a search query
    "meetingTitle": MEETING_TITLE_MAX,
    "counterpart": COUNTERPART_MAX,
    "pseudonym": PSEUDONYM_MAX,  # a source's name as the team sees it
    "sourceNotes": NOTES_MAX,  # who a source really is (the handler's eyes only)
    "claim": CLAIM_MAX,  # an intel entry
    "give": GIVE_MAX,  # what was shared with a source
    "assessmentNote": ASSESSMENT_NOTE_MAX,  # what happened at the table, for a verdict
}


def module() -> str:
    return (
        "// Generated from the server's constants by api/limits.py "
        "(python -m api.limits > pwa/js/limits.js): do not edit.\n"
        f"export const LIMITS = {json.dumps(LIMITS)};\n"
        f"export const USERNAME = new RegExp({json.dumps(f'^[{USERNAME_CHARS}]{{{USERNAME_MIN},{USERNAME_MAX}}}$')});\n"
    )


if __name__ == "__main__":
    print(module(), end="")
