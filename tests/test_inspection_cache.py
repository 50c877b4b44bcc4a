"""The inspection's fact cache: a rebuild reports the same, and no change hides behind it."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from inspection.inspection import FactCache, _walk

import gazette.build

HOUR_AGO = time.time() - 3600


def _backdate(folder: Path) -> None:
    """Age every file past the mtime tick, as a rebuild minutes later sees them: now facts may be cached."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (HOUR_AGO, HOUR_AGO))


def _findings(output: Path, rule: str) -> list[tuple[str, str, str, int]]:
    report = json.loads((output / "inspection" / "report.json").read_text(encoding="utf-8"))
    return [(f["severity"], f["message"], f.get("path", ""), f.get("line", 0))
            for f in report["findings"] if f["rule"] == rule]


def test_rebuild_reports_the_same_and_a_same_size_edit_is_seen(build_site, sample_content, tmp_path):
    settings = {"INSPECTION_ENABLED": True, "INSPECTION_TODAY": "2024-05-10", "CACHE_PATH": str(tmp_path / "cache")}
    news = sample_content / "news" / "gzdt-1.md"
    news.write_text(news.read_text(encoding="utf-8").replace("会议正文。", "[政策](/zcwj/2024/yl-2024-5/)\n\n会议正文。"),
                    encoding="utf-8")
    first = build_site(sample_content, **settings)
    assert first.returncode == 0, first.stderr
    assert len(list((tmp_path / "cache" / "inspection").glob("*/fa/facts"))) == 1
    report = {name: (first.output / "inspection" / name).read_bytes() for name in ("report.json", "index.html")}

    _backdate(first.output)
    _backdate(sample_content)
    second = build_site(sample_content, **settings)
    assert second.returncode == 0, second.stderr
    assert {name: (second.output / "inspection" / name).read_bytes() for name in report} == report

    # Same number of bytes in the source and in the page: only the mtime tells the edit apart.
    news.write_text(news.read_text(encoding="utf-8").replace("/2024/", "/2099/").replace("会议正文。",
                                                                                          "13812345678 。"),
                    encoding="utf-8")
    third = build_site(sample_content, **settings)
    assert third.returncode == 0, third.stderr
    assert _findings(third.output, "broken-links") == [
        ("block", "链接失效：/zcwj/2099/yl-2024-5/", "content/news/gzdt-1.md", 7)]
    assert _findings(third.output, "personal-data") == [
        ("block", "手机号码 138****5678", "content/news/gzdt-1.md", 9)]


def test_only_pages_whose_stamp_changed_are_read(build_site, sample_content, tmp_path):
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    output = result.output
    _backdate(output)
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "PORTAL_URL": ""}
    gazette.build.start(dt.datetime.now(dt.UTC)).site["site"] = {"host": "样例市人民政府办公室"}
    files, pages = _walk(output, "inspection")
    assert "index.html" in pages and "theme/css/gazette.css" in files

    cold = FactCache(settings)
    cold.load()
    facts = cold.page_facts(output, pages)
    cold.save({})
    assert cold.read == len(pages)

    warm = FactCache(settings)
    warm.load()
    assert warm.page_facts(output, pages) == facts and warm.read == 0

    page = output / "gzdt/2024/gzdt-1/index.html"
    size = page.stat().st_size
    page.write_text(page.read_text(encoding="utf-8").replace('href="/zcwj/"', 'href="/none/"', 1), encoding="utf-8")
    assert page.stat().st_size == size  # only the mtime tells the edit apart
    soon = time.time_ns() + 60 * 10**9  # "just written", however slow this machine is
    os.utime(page, ns=(soon, soon))
    changed = FactCache(settings)
    changed.load()
    after = changed.page_facts(output, _walk(output, "inspection")[1])
    assert changed.read == 1
    assert ("href", "/none/", "none/index.html", "") in after["gzdt/2024/gzdt-1/index.html"].links
    # Just written: a same-size rewrite within the same mtime tick would go unnoticed, so it is not cached.
    assert "gzdt/2024/gzdt-1/index.html" not in changed.next_pages and "index.html" in changed.next_pages
