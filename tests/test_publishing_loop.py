"""The office's pipeline, run as CI runs it: a copy of the project whose content/ is another portal.

Each test makes a throw-away project (the tool's files, a small portal of its own in content/,
a git history with fixed dates) and runs the Makefile targets the CI files call, with a fixed
clock (NOW=…), asserting on the files and lines they produce.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE

VENV = Path(sys.executable).parent.parent
# Another portal: the sample site with an address of its own, so nothing may refer to the demo.
OTHER_URL = "https://www.yangli.gov.cn"
TIMED = """---
title: 定时发布的通知
date: 2024-05-20 09:00
publish_at: 2024-06-01 15:00
---
下午三点发布。
"""


def git(project: Path, *args: str, when: str = "2024-05-20T10:00:00+08:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "编辑",
           "GIT_AUTHOR_EMAIL": "bj@example.gov.cn", "GIT_COMMITTER_NAME": "编辑",
           "GIT_COMMITTER_EMAIL": "bj@example.gov.cn"}
    subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


def commit(project: Path, message: str, when: str = "2024-05-20T10:00:00+08:00") -> None:
    git(project, "add", "-A", when=when)
    git(project, "commit", "-q", "-m", message, when=when)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The tool as committed (and being changed), with content/ replaced by another small portal."""
    dest = tmp_path / "portal"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = ROOT / rel
        if rel.startswith("content/") or not source.is_file():
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / rel)
    shutil.copytree(SAMPLE, dest / "content")
    site = dest / "content" / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "  name: 样例市人民政府\n", f"  name: 样例市人民政府\n  url: {OTHER_URL}\n", 1), encoding="utf-8")
    os.utime(dest / "pyproject.toml", (0, 0))  # the shared venv counts as installed for it
    git(dest, "init", "-q", "-b", "main")
    commit(dest, "the office's portal")
    return dest


def make(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MAKE"))}
    return subprocess.run(["make", "--no-print-directory", f"VENV={VENV}", *args], cwd=project, text=True,
                          capture_output=True, timeout=300, env={**clean, "TZ": "Asia/Shanghai", **env})


def test_an_office_replaces_the_demo_and_its_pipeline_runs(project):
    (project / "content/news/timed.md").write_text(TIMED, encoding="utf-8")
    commit(project, "a scheduled notice")
    # Only content changed: the pipeline skips the tool's tests and still validates and publishes.
    changed = subprocess.run([".ci/tool-changed", "HEAD~1"], cwd=project, capture_output=True, text=True)
    assert changed.returncode == 1, changed.stdout
    assert "only content/ changed" in changed.stdout
    validated = make(project, "validate", "NOW=2024-06-01 12:00")
    assert validated.returncode == 0, validated.stderr
    assert "gazette: 15 documents checked (4 held back: drafts, under review or scheduled), no errors." in validated.stderr
    published = make(project, "publish", "NOW=2024-06-01 12:00")
    assert published.returncode == 0, published.stderr
    out = project / "output"
    assert "样例市人民政府" in (out / "index.html").read_text(encoding="utf-8")
    demo = [str(p.relative_to(project)) for folder in (out, project / "output-inspection")
            for p in folder.rglob("*") if p.is_file()
            and re.search("滨海|binhai", p.read_bytes().decode("utf-8", "replace"))]
    assert demo == []
    assert f"<loc>{OTHER_URL}/gzdt/2024/gzdt-1/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert not (out / "gzdt/2024/timed").exists()  # embargoed until 15:00
    # The tool's own tests do not read content/: with another portal in it, they still pass.
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_demo.py",
                            "-k", "not search"], cwd=project, capture_output=True, text=True, timeout=600)
    assert tests.returncode == 0, tests.stdout[-3000:]


