"""The fast QR mask selection must stay byte-identical to plain qrcode."""

from __future__ import annotations

import random
import string
import sys

import qrcode
from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from page_qr import page_qr

# Bytes that fit in version 10 at each level, so the lengths below span versions 1-10.
CAPACITY_V10 = {"L": 271, "M": 213, "Q": 151, "H": 119}


def reference_svg(qr: qrcode.QRCode) -> str:
    """The SVG as page_qr rendered it before the fast path: a module-by-module loop."""
    matrix = qr.get_matrix()
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


def urls(level: str, count: int) -> list[str]:
    """URLs of evenly spread lengths; digits and capitals make qrcode mix numeric and alphanumeric chunks."""
    rng = random.Random(level)
    alphabet = string.ascii_lowercase + string.digits * 3 + string.ascii_uppercase + "/-_.?=&%"
    lengths = [1 + i * (CAPACITY_V10[level] - 1) // (count - 1) for i in range(count)]
    return [("https://www.binhai.gov.cn/" + "".join(rng.choices(alphabet, k=n)))[:n] for n in lengths]


def test_fast_mask_matches_qrcode_for_versions_1_to_10():
    versions = set()
    for level in "LMQH":
        for url in urls(level, 50):
            plain = qrcode.QRCode(error_correction=page_qr._LEVELS[level], border=4)
            plain.add_data(url)
            plain.best_fit()
            mask = plain.best_mask_pattern()  # qrcode's eight layouts and lost_point scores
            fast = page_qr.FastMaskQRCode(error_correction=page_qr._LEVELS[level], border=4)
            fast.add_data(url)
            fast.best_fit()
            assert fast.best_mask_pattern() == mask, (level, url)
            plain.makeImpl(False, mask)  # the rest of qrcode's make()
            assert page_qr.svg_for(url, level) == reference_svg(plain), (level, url)
            versions.add((level, plain.version))
    assert versions == {(level, v) for level in "LMQH" for v in range(1, 11)}
