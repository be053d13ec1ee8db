"""Progress lines, on stderr: stdout holds only the results."""

from __future__ import annotations

import sys
import time


def log(message: str) -> None:
    """Progress goes to stderr; stdout holds only the results."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
