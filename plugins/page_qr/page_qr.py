"""An inline SVG QR code of every page's public URL ("扫一扫在手机打开当前页").

Plugins attach data, templates render it: documents get `qr_svg`; pages without a
content object (home, columns) use the `qr_svg` Jinja filter on their URL. Codes are
cached on disk by URL, so rebuilds do not regenerate unchanged ones.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Any

import qrcode
from content_model.urls import public_url
from markupsafe import Markup
from pelican import signals

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "PAGE_QR_ENABLED": True,
    # M (15 %) survives screen glare and moiré when a phone films a monitor.
    "PAGE_QR_ERROR_CORRECTION": "M",
    "PAGE_QR_CACHE": True,
}
_LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
           "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


class QrSettingsError(ValueError):
    """A PAGE_QR_* setting has a value the plugin cannot use."""


def svg_for(data: str, level: str = "M") -> str:
    """Render data as a compact SVG: one path, horizontal runs of dark modules merged."""
    qr = qrcode.QRCode(error_correction=_LEVELS[level], border=4)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the 4-module quiet zone
    size = len(matrix)
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (f'<svg class="gz-qr__img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'width="{size * 4}" height="{size * 4}" role="img" aria-label="本页网址二维码" '
            f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(parts)}"/></svg>')


class QrCache:
    """QR SVGs by URL, in memory and (optionally) in CACHE_PATH/page_qr across builds."""

    def __init__(self, folder: str | None, level: str) -> None:
        self.folder = folder
        self.level = level
        self.memory: dict[str, str] = {}
        if folder:
            os.makedirs(folder, exist_ok=True)

    def get(self, url: str) -> str:
        if url in self.memory:
            return self.memory[url]
        key = hashlib.sha1(f"{self.level}:{url}".encode()).hexdigest()
        path = os.path.join(self.folder, key + ".svg") if self.folder else None
        if path and os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                svg = fh.read()
        else:
            svg = svg_for(url, self.level)
            if path:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(svg)
        self.memory[url] = svg
        return svg


_cache: QrCache | None = None


def configure(pelican: Any) -> None:
    """Check settings once and install the Jinja filter."""
    global _cache  # noqa: PLW0603 - one cache per build process
    settings = pelican.settings
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    level = str(settings["PAGE_QR_ERROR_CORRECTION"]).upper()
    if level not in _LEVELS:
        raise QrSettingsError(f"page_qr: PAGE_QR_ERROR_CORRECTION must be one of L, M, Q, H, not {level!r}")
    if not (settings.get("PORTAL_URL") or settings.get("SITEURL", "").startswith("http")):
        raise QrSettingsError("page_qr: set PORTAL_URL (the public https:// address) in pelicanconf.py")
    folder = os.path.join(settings["CACHE_PATH"], "page_qr") if settings["PAGE_QR_CACHE"] else None
    _cache = QrCache(folder, level)
    enabled = settings["PAGE_QR_ENABLED"]
    settings.setdefault("JINJA_FILTERS", {})["qr_svg"] = (
        (lambda url: Markup(_cache.get(public_url(settings, url)))) if enabled else (lambda url: "")
    )


def attach(generators: list[Any]) -> None:
    """Give every document its QR code as `qr_svg`."""
    settings = generators[0].settings
    if not settings["PAGE_QR_ENABLED"] or _cache is None:
        return
    for doc in generators[0].context["published_documents"]:
        doc.qr_svg = Markup(_cache.get(public_url(settings, doc.url)))


def register() -> None:
    # initialized: settings are final and the Jinja environment is not built yet.
    signals.initialized.connect(configure)
    # all_generators_finalized: every document and its URL is known, nothing is written yet.
    signals.all_generators_finalized.connect(attach)