def test_tool_changes_run_the_tool_tests(project):
    (project / "content/news/gzdt-1.md").write_text(
        (project / "content/news/gzdt-1.md").read_text(encoding="utf-8") + "补充。\n", encoding="utf-8")
    commit(project, "content only")
    assert subprocess.run([".ci/tool-changed", "HEAD~1"], cwd=project, capture_output=True).returncode == 1
    with (project / "themes/gazette/templates/base.html").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    commit(project, "theme change")
    assert subprocess.run([".ci/tool-changed", "HEAD~1"], cwd=project, capture_output=True).returncode == 0
    # no usable base (a new branch, a force push): run them
    for base in ("", "0" * 40, "f" * 40):
        assert subprocess.run([".ci/tool-changed", base], cwd=project, capture_output=True).returncode == 0


def test_validate_shows_each_problem_once_on_its_file_and_line(project, tmp_path):
    bad = project / "content/news/bad.md"
    bad.write_text("---\ntitle: 有错的稿件\ndate: 2024-05-20\nstatsu: draft\n---\n正文\n", encoding="utf-8")
    broken = project / "content/news/broken.md"
    broken.write_text("---\ntitle: 冒号：全角\ndate 2024-05-20\n---\n正文\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = make(project, "validate", GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary),
                  GITHUB_REPOSITORY="office/portal", GITHUB_SHA="abc123")
    assert result.returncode != 0
    editor_lines = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert len(editor_lines) == len(set(editor_lines)) == 2, result.stderr
    assert editor_lines[1].startswith("content/news/broken.md: ")
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations[0].startswith("::error file=content/news/bad.md,line=4,title=错误 statsu::unknown field")
    assert annotations[1].startswith("::error file=content/news/broken.md,line=")
    assert len(annotations) == 2
    table = summary.read_text(encoding="utf-8")
    assert "### 内容检查：2 个必须修改，0 个提醒" in table
    assert "[content/news/bad.md:4](https://github.com/office/portal/blob/abc123/content/news/bad.md#L4)" in table
    quality = json.loads((project / "ci-report/codequality-validate.json").read_text(encoding="utf-8"))
    first = quality[0]
    assert (first["location"]["path"], first["location"]["lines"]["begin"], first["severity"]) == (
        "content/news/bad.md", 4, "major")
    assert len({q["fingerprint"] for q in quality}) == 2
    assert not (project / "output").exists()  # validation writes no site


def test_scheduled_runs_publish_within_the_hour_and_only_then(project):
    (project / "content/news/timed.md").write_text(TIMED, encoding="utf-8")
    commit(project, "a notice for 15:00")
    index = project / "output" / "index.html"

    first = make(project, "scheduled", "NOW=2024-06-01 12:00")
    assert first.returncode == 0, first.stderr
    assert "due: no record of the last publish" in first.stdout
    assert index.is_file() and not (project / "output/gzdt/2024/timed").exists()

    stamp = index.stat().st_mtime_ns
    quiet = make(project, "scheduled", "NOW=2024-06-01 14:07")
    assert quiet.returncode == 0, quiet.stderr
    assert ("nothing due since the last publish at 2024-06-01 12:00; next: 2024-06-01 15:00 定时发布 "
            "content/news/timed.md") in quiet.stdout
    assert "publish:" not in quiet.stderr and index.stat().st_mtime_ns == stamp

    due = make(project, "scheduled", "NOW=2024-06-01 15:07")
    assert due.returncode == 0, due.stderr
    assert "due: 2024-06-01 15:00 定时发布 content/news/timed.md" in due.stdout
    assert "定时发布的通知" in (project / "output/gzdt/2024/timed/index.html").read_text(encoding="utf-8")

    # a consultation closing at 17:00 says so by 18:00
    page = project / "output/yjzj/2024/open-one/index.html"
    assert 'gz-badge--open">' in page.read_text(encoding="utf-8")
    closing = make(project, "scheduled", "NOW=2024-06-30 16:07")  # a new day: always published
    assert "due: last published 2024-06-01 15:07" in closing.stdout
    closed = make(project, "scheduled", "NOW=2024-06-30 17:07")
    assert "due: 2024-06-30 17:00 征集结束 content/consultation/open-one.md" in closed.stdout
    assert 'gz-badge--closed">已结束<' in page.read_text(encoding="utf-8")


