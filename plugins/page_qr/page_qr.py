"""An inline SVG QR code of every page's public URL ("扫一扫在手机打开当前页").

Templates call the `qr_svg` Jinja filter on a page's URL, so only pages that are
rendered pay for a code. Codes are cached on disk by URL, so rebuilds do not
regenerate unchanged ones; each entry carries its digest, so a truncated or edited one
is made again, never published. Masks are scored with bit arithmetic (same choice as
qrcode, about a fifth of the time) because QR codes dominate a cold build.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import qrcode

from gazette.files import load_verified, save_verified
from gazette.urls import public_url
from markupsafe import Markup
from pelican import signals
from qrcode import util
from qrcode.main import precomputed_qr_blanks

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


class _Geometry(NamedTuple):
    """Per-version masks: bit masks over a packed matrix (see `_pack`) and module lists."""

    size: int
    valid: int  # every module of every row and column line, guards excluded
    blocks: int  # row modules with a neighbour above and to the left: the 2x2 block anchors
    deltas: tuple[int, ...]  # per mask, packed: the data modules where it differs from mask 0
    flips: tuple[tuple[tuple[int, ...], ...], ...]  # the same, as column indices per row


_GEOMETRY: dict[int, _Geometry] = {}
_DARK_RUN = re.compile(b"\x01+")
_BITS = bytes.maketrans(b"\x00\x01", b"01")


def _pack(lines: Iterable[Sequence[bool]]) -> int:
    """Pack lines of modules into one int, a light guard bit between lines.

    The guard is 0 in both the dark and the light bitmap, so no run or pattern
    window can span two lines; earlier lines land in higher bits.
    """
    return int(b"\x00".join(map(bytes, lines)).translate(_BITS), 2)


def _lines(matrix: Sequence[Sequence[bool]]) -> list[Sequence[bool]]:
    """Rows then columns: N1 and N3 score both directions the same way."""
    return [*matrix, *zip(*matrix, strict=True)]


def _geometry(qr: qrcode.QRCode) -> _Geometry:
    """Masks for qr's version, built once per process; qr must have run makeImpl."""
    version = qr.version
    if version not in _GEOMETRY:
        n = qr.modules_count
        # Reuse qrcode's own layout code: data modules are those still None once the
        # function patterns and the (test-mode) format and version info are placed.
        scratch = qrcode.QRCode(version=version)
        scratch.modules_count = n
        scratch.modules = [row[:] for row in precomputed_qr_blanks[version]]
        scratch.setup_type_info(True, 0)
        if version >= 7:
            scratch.setup_type_number(True)
        data = [[module is None for module in row] for row in scratch.modules]
        masks = [util.mask_func(i) for i in range(8)]
        base = masks[0]
        deltas = [[[data[r][c] and mask(r, c) != base(r, c) for c in range(n)] for r in range(n)] for mask in masks]
        anchors = [[r > 0 and c > 0 for c in range(n)] for r in range(n)] + [[False] * n] * n
        _GEOMETRY[version] = _Geometry(
            n, _pack([[True] * n] * (2 * n)), _pack(anchors), tuple(_pack(_lines(d)) for d in deltas),
            tuple(tuple(tuple(c for c, flip in enumerate(row) if flip) for row in d) for d in deltas))
    return _GEOMETRY[version]


def _lost_point(dark: int, g: _Geometry) -> int:
    """Return qrcode.util.lost_point of the matrix packed (rows and columns) in dark."""
    light = ~dark & g.valid
    score = 0
    # N1: a run of k >= 5 costs k - 2; `a` has k - 4 bits per run, `a & ~(a << 1)` one.
    for v in (dark, light):
        a = v & v >> 1 & v >> 2 & v >> 3 & v >> 4
        score += a.bit_count() + 2 * (a & ~(a << 1)).bit_count()
    # N2: 3 per 2x2 one-colour block; line r-1 sits one stride above line r.
    same_up = ~(dark ^ dark >> (g.size + 1))
    score += 3 * (same_up & same_up >> 1 & ~(dark ^ dark >> 1) & g.blocks).bit_count()
    # N3: 40 per 10111010000 or 00001011101; every position needs a dark or light bit, so guards stop it.
    d, li = dark, light
    p1 = d & li >> 1 & d >> 2 & d >> 3 & d >> 4 & li >> 5 & d >> 6 & li >> 7 & li >> 8 & li >> 9 & li >> 10
    p2 = li & li >> 1 & li >> 2 & li >> 3 & d >> 4 & li >> 5 & d >> 6 & d >> 7 & d >> 8 & li >> 9 & d >> 10
    score += 40 * (p1.bit_count() + p2.bit_count())
    # N4: qrcode's own float arithmetic, so rounding (and so ties) match; each module is packed twice.
    percent = float(dark.bit_count() // 2) / (g.size**2)
    return score + int(abs(percent * 100 - 50) / 5) * 10


class FastMaskQRCode(qrcode.QRCode):
    """A QRCode that lays its data out once, not nine times, and picks qrcode's mask."""

    def best_mask_pattern(self) -> int:
        """Return the mask with the lowest lost point, the first on ties, as qrcode does.

        Leaves the mask-0 test layout in `modules`.
        """
        # qrcode lays the code out once per mask; test-mode format and version modules
        # are light whatever the mask, so lay it out once and flip data modules per mask.
        self.makeImpl(True, 0)
        g = _geometry(self)
        packed = _pack(_lines(self.modules))
        scores = [_lost_point(packed ^ delta, g) for delta in g.deltas]
        return scores.index(min(scores))

    def make(self, fit: bool = True) -> None:
        """Compile the data as qrcode does, reusing the layout best_mask_pattern made."""
        if self.mask_pattern is not None:
            super().make(fit)
            return
        if fit or self.version is None:
            self.best_fit(start=self.version)
        mask = self.best_mask_pattern()
        # What makeImpl(False, mask) would build: flip data modules from mask 0 to the
        # chosen mask, then write the real format (and version) information.
        for row, columns in zip(self.modules, _geometry(self).flips[mask], strict=True):
            for c in columns:
                row[c] = not row[c]
        self.setup_type_info(False, mask)
        if self.version >= 7:
            self.setup_type_number(False)


def svg_for(data: str, level: str = "M") -> str:
    """Render data as a compact SVG: one path, horizontal runs of dark modules merged."""
    qr = FastMaskQRCode(error_correction=_LEVELS[level], border=4)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the 4-module quiet zone
    size = len(matrix)
    # A regex over the row's bytes finds the dark runs far faster than a Python loop.
    parts = [f"M{run.start()} {y}h{len(run[0])}v1h-{len(run[0])}z"
             for y, row in enumerate(matrix) for run in _DARK_RUN.finditer(bytes(row))]
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
        cached = load_verified(path) if path else None
        if cached is not None:
            svg = cached.decode("utf-8")
        else:
            svg = svg_for(url, self.level)
            if path:
                # Codes are made while pages render, possibly in forked workers, and a
                # half-written file would be served by every later build.
                save_verified(path, svg.encode("utf-8"))
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


def register() -> None:
    # initialized: settings are final and the Jinja environment is not built yet.
    signals.initialized.connect(configure)
