"""Names people give (display names, team and channel names, cue labels) and usernames: one rule for all of them.

A name is stored NFC-normalised and trimmed of surrounding spaces. It must show something: it may not be blank, and
it may not hold characters that show nothing or change how the text around them shows (controls, zero-width
characters, direction overrides, byte-order marks, line breaks, Hangul fillers): with those, "Dana" and "Dana" plus a
zero-width space look alike, and a direction override turns the rest of a line around.

Two display names in one team may not look the same. "Look the same" is a skeleton: NFKC (fullwidth and other
compatibility forms fold to plain ones), case folded, runs of spaces made one. Letters of different scripts that
look alike (Latin a, U+0061, and Cyrillic a, U+0430) are not folded: a full confusables table would also refuse real
names, and the team list shows each member's @username, which is plain ASCII, next to the display name.

This module depends on nothing else of the server's, so the wire format (api/wire.py) and the error shape
(api/errors.py) can both use it.
"""

from __future__ import annotations

import sys
import unicodedata

# A pattern must accept the same strings in msgspec (Python's re) as in OpenAPI clients (ECMA regexes). Two traps:
# Python's `$` also matches before a final newline ("lead\n" passed `^(lead|member)$`), so END is a `$` that does
# not; and the two `\s` differ (\x1c-\x1f and \x85 are spaces only to Python, \ufeff only to ECMA), so the name
# pattern spells out its characters instead of using `\s`.
END = r"$(?!\n)"

# Unicode general categories (as Python's unicodedata knows them) a name may not contain: controls (Cc), format
# characters (Cf: zero-width spaces and joiners, direction marks and overrides, the byte-order mark, invisible tags)
# and line and paragraph separators.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# Letters that draw nothing (Hangul fillers, the blank Braille pattern): the usual way to make a name look empty.
INVISIBLE_LETTERS = "\u115f\u1160\u2800\u3164\uffa0"
# Space separators: allowed inside a name, but a name of nothing else is blank.
BLANK_CATEGORIES = frozenset({"Zs"})


def _chars_in(categories: frozenset[str]) -> str:
    return "".join(chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in categories)


FORBIDDEN = _chars_in(FORBIDDEN_CATEGORIES) + INVISIBLE_LETTERS
BLANK = _chars_in(BLANK_CATEGORIES)


def _char_class(chars: str) -> str:
    """The inside of a regex character class for these characters, in ranges. Characters of the Basic Multilingual
    Plane are written \\uXXXX (the same to Python and ECMA); the few above it (invisible tags, Egyptian and musical
    format controls) literally, since ECMA has no escape for them that Python's re also reads."""

    def one(cp: int) -> str:
        return f"\\u{cp:04x}" if cp <= 0xFFFF else chr(cp)

    points = sorted(map(ord, chars))
    ranges: list[tuple[int, int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "".join(one(low) if low == high else f"{one(low)}-{one(high)}" for low, high in ranges)


_ALLOWED = f"[^{_char_class(FORBIDDEN)}]"
_SHOWN = f"[^{_char_class(FORBIDDEN + BLANK)}]"
# Only allowed characters, at least one of them not a space.
NAME_PATTERN = f"^{_ALLOWED}*{_SHOWN}{_ALLOWED}*{END}"
# Spaces around a username are trimmed (a phone keyboard adds one after a word), not refused.
USERNAME_PATTERN = r"^ *[A-Za-z0-9_.-]{3,32} *" + END

# What each pattern means, for the error a client gets (the decoder's own message quotes the regex).
PLAIN_WORDS = {
    NAME_PATTERN: "must show something: not blank, and no control or invisible characters (line breaks, "
    "zero-width spaces or joiners, direction marks or overrides, byte-order marks, fillers)",
    USERNAME_PATTERN: "must be 3-32 of A-Z a-z 0-9 _ . - (spaces around it are trimmed)",
}


def explain(problem: str) -> str:
    """The decoder's complaint about a field, in plain words when it is about one of the patterns above."""
    for pattern, words in PLAIN_WORDS.items():
        if problem == f"Expected `str` matching regex {pattern!r}":
            return words
    return problem


def clean(name: str) -> str:
    """A name as it is stored and shown: NFC (one spelling for "é"), without surrounding spaces."""
    return unicodedata.normalize("NFC", name).strip()


def clean_username(username: str) -> str:
    """A username as it is stored and looked up: trimmed, lower case (usernames ignore case)."""
    return username.strip().lower()


def skeleton(name: str) -> str:
    """What a name looks like, for telling whether two names look the same."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())
