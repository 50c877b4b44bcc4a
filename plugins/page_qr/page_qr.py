"""An inline SVG QR code of every page's public URL ("扫一扫在手机打开当前页").

Templates call the `qr_svg` Jinja filter on a page's URL, so only pages that are
rendered pay for a code (encoder.py makes it, the same code qrcode would make). Pages in
another language pass the code's accessible name in their language: `url | qr_svg(label)`.

Codes are kept in the "page_qr" cache (gazette.cache), one entry per URL. Its generation
is a digest of everything else that made them: this plugin's source files, the qrcode
version and every PAGE_QR_* setting that shapes the SVG. Editing the markup below,
upgrading qrcode or changing a setting so makes every code again instead of serving old
ones, and the old generation is removed when the build ends. Entries are verified, so a
truncated or edited one is made again, never published; `pelican --ignore-cache` makes
every code without reading the cache. Codes no page used for GAZETTE_CACHE_DAYS (a page
deleted or moved) are pruned by the cache layer: pages render in forked workers, and
unchanged pages do not render, so a hit refreshes the entry's access time.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
from importlib.metadata import version
from typing import Any

from markupsafe import Markup
from pelican import signals

from gazette.cache import Cache
from gazette.files import files_digest
from gazette.settings import Setting, Table
from gazette.urls import public_url

from .encoder import LEVELS, path_for

logger = logging.getLogger(__name__)

SETTINGS = Table("page_qr", "PAGE_QR_", [
    Setting("PAGE_QR_ENABLED", True, "A QR code on every page that opens it on a phone."),
    Setting("PAGE_QR_ERROR_CORRECTION", "M", "Error correction level; M (15 %) survives screen glare and moiré "
            "when a phone films a monitor.", choices=tuple(LEVELS)),
])
# PAGE_QR_* settings that do not shape a code; every other one is part of the cache's generation,
# so a setting added later cannot be forgotten there.
_NOT_IN_CODE = {"PAGE_QR_ENABLED"}
_HERE = os.path.dirname(os.path.abspath(__file__))
_LABEL = re.compile(r'aria-label="[^"]*"')


class QrSettingsError(ValueError):
    """A PAGE_QR_* setting has a value the plugin cannot use."""


def svg_for(data: str, level: str = "M") -> str:
    """Render data as a compact SVG: one path, horizontal runs of dark modules merged."""
    size, path = path_for(data, level)
    return (f'<svg class="gz-qr__img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'width="{size * 4}" height="{size * 4}" role="img" aria-label="本页网址二维码" '
            f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{path}"/></svg>')


def labelled(svg: str, label: str) -> str:
    """The code with another accessible name; the cache keeps the one svg_for gives."""
    return _LABEL.sub(lambda _: f'aria-label="{html.escape(label)}"', svg, count=1) if label else svg


def code_digest(settings: dict[str, Any]) -> str:
    """Digest of what shapes every code besides its URL (this plugin's files, qrcode, PAGE_QR_* settings)."""
    shaping = {key: value for key, value in settings.items() if key.startswith("PAGE_QR_") and key not in _NOT_IN_CODE}
    recipe = {"code": files_digest(_HERE), "qrcode": version("qrcode"), "settings": shaping}
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, default=repr).encode()).hexdigest()[:16]


class QrCache:
    """QR SVGs by URL, in memory and in the page_qr cache across builds."""

    def __init__(self, cache: Cache, level: str) -> None:
        self.cache = cache
        self.level = level
        self.memory: dict[str, str] = {}

    def get(self, url: str) -> str:
        if url in self.memory:
            return self.memory[url]
        key = hashlib.sha256(url.encode()).hexdigest()[:40]
        cached = self.cache.get(key)
        if cached is not None:
            svg = cached.decode("utf-8")
        else:
            svg = svg_for(url, self.level)
            self.cache.put(key, svg.encode("utf-8"))  # (atomic: pages render in forked workers)
        self.memory[url] = svg
        return svg


_cache: QrCache | None = None


def configure(pelican: Any) -> None:
    """Check settings once and install the Jinja filter."""
    global _cache  # noqa: PLW0603 - one cache per build process
    settings = pelican.settings
    level = settings["PAGE_QR_ERROR_CORRECTION"]  # one of LEVELS (the settings table checks)
    if not (settings.get("PORTAL_URL") or settings.get("SITEURL", "").startswith("http")):
        raise QrSettingsError("page_qr: set PORTAL_URL (the public https:// address) in pelicanconf.py")
    _cache = QrCache(Cache.open(settings, "page_qr", code_digest(settings)), level)
    enabled = settings["PAGE_QR_ENABLED"]
    settings.setdefault("JINJA_FILTERS", {})["qr_svg"] = (
        (lambda url, label="": Markup(labelled(_cache.get(public_url(settings, url)), label))) if enabled
        else (lambda url, label="": "")
    )


def register() -> None:
    # initialized: settings are final and the Jinja environment is not built yet.
    signals.initialized.connect(configure)
