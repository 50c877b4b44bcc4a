"""Golden-site test: the sample site's pages must match the committed expected HTML.

A deliberate change to templates or plugins regenerates them with `make golden`;
review the diff of tests/golden/ like any other code change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden" / "sample"
PAGES = [
    "index.html",
    "404.html",
    "zcwj/index.html",
    "zcwj/2024/yl-2024-5/index.html",
    "zcwj/2019/yl-2019-2/index.html",
    "zcjd/2024/jd-2024-5/index.html",
    "yjzj/2024/open-one/index.html",
    "yjzj/2024/closed-one/index.html",
    "hdhy/2024/hf-1/index.html",
    "sjkf/2024/population/index.html",
    "about/index.html",
    "en/about/index.html",
    "zfxxgk/ndbg/2023/index.html",
    "zfxxgk/wzbb/2023/index.html",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(sample_build, page, request):
    produced = sample_build.html(page)
    golden = GOLDEN / page
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
    assert golden.is_file(), f"no golden for {page}; run `make golden`"
    assert produced == golden.read_text(encoding="utf-8"), f"{page} differs; run `make golden` if intended"


def test_build_is_deterministic(sample_content, build_site, sample_build):
    """Same input, same bytes: a second build of the same content is identical."""
    again = build_site(sample_content)
    assert again.returncode == 0, again.stderr
    first = {p.relative_to(sample_build.output): p.read_bytes()
             for p in sample_build.output.rglob("*") if p.is_file()}
    second = {p.relative_to(again.output): p.read_bytes() for p in again.output.rglob("*") if p.is_file()}
    assert first == second
