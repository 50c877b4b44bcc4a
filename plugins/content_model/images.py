"""Read an image's pixel size from its header, so pages can reserve space (no layout shift)."""

from __future__ import annotations

import re
import struct
from pathlib import Path


def image_size(path: str | Path) -> tuple[int, int] | None:
    """Return (width, height) for PNG, GIF, JPEG, WebP or SVG files, else None."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP" and data[12:16] == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if path.__str__().lower().endswith(".svg"):
        return _svg_size(data.decode("utf-8", "replace"))
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None


# Share cards: WeChat, Weibo and QQ show PNG and JPEG thumbnails (no SVG, and GIF/WebP not everywhere).
RASTER_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def raster_type(path: str | Path) -> str | None:
    """The media type of a PNG or JPEG file, read from its first bytes; None for anything else."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    return next((kind for magic, kind in RASTER_TYPES.items() if head.startswith(magic)), None)


_NUM = r"\s*=\s*[\"']\s*([\d.]+)(?:px)?\s*[\"']"


def _svg_size(text: str) -> tuple[int, int] | None:
    tag = re.search(r"<svg\b[^>]*>", text)
    if not tag:
        return None
    head = tag.group(0)
    width, height = re.search(r"\swidth" + _NUM, head), re.search(r"\sheight" + _NUM, head)
    if width and height:
        return round(float(width[1])), round(float(height[1]))
    box = re.search(r"viewBox\s*=\s*[\"']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)", head)
    return (round(float(box[1])), round(float(box[2]))) if box else None
