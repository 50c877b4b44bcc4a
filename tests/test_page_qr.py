"""page_qr: codes identical to plain qrcode, that phones decode, cached by everything that made them."""

from __future__ import annotations

import os
import random
import re
import shutil
import string
import subprocess
import sys
import time
from pathlib import Path

import qrcode
from conftest import ROOT, Build, build, write_settings
from page_qr import page_qr

from gazette.files import load_verified, save_verified

# Bytes that fit in version 10 at each level, so the lengths below span versions 1-10.
CAPACITY_V10 = {"L": 271, "M": 213, "Q": 151, "H": 119}
PORTAL = "https://www.binhai.gov.cn"
LABEL, NEW_LABEL = 'aria-label="本页网址二维码"', 'aria-label="扫码在手机上打开本页"'
QR_SVG = re.compile(r'<svg class="gz-qr__img".*?</svg>', re.DOTALL)
# A digest-valid entry that no code looks like: it shows whether a build read the cache.
PLANTED = '<svg class="gz-qr__img" data-planted="yes"></svg>'
DAY_NS = 86_400 * 10**9


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


def test_codes_match_qrcode_for_versions_1_to_10():
    versions = set()
    for level in "LMQH":
        for url in urls(level, 50):
            plain = qrcode.QRCode(error_correction=page_qr.LEVELS[level], border=4)
            plain.add_data(url)
            plain.make()  # qrcode's eight layouts and lost_point scores choose the mask
            assert page_qr.svg_for(url, level) == reference_svg(plain), (level, url)
            versions.add((level, plain.version))
    assert versions == {(level, v) for level in "LMQH" for v in range(1, 11)}


def page_urls(count: int) -> list[str]:
    """Page addresses as the portal has them, from a column's home to long English slugs and page numbers."""
    rng = random.Random(12)
    words = "municipal government executive meeting flood prevention business environment approval".split()
    found = [f"{PORTAL}/", f"{PORTAL}/zcwj/", f"{PORTAL}/zcwj/2026/bzbf-2026-18/"]
    while len(found) < count:
        slug = "-".join(rng.choices(words, k=len(found) - 1))
        found.append(f"{PORTAL}/{rng.choice(['gzdt', 'zcjd', 'tzgg'])}/2026/{slug}/page/{len(found)}/")
    return found


def test_codes_decode_to_their_url_in_chromium_at_phone_size(browser, tmp_path):
    """Every code of a spread of lengths (versions 2 to 14), screenshotted by Chromium, is read by zbarimg."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for i, url in enumerate(page_urls(30)):
            page.set_content(f'<body style="margin:0;background:#fff">{page_qr.svg_for(url)}</body>')
            shot = tmp_path / f"qr-{i:02d}.png"
            page.locator("svg").screenshot(path=str(shot))
            decoded = subprocess.run(["zbarimg", "-q", "--raw", str(shot)], capture_output=True, text=True)
            assert decoded.stdout.strip() == url, (len(url), decoded.stderr)
    finally:
        page.close()


def test_the_cache_code_covers_every_setting_that_shapes_a_code():
    base = page_qr.SETTINGS.defaults()
    first = page_qr.code_digest(base)
    assert page_qr.code_digest(dict(base)) == first
    assert page_qr.code_digest({**base, "PAGE_QR_ERROR_CORRECTION": "H"}) != first
    assert page_qr.code_digest({**base, "PAGE_QR_COLOUR": "#036"}) != first  # a setting added later
    for unshaping in ("PAGE_QR_ENABLED", "SITENAME", "GAZETTE_CACHE_DAYS"):
        assert page_qr.code_digest({**base, unshaping: "changed"}) == first, unshaping


def qr_codes(output: Path) -> dict[str, str]:
    """The QR SVG of every page that has one, by the page's path in the output."""
    codes = {}
    for page in sorted(output.rglob("*.html")):
        found = QR_SVG.findall(page.read_text(encoding="utf-8"))
        if found:
            assert len(set(found)) == 1, page  # (a page may show its code twice: share panel and footer)
            codes[str(page.relative_to(output))] = found[0]
    return codes


def entries(cache: Path) -> list[Path]:
    """The cached codes, of every generation (CACHE_PATH/page_qr/<generation>/<xx>/<key>)."""
    return sorted(p for p in (cache / "page_qr").glob("*/*/*") if p.is_file())


def generations(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "page_qr").iterdir())


def pelican(content: Path, output: Path, *options: str, **overrides: object) -> Build:
    """conftest.build with extra command-line options (--ignore-cache)."""
    settings = write_settings(output.parent, content, **overrides)
    cmd = [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", str(settings),
           "--fatal", "warnings", *options]
    env = {**os.environ, "TZ": "Asia/Shanghai", "LC_ALL": "C.UTF-8", "COLUMNS": "200"}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=output.parent, env=env, timeout=300)
    return Build(proc.returncode, proc.stdout, proc.stderr, output, content)


