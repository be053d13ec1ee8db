"""Names people give (display names, team and channel names, cue labels) and usernames: one rule for all of them.

A name is stored NFC-normalised and trimmed of surrounding spaces. It must show something: it may not be blank, and
it may not hold characters that show nothing or change how the text around them shows (controls, zero-width
characters, direction overrides, byte-order marks, line breaks, Hangul fillers): with those, "Dana" and "Dana" plus a
zero-width space look alike, and a direction override turns the rest of a line around. A combining mark (an accent,
a vowel sign, a variation selector) must sit on a character: one that starts the name or follows a space has none.

Two display names in one team, and two channel names in one team, may not look the same. "Look the same" is a
skeleton: NFKD (fullwidth and other compatibility forms fold to plain ones, accents come apart from their letters),
without Unicode's default-ignorable code points (variation selectors, the combining grapheme joiner, Mongolian free
variation selectors, Khmer inherent vowels: allowed in a name, since an emoji needs its variation selector, yet drawn
as nothing) and without nonspacing and enclosing marks (so "Dana Lee" with a mark stacked on a letter or on a space,
and "Dána Lee", look like "Dana Lee"), case folded, runs of spaces made one. It is not a confusables table: letters
of different scripts that look alike (Latin a, U+0061, and Cyrillic a, U+0430) and look-alike letters of one script
(capital I and small l: "Dana Iee") keep different skeletons. A full table would also refuse real names, and the
team list shows each member's @username, which is plain ASCII, next to the display name.

This module depends on nothing else of the server's, so the wire format (api/wire.py) and the error shape
(api/errors.py) can both use it.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable

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
# Combining marks (nonspacing, spacing, enclosing): each sits on the character before it.
MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})


def _chars_in(categories: frozenset[str]) -> str:
    return "".join(chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in categories)


FORBIDDEN = _chars_in(FORBIDDEN_CATEGORIES) + INVISIBLE_LETTERS
BLANK = _chars_in(BLANK_CATEGORIES)
MARKS = _chars_in(MARK_CATEGORIES)


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
_SPACE = f"[{_char_class(BLANK)}]"
_MARK = f"[{_char_class(MARKS)}]"
# Only allowed characters; not only spaces; no mark at the start or right after a space (it has nothing to sit on).
# (`.` stops at a line break, which the allowed characters do not include anyway, to Python and ECMA alike.)
NAME_PATTERN = f"^(?!{_SPACE}*{END})(?!(?:.*{_SPACE})?{_MARK}){_ALLOWED}*{END}"
# Spaces around a username are trimmed (a phone keyboard adds one after a word), not refused.
USERNAME_MIN, USERNAME_MAX = 3, 32
USERNAME_CHARS = "A-Za-z0-9_.-"
USERNAME_PATTERN = f"^ *[{USERNAME_CHARS}]{{{USERNAME_MIN},{USERNAME_MAX}}} *" + END

# What each pattern means, for the error a client gets (the decoder's own message quotes the regex).
PLAIN_WORDS = {
    NAME_PATTERN: "must show something: not blank, no control or invisible characters (line breaks, "
    "zero-width spaces or joiners, direction marks or overrides, byte-order marks, fillers), and no accent or other "
    "combining mark without a character to sit on (at the start or after a space)",
    USERNAME_PATTERN: f"must be {USERNAME_MIN} to {USERNAME_MAX} letters, digits, dots, dashes or underscores",
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


# Default_Ignorable_Code_Point, from Unicode's DerivedCoreProperties.txt (14.0, the version Python 3.11's
# unicodedata knows; unchanged since): code points a renderer draws as nothing when it has no glyph for them. The
# name pattern refuses the controls and fillers among them; the others (nonspacing marks, unassigned) are allowed.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),  # Cf soft hyphen
    (0x034F, 0x034F),  # Mn combining grapheme joiner
    (0x061C, 0x061C),  # Cf Arabic letter mark
    (0x115F, 0x1160),  # Lo Hangul choseong and jungseong fillers
    (0x17B4, 0x17B5),  # Mn Khmer inherent vowels
    (0x180B, 0x180D),  # Mn Mongolian free variation selectors one to three
    (0x180E, 0x180E),  # Cf Mongolian vowel separator
    (0x180F, 0x180F),  # Mn Mongolian free variation selector four
    (0x200B, 0x200F),  # Cf zero-width space, joiners, direction marks
    (0x202A, 0x202E),  # Cf direction embeddings and overrides
    (0x2060, 0x206F),  # Cf word joiner, invisible operators, isolates, deprecated format characters (2065: unassigned)
    (0x3164, 0x3164),  # Lo Hangul filler
    (0xFE00, 0xFE0F),  # Mn variation selectors 1-16
    (0xFEFF, 0xFEFF),  # Cf zero-width no-break space (byte-order mark)
    (0xFFA0, 0xFFA0),  # Lo halfwidth Hangul filler
    (0xFFF0, 0xFFF8),  # unassigned
    (0x1BCA0, 0x1BCA3),  # Cf shorthand format controls
    (0x1D173, 0x1D17A),  # Cf musical symbol beam, tie, slur and phrase controls
    (0xE0000, 0xE0FFF),  # Cf tags, Mn variation selectors 17-256, the rest unassigned
)
_IGNORABLE = frozenset(cp for low, high in DEFAULT_IGNORABLE for cp in range(low, high + 1))
# Marks that draw on the character before them without taking room of their own.
_STACKED = frozenset({"Mn", "Me"})


def _drawn(text: str) -> str:
    """The text decomposed, without what draws nothing or only draws on the character before it."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if ord(c) not in _IGNORABLE and unicodedata.category(c) not in _STACKED)


def skeleton(name: str) -> str:
    """What a name looks like, for telling whether two names look the same."""
    # Before case folding too: a mark may fold to a letter (U+0345, the iota subscript, to U+03B9, iota). After it:
    # folding may make a mark (U+0130, capital I with a dot, folds to i and a dot above).
    shown = _drawn(_drawn(name).casefold())
    return " ".join(shown.split())


def looks_like_any(name: str, others: Iterable[str]) -> bool:
    """Whether the name looks the same as one of the others (a channel's among the team's, a pseudonym...)."""
    looks = skeleton(name)
    return any(skeleton(other) == looks for other in others)
