"""Draw the app icons (PNG) with the standard library only: python3 scripts/make_icons.py

The mark: a calm teal speech bubble with three dark "cue" dots on the app's near-black background.
"any" icons have rounded corners; the maskable one is full-bleed with the mark inside the 80 % safe zone.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pwa" / "icons"
BG = (11, 13, 16)
PLATE = (20, 26, 31)
MARK = (124, 196, 181)
DOT = (11, 13, 16)
SAMPLES = 3  # supersampling per axis, for smooth edges


def rounded_box(x: float, y: float, cx: float, cy: float, hw: float, hh: float, r: float) -> float:
    """Signed distance to a rounded rectangle (negative inside)."""
    qx, qy = abs(x - cx) - hw + r, abs(y - cy) - hh + r
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - r


def colour_at(u: float, v: float, maskable: bool) -> tuple[tuple[int, int, int], float]:
    """Colour and alpha at a point of the unit square."""
    if not maskable and rounded_box(u, v, 0.5, 0.5, 0.5, 0.5, 0.22) > 0:
        return BG, 0.0
    scale = 0.78 if maskable else 1.0  # keep the mark inside the maskable safe zone
    x, y = (u - 0.5) / scale + 0.5, (v - 0.5) / scale + 0.5
    colour = PLATE if not maskable else BG
    bubble = rounded_box(x, y, 0.5, 0.46, 0.27, 0.19, 0.12)
    # the bubble's tail: a small triangle under its lower left
    tail = 0.30 <= x <= 0.44 and 0.62 <= y <= 0.76 and (x - 0.30) <= (0.76 - y) * 1.0
    if bubble <= 0 or tail:
        colour = MARK
        for dx in (-0.12, 0.0, 0.12):
            if math.hypot(x - (0.5 + dx), y - 0.46) <= 0.04:
                colour = DOT
    return colour, 1.0


def draw(size: int, maskable: bool) -> bytes:
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    u = (px + (sx + 0.5) / SAMPLES) / size
                    v = (py + (sy + 0.5) / SAMPLES) / size
                    (r, g, b), a = colour_at(u, v, maskable)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = SAMPLES * SAMPLES
            alpha = acc[3] / n
            if alpha > 0:
                row += bytes(round(c / acc[3]) for c in acc[:3]) + bytes([round(alpha * 255)])
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ):
        (OUT / name).write_bytes(draw(size, maskable))
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