def test_edited_markup_reaches_every_page_after_an_incremental_build(sample_content, tmp_path):
    """The stale case of issue #12: codes were cached by level and URL only, so edits to the plugin never showed."""
    plugins = Path(shutil.copytree(ROOT / "plugins", tmp_path / "plugins",
                                   ignore=shutil.ignore_patterns("__pycache__")))
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "PLUGIN_PATHS": [str(plugins)]}
    first = build(sample_content, tmp_path / "output", **settings)
    assert first.returncode == 0, first.stderr
    before = qr_codes(first.output)
    # (English pages name the code in English: the filter swaps the label, the cache keeps this one)
    assert len(before) > 10 and all(LABEL in svg for page, svg in before.items() if not page.startswith("en/"))
    old = generations(tmp_path / "cache")
    code = plugins / "page_qr" / "page_qr.py"
    code.write_text(code.read_text(encoding="utf-8").replace(LABEL, NEW_LABEL), encoding="utf-8")

    again = build(sample_content, tmp_path / "output", **settings)
    assert again.returncode == 0, again.stderr
    after = qr_codes(again.output)
    assert after == {page: svg.replace(LABEL, NEW_LABEL) for page, svg in before.items()}
    # A new generation, and the old one is gone: nothing could read it again.
    assert len(old) == len(generations(tmp_path / "cache")) == 1 and generations(tmp_path / "cache") != old
    assert len(entries(tmp_path / "cache")) == len(set(after.values()))
    assert all(NEW_LABEL.encode() in load_verified(str(e)) for e in entries(tmp_path / "cache"))


def test_a_changed_setting_reaches_every_page_after_an_incremental_build(sample_content, tmp_path):
    settings = {"CACHE_PATH": str(tmp_path / "cache")}
    first = build(sample_content, tmp_path / "output", PAGE_QR_ERROR_CORRECTION="M", **settings)
    assert first.returncode == 0, first.stderr
    again = build(sample_content, tmp_path / "output", PAGE_QR_ERROR_CORRECTION="Q", **settings)
    assert again.returncode == 0, again.stderr
    codes = qr_codes(again.output)
    assert len(codes) > 10
    for page, svg in codes.items():
        label = "QR code of this page’s address" if page.startswith("en/") else ""
        assert svg == page_qr.labelled(page_qr.svg_for(f"{PORTAL}/{page.removesuffix('index.html')}", "Q"),
                                       label), page
    assert len(entries(tmp_path / "cache")) == len(set(codes.values()))


def test_ignore_cache_makes_every_code_without_reading_the_cache(sample_content, tmp_path):
    # Each build into a folder of its own: fast_build renders every page, so every page asks for its code.
    settings = {"CACHE_PATH": str(tmp_path / "cache")}
    first = build(sample_content, tmp_path / "first" / "output", **settings)
    assert first.returncode == 0, first.stderr
    made = qr_codes(first.output)
    for entry in entries(tmp_path / "cache"):
        save_verified(str(entry), PLANTED.encode())
    read = build(sample_content, tmp_path / "read" / "output", **settings)
    assert read.returncode == 0, read.stderr
    assert set(qr_codes(read.output).values()) == {PLANTED}  # a build without the flag reads the cache

    ignored = pelican(sample_content, tmp_path / "ignored" / "output", "--ignore-cache", **settings)
    assert ignored.returncode == 0, ignored.stderr
    assert qr_codes(ignored.output) == made
    # (the cache keeps each code with page_qr's own label; English pages show theirs)
    assert {load_verified(str(e)).decode() for e in entries(tmp_path / "cache")} == {
        page_qr.labelled(svg, "本页网址二维码") for svg in made.values()}


def test_entries_no_page_used_for_a_month_are_removed(sample_content, tmp_path):
    settings = {"CACHE_PATH": str(tmp_path / "cache")}  # GAZETTE_CACHE_DAYS: 30
    first = build(sample_content, tmp_path / "first" / "output", **settings)
    assert first.returncode == 0, first.stderr
    used = entries(tmp_path / "cache")
    old = time.time_ns() - 31 * DAY_NS
    for entry in used:
        os.utime(entry, ns=(old, entry.stat().st_mtime_ns))
    made = {entry: entry.stat().st_mtime_ns for entry in used}
    unused = used[0].parent.parent / "00" / ("0" * 40)  # a deleted page's code
    save_verified(str(unused), PLANTED.encode())
    os.utime(unused, ns=(old, old))

    again = build(sample_content, tmp_path / "again" / "output", **settings)  # every page renders
    assert again.returncode == 0, again.stderr
    assert entries(tmp_path / "cache") == used  # the pages used theirs (so they are a month younger)
    assert {entry: entry.stat().st_mtime_ns for entry in used} == made  # read, not made again
