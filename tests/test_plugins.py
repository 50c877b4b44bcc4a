"""The order of PLUGINS does not change the site; a missing or misplaced plugin is one line and a failed build."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build

NORMAL = ["content_model", "listings", "fast_build", "page_qr", "share", "seo", "feeds", "site_search", "minify",
          "open_data", "annual_reports", "cms", "inspection"]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("plugins", [
    ["seo", *[p for p in NORMAL if p != "seo"]],
    # reversed, except that fast_build and site_search stay before inspection, which reads the pages
    # and counts the search index they write
    ["fast_build", "site_search", *[p for p in reversed(NORMAL) if p not in ("fast_build", "site_search")]],
], ids=["seo-first", "reversed"])
def test_order_of_plugins_does_not_change_the_site(sample_build, tmp_path, plugins):
    result = build(sample_build.content, tmp_path / "output", PLUGINS=plugins)
    assert result.returncode == 0, result.stderr
    expected, built = files(sample_build.output), files(result.output)
    assert sorted(built) == sorted(expected)
    assert [path for path in expected if built[path] != expected[path]] == []


@pytest.mark.parametrize(("plugins", "line"), [
    (["fast_build", "seo"], "seo needs content_model; add it to PLUGINS"),  # (seo needs fast_build too: its pages make the sitemap)
    ([p for p in NORMAL if p != "content_model"],
     "listings, page_qr, share, seo, feeds, site_search, open_data, annual_reports, cms, inspection need "
     "content_model; "
     "add it to PLUGINS"),
    (["content_model", "listings", "inspection", "fast_build"],
     "inspection must come after fast_build; list it after fast_build"),
    (["content_model", "listings", "fast_build", "inspection", "site_search"],
     "inspection must come after site_search; list it after site_search"),
], ids=["seo-without-content-model", "no-content-model", "inspection-before-fast-build", "inspection-before-search"])
def test_missing_or_misplaced_plugin_is_one_line(sample_content, tmp_path, plugins, line):
    result = build(sample_content, tmp_path / "output", PLUGINS=plugins)
    assert result.returncode != 0
    assert result.stderr.splitlines() == [f"pelicanconf.py: PLUGINS: {line}"]
    assert not result.output.exists() or not any(result.output.iterdir())


@pytest.mark.parametrize(("settings", "lines"), [
    ({"SEO_ROBOT_DISALLOW": ["/x/"]}, ["SEO_ROBOT_DISALLOW: not a setting of seo; did you mean SEO_ROBOTS_DISALLOW?"]),
    ({"INSPECTION_SPEED": 1}, ["INSPECTION_SPEED: not a setting of inspection (see docs/settings.md)"]),
    ({"FEEDS_MAX_ITEMS": "50", "GAZETTE_WORKERS": True, "GAZETTE_CACHE_DAYS": 0},
     ["FEEDS_MAX_ITEMS: whole number ≥ 1 expected, not '50'", "GAZETTE_WORKERS: whole number ≥ 1 expected, not True",
      "GAZETTE_CACHE_DAYS: whole number ≥ 1 expected, not 0"]),
    ({"PAGE_QR_ERROR_CORRECTION": "X", "SEO_ROBOTS_DISALLOW": "/x/"},
     ["PAGE_QR_ERROR_CORRECTION: one of 'L', 'M', 'Q', 'H' expected, not 'X'",
      "SEO_ROBOTS_DISALLOW: list of text expected, not '/x/'"]),
], ids=["misspelt", "unknown", "wrong-type", "wrong-choice"])
def test_a_wrong_setting_is_one_line_each(sample_content, tmp_path, settings, lines):
    """A misspelt setting would be ignored silently; each problem names the setting and what it takes."""
    result = build(sample_content, tmp_path / "output", **settings)
    assert result.returncode != 0
    assert sorted(result.stderr.splitlines()) == sorted(f"pelicanconf.py: {line}" for line in lines)
    assert not result.output.exists() or not any(result.output.iterdir())
