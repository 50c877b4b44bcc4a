"""An inline SVG QR code of every page's public URL ("扫一扫在手机打开当前页").

Templates call the `qr_svg` Jinja filter on a page's URL, so only pages that are
rendered pay for a code (encoder.py makes it, the same code qrcode would make).

Codes are cached on disk in CACHE_PATH/page_qr/, one file per code, named by everything
that made it: the URL, and the cache's generation, a digest of this plugin's source files,
the qrcode version and every PAGE_QR_* setting that shapes the SVG. Editing the markup
below, upgrading qrcode or changing a setting so makes every code again instead of serving
old ones. Each entry carries its digest, so a truncated or edited one is made again, never
published. `pelican --ignore-cache` makes every code without reading the cache, and writes
the entries afresh.

The cache is pruned when the build is finalized. Entries of another generation go at once:
nothing can read them. Entries of this generation that no page used for PAGE_QR_CACHE_DAYS
(a page deleted or moved) go then. "Used" is the entry's access time, which a hit refreshes
once a day, as mtimes say when a code was made and must stay put: there is no list of what
a build used, because pages render in forked workers and unchanged pages do not render.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from importlib.metadata import version
from typing import Any

from markupsafe import Markup
from pelican import signals

from gazette.files import files_digest, load_verified, save_verified
from gazette.urls import public_url

from .encoder import LEVELS, path_for

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "PAGE_QR_ENABLED": True,
    # M (15 %) survives screen glare and moiré when a phone films a monitor.
    "PAGE_QR_ERROR_CORRECTION": "M",
    "PAGE_QR_CACHE": True,
    # Cached codes that no page used for this many days are removed (pages deleted or moved).
    "PAGE_QR_CACHE_DAYS": 30,
}
# PAGE_QR_* settings that do not shape a code; every other one is part of the cache's generation,
# so a setting added later cannot be forgotten there.
_NOT_IN_CODE = {"PAGE_QR_ENABLED", "PAGE_QR_CACHE", "PAGE_QR_CACHE_DAYS"}
_HERE = os.path.dirname(os.path.abspath(__file__))
_DAY_NS = 86_400 * 10**9


class QrSettingsError(ValueError):
    """A PAGE_QR_* setting has a value the plugin cannot use."""


def svg_for(data: str, level: str = "M") -> str:
    """Render data as a compact SVG: one path, horizontal runs of dark modules merged."""
    size, path = path_for(data, level)
    return (f'<svg class="gz-qr__img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'width="{size * 4}" height="{size * 4}" role="img" aria-label="本页网址二维码" '
            f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{path}"/></svg>')


def generation(settings: dict[str, Any]) -> str:
    """Digest of what shapes every code besides its URL: this plugin's files, qrcode, PAGE_QR_* settings."""
    shaping = {key: value for key, value in settings.items() if key.startswith("PAGE_QR_") and key not in _NOT_IN_CODE}
    recipe = {"code": files_digest(_HERE), "qrcode": version("qrcode"), "settings": shaping}
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, default=repr).encode()).hexdigest()[:16]


def ignore_cache_requested(argv: list[str]) -> bool:
    """Whether Pelican's command line asks for --ignore-cache (argparse takes any prefix of it, down to --i).

    Pelican keeps that flag only as LOAD_CONTENT_CACHE = False, which is the setting's default
    too (and what the tests' settings say), so the settings cannot tell whether it was given.
    """
    return any(len(arg) >= 3 and "--ignore-cache".startswith(arg) for arg in argv)


def _mark_used(path: str) -> None:
    """Refresh the entry's access time if it is a day old (noatime mounts never do), keeping its mtime."""
    try:
        st = os.stat(path)
        now = time.time_ns()
        if st.st_atime_ns < now - _DAY_NS:
            os.utime(path, ns=(now, st.st_mtime_ns))
    except OSError:
        pass  # (pruned by a concurrent build: the code is in hand anyway)


