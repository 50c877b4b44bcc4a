"""Real Chromium at phone and desktop size: layout, keyboard and the age-friendly toggle."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import ARTIFACTS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def first(output: Path, pattern: str) -> str:
    """URL path of the first built page matching a glob, in sorted order."""
    found = sorted(output.glob(pattern))
    assert found, pattern
    return "/" + str(found[0].relative_to(output)).removesuffix("index.html")


@pytest.fixture(scope="module")
def page_types(demo_build) -> dict[str, str]:
    out = demo_build.output
    return {
        "home": "/",
        "column": "/zcwj/",
        "policy": first(out, "zcwj/*/*/index.html"),
        "interpretation": first(out, "zcjd/*/*/index.html"),
        "news": first(out, "gzdt/*/*/index.html"),
        "notice": first(out, "tzgg/*/*/index.html"),
        "consultation": first(out, "yjzj/*/*/index.html"),
        "reply": first(out, "hdhy/*/*/index.html"),
        "dataset": first(out, "sjkf/*/*/index.html"),
        "page": "/about/",
        "english": "/en/about/",
        "404": "/404.html",
    }


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_horizontal_scrolling_and_screenshots(browser, demo_url, page_types, size):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport=size)
    try:
        for name, path in page_types.items():
            response = page.goto(demo_url + path)
            assert response is not None and (response.ok or name == "404"), path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {size['width']}px"
            page.screenshot(path=str(ARTIFACTS / f"{name}-{size['width']}.png"), full_page=True)
    finally:
        page.close()


def test_keyboard_reaches_skip_link_and_navigation(browser, demo_url):
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(demo_url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "gz-skip"
        assert page.evaluate("document.activeElement.getBoundingClientRect().top >= 0")
        names = []
        for _ in range(40):
            page.keyboard.press("Tab")
            names.append(page.evaluate("document.activeElement.textContent.trim()"))
        for column in ("政策文件", "政策解读", "工作动态", "通知公告"):
            assert column in names
    finally:
        page.close()


def test_age_friendly_toggle_enlarges_text(browser, demo_url, page_types):
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(demo_url + page_types["policy"])
        size = "parseFloat(getComputedStyle(document.querySelector('.gz-doc__body p')).fontSize)"
        before = page.evaluate(size)
        page.click("label.gz-care")
        after = page.evaluate(size)
        assert after >= before * 1.25, (before, after)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        page.close()


def test_pages_reflow_at_320_css_pixels(browser, demo_url, page_types):
    """WCAG 1.4.10: 1280 px at 400 % zoom is 320 CSS px; nothing may scroll sideways."""
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        for path in (page_types["home"], page_types["policy"], page_types["column"], page_types["reply"]):
            page.goto(demo_url + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"
    finally:
        page.close()


def test_age_friendly_mode_persists_across_pages(browser, demo_url, page_types):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(demo_url + "/")
        page.click("label.gz-care")
        root_size = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
        assert page.evaluate(root_size) > 20
        page.goto(demo_url + page_types["policy"])
        assert page.evaluate("document.getElementById('gz-care').checked")
        assert page.evaluate(root_size) > 20
    finally:
        context.close()


def test_print_shows_metadata_and_text_without_navigation(browser, demo_url, page_types):
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(demo_url + page_types["policy"])
        page.emulate_media(media="print")
        visible = "sel => getComputedStyle(document.querySelector(sel)).display !== 'none'"
        for selector in (".gz-header", ".gz-nav", ".gz-footer", ".gz-tools", ".gz-crumbs"):
            assert not page.evaluate(visible, selector), selector
        for selector in (".gz-meta", ".gz-doc__title", ".gz-doc__body"):
            assert page.evaluate(visible, selector), selector
        page.pdf(path=str(ARTIFACTS / "policy-print.pdf"))
    finally:
        page.close()
