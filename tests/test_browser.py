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
