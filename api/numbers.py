"""Integers that clients spell in text and the server parses itself (path ids, the live socket's `after`).

ASCII digits only, after an optional minus (so that an id out of range is a 400, not an unknown route). str.isdigit
and int() take any Unicode digit (superscript two passes isdigit and then makes int() raise; Arabic-Indic three is
3 to int()), and int() also takes "1_0", "+1" and surrounding spaces: none of those is a number in a URL. (Query
parameters of the HTTP routes are parsed by msgspec, which takes ASCII only too.)
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"-?[0-9]+")


def ascii_integer(text: str) -> int:
    """The integer that text spells in ASCII digits; ValueError for anything else."""
    if _DIGITS.fullmatch(text) is None:
        raise ValueError("not a whole number in ASCII digits")
    return int(text)  # over 4,300 digits this raises ValueError too