def test_check_lists_what_changes_in_the_next_seven_days(project):
    (project / "content/news/timed.md").write_text(TIMED, encoding="utf-8")
    result = make(project, "check", "NOW=2024-06-01 12:00", "TODAY=2024-06-01")
    assert ("未来 7 天将自动变化的内容（2024-06-01 12:00 起）：\n"
            "  2024-06-01 15:00 定时发布 content/news/timed.md\n") in result.stdout
    later = make(project, "check", "NOW=2024-06-25 12:00", "TODAY=2024-06-25")
    assert "  2024-06-30 17:00 征集结束 content/consultation/open-one.md\n" in later.stdout
    assert "定时发布 content/policy/embargoed.md" not in later.stdout  # 2030: not this week


def test_preview_shows_held_back_items_works_offline_and_is_never_indexed(project, browser):
    result = make(project, "preview", "NOW=2024-06-01 12:00")
    assert result.returncode == 0, result.stderr
    out = project / "output-preview"
    draft = (out / "zcwj/2024/draft-policy/index.html").read_text(encoding="utf-8")
    assert "DRAFT-CANARY" in draft and "预览：草稿" in draft
    assert "预览：定时发布（2030-01-01 09:00）" in (out / "zcwj/2024/embargoed/index.html").read_text(encoding="utf-8")
    assert (out / "robots.txt").read_text(encoding="utf-8").endswith("User-agent: *\nDisallow: /\n")
    assert not (out / "sitemap.xml").exists()
    pages = sorted(out.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in html, page
        if page.name != "index.html" or "inspection" not in page.parts:
            assert "预览版" in html, page
        for url in re.findall(r'(?:href|src|action)="([^"#?]*)[^"]*"', html):
            if url and not re.match(r"[a-z]+:", url):
                assert not url.startswith("/"), (page, url)
                assert (page.parent / url).resolve().is_file(), (page, url)  # opens from a zip (file://)
    # Opened from the folder as a reviewer opens an unzipped artifact: styled, and links work.
    tab = browser.new_page(viewport={"width": 390, "height": 844})
    tab.goto((out / "index.html").as_uri())
    assert tab.eval_on_selector(".gz-preview", "e => getComputedStyle(e).borderLeftWidth") == "6px"
    tab.click("nav a:text('政策文件')")
    assert tab.url.endswith("/zcwj/index.html") and "DRAFT-CANARY" in tab.content()
    tab.close()
    # and the production build of the same content never has them
    assert make(project, "publish", "NOW=2024-06-01 12:00").returncode == 0
    leaks = [p for p in (project / "output").rglob("*") if p.is_file() and b"CANARY" in p.read_bytes()]
    assert leaks == []


def test_a_blocked_publish_keeps_its_report_and_annotates_the_source_line(project, tmp_path):
    (project / "content/news/leak.md").write_text(
        "---\ntitle: 名单公示\ndate: 2024-05-20 09:00\n---\n公示如下。\n\n联系人：张三，13812345678。\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = make(project, "publish", "NOW=2024-06-01 12:00", GITHUB_ACTIONS="true",
                  GITHUB_STEP_SUMMARY=str(summary))
    assert result.returncode != 0
    assert not (project / "output").exists()  # nothing published
    report = json.loads((project / "output-inspection/report.json").read_text(encoding="utf-8"))
    assert report["summary"]["block"] == 1
    assert "::error file=content/news/leak.md,line=7,title=禁止发布 personal-data::手机号码 138****5678" in (
        result.stdout.splitlines())
    assert "### 发布检查：" in summary.read_text(encoding="utf-8")
    quality = json.loads((project / "ci-report/codequality-publish.json").read_text(encoding="utf-8"))
    assert ("content/news/leak.md", "critical") in [(q["location"]["path"], q["severity"]) for q in quality]
