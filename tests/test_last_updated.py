"""最后更新 shows a change made after a document first went public, from git, and nothing else."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE, Build, build

SHALLOW_WARNING = ("最后更新: this is a shallow git clone, so commit dates are unknown and pages show no 最后更新; "
                   "clone with full history (actions/checkout fetch-depth: 0, GitLab GIT_DEPTH: 0) (warning)")
NEWS = "---\ntitle: {title}\ndate: {date}\n{extra}---\n{body}\n"


class Repo:
    """A content folder under git whose commits carry the dates a test gives them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.git("init", "-q")

    def git(self, *args: str, when: str = "2024-05-10T10:00:00+08:00") -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
               "GIT_AUTHOR_NAME": "editor", "GIT_AUTHOR_EMAIL": "e@example.gov.cn",
               "GIT_COMMITTER_NAME": "editor", "GIT_COMMITTER_EMAIL": "e@example.gov.cn"}
        subprocess.run(["git", "-c", "commit.gpgsign=false", *args],
                       cwd=self.path, env=env, check=True, capture_output=True)

    def commit(self, when: str, files: dict[str, str] | None = None) -> None:
        """Write files (path -> text) and commit everything at `when`."""
        for rel, text in (files or {}).items():
            (self.path / rel).write_text(text, encoding="utf-8")
        self.git("add", "-A", when=when)
        self.git("commit", "-q", "--allow-empty", "-m", f"edit at {when}", when=when)


def news(title: str, date: str, extra: str = "", body: str = "正文") -> str:
    return NEWS.format(title=title, date=date, extra=extra, body=body)


def shown(result: Build, rel: str) -> str | None:
    """The date a page's 最后更新 line shows, or None: a page never changed after it went public has none."""
    match = re.search(r"最后更新：(\d{4}-\d{2}-\d{2})", result.html(rel))
    return match[1] if match else None


def history(repo: Repo) -> None:
    """The sample site imported on 2024-05-10, then a few weeks of editing."""
    repo.commit("2024-05-10T10:00:00+08:00")  # the import: documents from 2019 onwards
    # 2024-05-12 07:00 in Asia/Shanghai, still 2024-05-11 in UTC
    repo.commit("2024-05-11T23:00:00Z", {"news/same-day.md": news("当天修改", "2024-05-12 07:00")})
    repo.commit("2024-05-12T09:00:00+08:00", {
        "news/edited.md": news("一周后修改", "2024-05-12 09:00"),
        "news/approved.md": news("审核次日发布", "2024-05-12 09:00", "status: review\n"),
        "news/explicit.md": news("写明更新日期", "2024-05-12 09:00", "updated: 2024-05-25\n"),
    })
    # a typo fixed the same portal day, though on another day in UTC
    repo.commit("2024-05-12T03:00:00Z", {"news/same-day.md": news("当天修改", "2024-05-12 07:00", body="改正错字")})
    # the reviewer approves the next morning: the item goes public, nothing in it changes
    repo.commit("2024-05-13T10:00:00+08:00", {"news/approved.md": news("审核次日发布", "2024-05-12 09:00")})
    repo.commit("2024-05-19T15:00:00+08:00", {
        "news/edited.md": news("一周后修改", "2024-05-12 09:00", body="补充内容"),
        "news/explicit.md": news("写明更新日期", "2024-05-12 09:00", "updated: 2024-05-25\n", body="补充"),
    })
    repo.git("mv", "policy/yl-2019-2.md", "policy/old-2019.md")  # a rename starts a new history
    repo.commit("2024-05-20T09:00:00+08:00")


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Path]:
    """The sample site with the edits of `history`, built once; and its content folder."""
    base = tmp_path_factory.mktemp("edited")
    content = base / "content"
    shutil.copytree(SAMPLE, content)
    history(Repo(content))
    result = build(content, base / "output")
    assert result.returncode == 0, result.stderr
    return result, content


def test_an_edit_a_week_after_publication_shows_its_date(edited):
    result, _ = edited
    assert shown(result, "gzdt/2024/edited/index.html") == "2024-05-19"
    assert '发布日期：<time datetime="2024-05-12T09:00:00+08:00">' in result.html("gzdt/2024/edited/index.html")


def test_an_imported_old_document_shows_no_update(edited):
    result, _ = edited
    # committed in 2024, published in 2019: the commit is the import, not an update
    assert shown(result, "zcwj/2024/yl-2024-5/index.html") is None
    assert shown(result, "zcwj/2019/old-2019/index.html") is None  # renamed since: a new file


def test_approval_is_no_update_but_a_later_edit_is(edited, tmp_path):
    result, content = edited
    assert shown(result, "gzdt/2024/approved/index.html") is None
    copy = tmp_path / "content"
    shutil.copytree(content, copy)
    Repo(copy).commit("2024-05-22T11:00:00+08:00", {"news/approved.md": news("审核次日发布", "2024-05-12 09:00",
                                                                             body="更正")})
    later = build(copy, tmp_path / "output")
    assert later.returncode == 0, later.stderr
    assert shown(later, "gzdt/2024/approved/index.html") == "2024-05-22"


def test_explicit_updated_wins(edited):
    result, _ = edited
    assert shown(result, "gzdt/2024/explicit/index.html") == "2024-05-25"


def test_edits_on_the_publication_day_show_nothing(edited):
    result, _ = edited
    assert shown(result, "gzdt/2024/same-day/index.html") is None
    assert "shallow" not in result.stderr


def test_a_shallow_clone_shows_no_commit_dates_and_says_so_once(edited, tmp_path):
    _, content = edited
    clone = tmp_path / "content"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{content}", str(clone)],
                   check=True, capture_output=True)
    result = build(clone, tmp_path / "output")  # with --fatal warnings: a shallow clone still publishes
    assert result.returncode == 0, result.stderr
    assert shown(result, "gzdt/2024/edited/index.html") is None
    assert shown(result, "gzdt/2024/explicit/index.html") == "2024-05-25"  # a typed date needs no history
    updates = [line for page in sorted(result.output.rglob("*.html"))
               for line in re.findall(r"最后更新：[\d-]+", page.read_text(encoding="utf-8"))]
    assert updates and "最后更新：2024-05-19" not in updates
    lines = [line for line in result.stderr.splitlines() if "shallow" in line]
    assert lines == [f"content: {SHALLOW_WARNING}"]