class QrCache:
    """QR SVGs by URL, in memory and (optionally) in a folder across builds."""

    def __init__(self, folder: str | None, level: str, generation: str, read: bool = True) -> None:
        self.folder = folder
        self.level = level
        self.generation = generation
        self.read = read
        self.memory: dict[str, str] = {}
        if folder:
            os.makedirs(folder, exist_ok=True)

    def path(self, url: str) -> str | None:
        if not self.folder:
            return None
        return os.path.join(self.folder, f"{self.generation}-{hashlib.sha256(url.encode()).hexdigest()[:40]}.svg")

    def get(self, url: str) -> str:
        if url in self.memory:
            return self.memory[url]
        path = self.path(url)
        cached = load_verified(path) if path and self.read else None
        if cached is not None:
            svg = cached.decode("utf-8")
            _mark_used(path)
        else:
            svg = svg_for(url, self.level)
            if path:
                # Codes are made while pages render, possibly in forked workers, and a
                # half-written file would be served by every later build.
                save_verified(path, svg.encode("utf-8"))
        self.memory[url] = svg
        return svg

    def prune(self, days: int) -> int:
        """Remove entries of other generations and those unused for `days`; return how many went."""
        if not self.folder or not os.path.isdir(self.folder):
            return 0
        now = time.time_ns()
        removed = 0
        with os.scandir(self.folder) as entries:
            for entry in entries:
                try:
                    if entry.name.endswith(".svg"):
                        stale = (not entry.name.startswith(self.generation + "-")
                                 or entry.stat().st_atime_ns < now - days * _DAY_NS)
                    else:  # a temporary file left by a killed build: no write takes a day
                        stale = entry.name.endswith(".tmp") and entry.stat().st_mtime_ns < now - _DAY_NS
                    if stale:
                        os.remove(entry.path)
                        removed += 1
                except FileNotFoundError:
                    continue  # (removed by a concurrent build)
        return removed


_cache: QrCache | None = None


def configure(pelican: Any) -> None:
    """Check settings once and install the Jinja filter."""
    global _cache  # noqa: PLW0603 - one cache per build process
    settings = pelican.settings
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    level = str(settings["PAGE_QR_ERROR_CORRECTION"]).upper()
    if level not in LEVELS:
        raise QrSettingsError(f"page_qr: PAGE_QR_ERROR_CORRECTION must be one of L, M, Q, H, not {level!r}")
    days = settings["PAGE_QR_CACHE_DAYS"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise QrSettingsError(f"page_qr: PAGE_QR_CACHE_DAYS must be a whole number of days, 1 or more, not {days!r}")
    if not (settings.get("PORTAL_URL") or settings.get("SITEURL", "").startswith("http")):
        raise QrSettingsError("page_qr: set PORTAL_URL (the public https:// address) in pelicanconf.py")
    folder = os.path.join(settings["CACHE_PATH"], "page_qr") if settings["PAGE_QR_CACHE"] else None
    read = not ignore_cache_requested(sys.argv[1:])
    if folder and not read:
        logger.info("page_qr: --ignore-cache: every QR code is made again, the cache is not read")
    _cache = QrCache(folder, level, generation(settings), read=read)
    enabled = settings["PAGE_QR_ENABLED"]
    settings.setdefault("JINJA_FILTERS", {})["qr_svg"] = (
        (lambda url: Markup(_cache.get(public_url(settings, url)))) if enabled else (lambda url: "")
    )


def prune(pelican: Any) -> None:
    if _cache is not None:
        removed = _cache.prune(pelican.settings["PAGE_QR_CACHE_DAYS"])
        if removed:
            logger.info("page_qr: removed %d cached QR codes no page uses", removed)


def register() -> None:
    # initialized: settings are final and the Jinja environment is not built yet.
    signals.initialized.connect(configure)
    # finalized: the build's pages are rendered (fast_build registers first), its codes are made.
    signals.finalized.connect(prune)
