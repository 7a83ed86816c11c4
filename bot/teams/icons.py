"""The Teams app icons, drawn in code: a person silhouette, white on the accent colour
(192x192) and white on transparent (32x32 outline), as RGBA PNGs."""

from __future__ import annotations

import struct
import zlib

ACCENT = (0x1F, 0x5F, 0xAD)  # also the manifest's accentColor
COLOR_SIZE = 192
OUTLINE_SIZE = 32
_SUBSAMPLES = 4  # per axis, for smooth edges


def _silhouette(x: float, y: float) -> bool:
    """Whether the unit-square point (x, y) lies in the person symbol."""
    head = (x - 0.5) ** 2 + (y - 0.33) ** 2 <= 0.17**2
    body = ((x - 0.5) / 0.33) ** 2 + ((y - 0.92) / 0.34) ** 2 <= 1.0 and y <= 0.86
    return head or body


def _coverage(size: int, scale: float) -> list[list[float]]:
    """Fraction of each pixel covered by the symbol, drawn at ``scale`` of the icon."""
    offset = (1 - scale) / 2
    step = 1 / (size * _SUBSAMPLES)
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            hits = 0
            for sy in range(_SUBSAMPLES):
                for sx in range(_SUBSAMPLES):
                    x = (px * _SUBSAMPLES + sx + 0.5) * step
                    y = (py * _SUBSAMPLES + sy + 0.5) * step
                    hits += _silhouette((x - offset) / scale, (y - offset) / scale)
            row.append(hits / _SUBSAMPLES**2)
        rows.append(row)
    return rows


def png(pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    """Encode RGBA rows as a PNG (8 bits per channel, no filtering)."""
    height, width = len(pixels), len(pixels[0])

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes(v for pixel in row for v in pixel) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def color_icon() -> bytes:
    """192x192: the white symbol in the central safe area on the accent colour."""
    def blend(cov: float) -> tuple[int, int, int, int]:
        red, green, blue = (round(c + (255 - c) * cov) for c in ACCENT)
        return red, green, blue, 255

    rows = _coverage(COLOR_SIZE, scale=0.62)
    return png([[blend(cov) for cov in row] for row in rows])


def outline_icon() -> bytes:
    """32x32: the symbol in white on a transparent background, as Teams requires."""
    rows = _coverage(OUTLINE_SIZE, scale=0.94)
    return png([[(255, 255, 255, round(255 * cov)) for cov in row] for row in rows])
