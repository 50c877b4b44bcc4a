"""Review on record (三审三校): CODEOWNERS from the columns' reviewers, and the inspection checking
the review trailers of each document's last change in a throw-away git history."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import ROOT, SAMPLE, found

sys.path.insert(0, str(ROOT / "plugins"))
from content_model import codeowners
from inspection import review

ENV = {"GIT_AUTHOR_NAME": "编辑甲", "GIT_AUTHOR_EMAIL": "editor@example.org", "GIT_COMMITTER_NAME": "编辑甲",
       "GIT_COMMITTER_EMAIL": "editor@example.org", "GIT_AUTHOR_DATE": "2024-05-01T10:00:00+08:00",
       "GIT_COMMITTER_DATE": "2024-05-01T10:00:00+08:00"}


def git(repo, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout


def columns(content, **extra: str) -> None:
    """Give columns of the sample site.yaml extra fields: columns(content, zcwj="reviewers: [...]")."""
    path = content / "_data" / "site.yaml"
    text = path.read_text(encoding="utf-8")
    for column, fields in extra.items():
        text = text.replace(f"{{id: {column}, ", f"{{id: {column}, {fields}, ")
    path.write_text(text, encoding="utf-8")


def test_levels_count_named_levels_without_gaps_and_approvals_by_others():
    assert review.levels([("初审", "张三"), ("复审", "李四"), ("终审", "王五")], "a@x") == 3
    assert review.levels([("复审", "李四"), ("终审", "王五")], "a@x") == 0  # no 初审: no level on record
    assert review.levels([("Approved-by", "Bob <b@x>"), ("Approved-by", "Ann <A@X>")], "a@x") == 1  # not the author
    assert review.levels([("Reviewed-by", "Bob <b@x>"), ("Approved-by", "Bob <b@x>")], "a@x") == 1  # one person
    assert review.trailers("标题\n\n正文。\n\n初审：张三\nReviewed-by: Bob <b@x>\n") == [
        ("初审", "张三"), ("Reviewed-by", "Bob <b@x>")]


def test_codeowners_for_github_and_gitlab_from_the_columns_reviewers(sample_content, tmp_path):
    columns(sample_content, zcwj='reviewers: ["@zhang-san", "@li-si"], review_levels: 3',
            zcjd='reviewers: ["@li-si", "@wang-wu"]', gzdt="review_levels: 2")
    root = sample_content.parent
    assert codeowners.main(["--content", str(sample_content), "--root", str(root)]) == 0
    github = (root / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
    gitlab = (root / ".gitlab" / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
    assert [line for line in github if not line.startswith("#")] == [
        "/content/policy/ @zhang-san @li-si", "/content/interpretation/ @li-si @wang-wu"]
    assert [line for line in gitlab if line and not line.startswith("#")] == [
        "[政策文件][3] @zhang-san @li-si", "/content/policy/",
        "[政策解读][1] @li-si @wang-wu", "/content/interpretation/"]  # gzdt has levels but no reviewers


def test_inspection_warns_about_documents_short_of_their_review_levels(tmp_path, inspect):
    repo = tmp_path / "repo"
    content = repo / "content"
    shutil.copytree(SAMPLE, content)
    columns(content, zcwj="review_levels: 3")
    site = content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("  index_org_code:", "  review_levels: 2\n"
                                                               "  index_org_code:"), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "导入样例站点", "-m", "初审: 张三\n复审: 李四")
    # A change reviewed on a branch: the merge carries GitLab's Approved-by lines.
    git(repo, "checkout", "-q", "-b", "edit-news")
    news = content / "news" / "gzdt-1.md"
    news.write_text(news.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "补充工作动态")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "edit-news", "-m", "合并：补充工作动态",
        "-m", "Approved-by: 审核乙 <b@example.org>\nApproved-by: 审核丙 <c@example.org>")
    # A change straight to main, with nobody's review.
    about = content / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n更新联系方式。\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "更新机构概况")
    # A document not committed yet.
    (content / "news" / "new-one.md").write_text("---\ntitle: 尚未提交\ndate: 2024-05-02 09:00\n---\n正文。\n",
                                                 encoding="utf-8")
    report = inspect(content)
    warned = {path.removeprefix("content/"): message for _severity, message, path, _line in
              found(report, "review-record")}  # (paths from the content folder's parent)
    head = git(repo, "rev-parse", "HEAD").strip()[:8]
    assert warned == {
        # policies need 3 levels (their column), the import recorded 2
        "policy/yl-2024-5.md": warned.get("policy/yl-2024-5.md", ""),
        "policy/yl-2019-2.md": warned.get("policy/yl-2019-2.md", ""),
        "pages/about.md": f"最近一次修改（提交 {head}）只有0级审核记录，需要2级（初审、复审）：合并时在提交说明末尾写上"
                          "“初审: 姓名”等，或由GitLab合并模板写入Approved-by",
        "news/new-one.md": "尚未提交到git，没有审核记录（需要初审、复审）",
    }, warned
    assert "只有2级审核记录，需要3级（初审、复审、终审）" in warned["policy/yl-2024-5.md"]
    assert {f["severity"] for f in report["findings"] if f["rule"] == "review-record"} == {"warning"}


def test_no_review_levels_no_review_findings(sample_content, inspect):
    """A site that asks for no review record gets no such finding, in git or not."""
    assert found(inspect(sample_content), "review-record") == []


def test_pages_name_the_editor_and_reviewer_where_the_office_writes_them(sample_content, build_site):
    news = sample_content / "news" / "gzdt-1.md"
    news.write_text(news.read_text(encoding="utf-8").replace("title:", "editor: 王小明\nreviewer: 李主任\ntitle:", 1),
                    encoding="utf-8")
    english = sample_content / "pages" / "about-en.md"
    english.write_text(english.read_text(encoding="utf-8").replace("title:", "editor: Wang Xiaoming\ntitle:", 1),
                       encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    assert '<p class="gz-doc__credits">【责任编辑：王小明　审核：李主任】</p>' in result.html("gzdt/2024/gzdt-1/index.html")
    assert '<p class="gz-doc__credits">【Editor: Wang Xiaoming】</p>' in result.html("en/about/index.html")
    assert "gz-doc__credits" not in result.html("zcwj/2024/yl-2024-5/index.html")  # none written: none shown
