"""The browser editor (Decap CMS at /admin/): its configuration comes from the schema tables, and in real
Chromium an editor creates a policy and its interpretation through the forms; the files land in the
repository, build, and a missing required field is refused in the form."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import yaml
from conftest import ROOT
from content_model.schema import TYPES

BUNDLE = ROOT / ".cms" / "node_modules" / "decap-cms" / "dist"
SERVER = ROOT / ".cms" / "node_modules" / ".bin" / "decap-server"


def fake_bundle(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "decap-cms.js").write_text("/* stands in for Decap CMS */\n", encoding="utf-8")
    (folder / "1.decap-cms.js").write_text("/* a chunk */\n", encoding="utf-8")
    (folder / "decap-cms.js.map").write_text("{}", encoding="utf-8")
    return folder


def test_config_has_a_collection_per_type_with_every_field(sample_content, build_site, tmp_path):
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "cms:\n  backend: gitlab\n  repo: zwgk/portal\n"
                    "  api_root: https://git.example.gov.cn/api/v4\n  base_url: https://git.example.gov.cn\n"
                    "  app_id: abc123\n", encoding="utf-8")
    result = build_site(sample_content, CMS_ENABLED=True, CMS_BUNDLE=str(fake_bundle(tmp_path)))
    assert result.returncode == 0, result.stderr
    admin = result.output / "admin"
    assert sorted(p.name for p in admin.iterdir()) == ["1.decap-cms.js", "config.yml", "decap-cms.js", "gazette-cms.css",
                                                      "index.html"]
    assert '<link href="config.yml" type="text/yaml" rel="cms-config-url">' in (admin / "index.html").read_text()
    config = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"] == {
        "name": "gitlab", "branch": "main", "repo": "zwgk/portal", "api_root": "https://git.example.gov.cn/api/v4",
        "base_url": "https://git.example.gov.cn", "app_id": "abc123", "auth_type": "pkce",
        "commit_messages": config["backend"]["commit_messages"]}
    assert config["locale"] == "zh_Hans"
    collections = {c["name"]: c for c in config["collections"]}
    assert list(collections) == list(TYPES)
    policy = collections["policy"]
    assert (policy["folder"], policy["path"], policy["slug"]) == ("content/policy", "{{year}}/{{slug}}",
                                                                  "zcwj-{{year}}{{month}}{{day}}")
    fields = {f["name"]: f for f in policy["fields"]}
    # Every field but the site cluster's (this is one site: nothing to choose).
    edited = [f for f in TYPES["policy"].fields if f.kind not in ("site", "sites")]
    assert list(fields) == [f.name for f in edited] + ["body"]
    for f in edited:
        assert fields[f.name]["label"] == f.label and fields[f.name]["required"] == f.required, f.name
    assert fields["date"]["widget"] == "datetime" and fields["date"]["format"] == "YYYY-MM-DD HH:mm"
    assert fields["written_date"]["time_format"] is False
    assert fields["validity"]["options"][1] == {"label": "已修改", "value": "amended"}
    # The default workflow is the status: 草稿 and 审核中 on the item's branch, 发布 merges it.
    assert config["publish_mode"] == "editorial_workflow"
    assert fields["status"] == {"label": "状态", "name": "status", "widget": "hidden", "default": "published",
                                "required": False}
    assert fields["column"]["options"] == [{"label": "政策文件", "value": "zcwj"}]
    assert fields["attachments"]["fields"][0] == {"label": "文件", "name": "file", "widget": "file",
                                                  "choose_url": False}
    interprets = {f["name"]: f for f in collections["interpretation"]["fields"]}["interprets"]
    assert (interprets["widget"], interprets["collection"], interprets["value_field"]) == (
        "relation", "policy", "doc_no")
    # Not for the public: no sitemap entry, no robots access, not inspected.
    assert "/admin/" not in result.html("sitemap.xml")
    assert "Disallow: /admin/" in result.html("robots.txt")


def test_the_simple_workflow_saves_straight_to_the_branch_with_a_status_to_choose(sample_content, build_site,
                                                                                tmp_path):
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "cms:\n  workflow: simple\n", encoding="utf-8")
    result = build_site(sample_content, CMS_ENABLED=True, CMS_BUNDLE=str(fake_bundle(tmp_path)))
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((result.output / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert config["publish_mode"] == "simple"
    status = next(f for f in config["collections"][0]["fields"] if f["name"] == "status")
    assert status["widget"] == "select" and status["default"] == "draft"  # a draft until someone publishes it
    assert status["options"][0] == {"label": "已发布", "value": "published"}


def test_in_a_cluster_editors_choose_the_site_and_where_it_is_reposted(build_site, tmp_path):
    from conftest import DEMO

    content = tmp_path / "content"
    shutil.copytree(DEMO, content)
    result = build_site(content, CMS_ENABLED=True, CMS_BUNDLE=str(fake_bundle(tmp_path)),
                        GAZETTE_BUILD_TIME="2026-11-22 12:00")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((result.output / "admin" / "config.yml").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in config["collections"][0]["fields"]}
    assert fields["site"]["widget"] == "select" and "multiple" not in fields["site"]
    assert fields["site"]["options"] == [{"label": "滨海市人民政府", "value": "www"},
                                         {"label": "滨海市发展和改革委员会", "value": "fgw"},
                                         {"label": "滨海市海新区人民政府", "value": "hxq"},
                                         {"label": "滨海市教育局", "value": "jyj"}]
    assert fields["repost"]["multiple"] is True
    assert {"label": "上级网站", "value": "parent"} in fields["repost"]["options"]
    assert fields["repost_mode"]["options"][0] == {"label": "复制（转载页，注明来源）", "value": "copy"}
    # The portal's editor is the platform's: every site's documents, and every site's columns to put them in.
    assert "filter" not in config["collections"][0]
    assert fields["column"]["options"] == [{"label": "政策文件", "value": "zcwj"},
                                           {"label": "上级文件（市发展改革委、海新区政府、市教育局）", "value": "sjwj"}]
    # A department's own editor (/jyj/admin/): its documents, written as its own, in its columns.
    dept = build_site(content, CMS_ENABLED=True, CMS_BUNDLE=str(tmp_path / "bundle"),
                      GAZETTE_BUILD_TIME="2026-11-22 12:00", GAZETTE_SITE="jyj", CACHE_PATH=str(tmp_path / "jyj"))
    assert dept.returncode == 0, dept.stderr
    config = yaml.safe_load((dept.output / "admin" / "config.yml").read_text(encoding="utf-8"))
    policy = next(c for c in config["collections"] if c["name"] == "policy")
    assert policy["filter"] == {"field": "site", "value": "jyj"}
    fields = {f["name"]: f for f in policy["fields"]}
    assert fields["site"] == {"label": fields["site"]["label"], "name": "site", "widget": "hidden", "default": "jyj",
                              "required": False}
    assert fields["column"]["options"] == [{"label": "政策文件", "value": "zcwj"}, {"label": "上级文件", "value": "sjwj"}]
    assert policy["slug"].startswith("zcwj-")
    assert config["backend"]["name"] == "gitlab"  # the portal's `cms:` (the one repository), as the site has none


def test_the_editor_without_its_files_is_one_line(sample_content, build_site, tmp_path):
    result = build_site(sample_content, CMS_ENABLED=True, CMS_BUNDLE=str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert f"pelicanconf.py: CMS_BUNDLE: no decap-cms.js in {tmp_path / 'nowhere'}; run `make cms` once to install it" \
        in result.stderr


def _installed() -> None:
    """Decap CMS and decap-server from npm, as `make cms` installs them; in CI a failure fails the test."""
    if BUNDLE.joinpath("decap-cms.js").is_file() and SERVER.is_file():
        return
    done = subprocess.run(["make", ".cms/node_modules/decap-cms/dist/decap-cms.js"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"could not install the CMS with npm: {done.stderr[-500:]}")
        pytest.skip("npm could not install Decap CMS (make cms)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def _decap_server(repo, port: int, mode: str, **env: str) -> Iterator[None]:
    """decap-server on port, writing into repo (mode git: branches and merges; fs: files), as `make cms` runs it."""
    env = {**os.environ, "PORT": str(port), "MODE": mode, "GIT_REPO_DIRECTORY": str(repo), **env}
    server = subprocess.Popen([str(SERVER)], cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            assert time.monotonic() < deadline, "decap-server did not start"
            time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_editor_creates_a_policy_and_its_interpretation_in_the_browser(sample_content, build_site, browser,
                                                                          tmp_path):
    """The default workflow: 草稿 and 审核中 stay on the item's branch; 发布 merges it into the site's branch."""
    from browser import ARTIFACTS, serve

    _installed()
    ARTIFACTS.mkdir(exist_ok=True)
    repo = tmp_path / "repo"  # content/ in a repository of its own, as an office has it
    shutil.copytree(sample_content, repo / "content")
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "站点内容"]):
        subprocess.run(["git", "-c", "user.name=编辑", "-c", "user.email=bj@example.gov.cn", *command], cwd=repo,
                       check=True)
    content = repo / "content"
    port = _free_port()
    built = build_site(content, CMS_ENABLED=True, CMS_BUNDLE=str(BUNDLE),
                       CMS_LOCAL_BACKEND=f"http://localhost:{port}/api/v1")
    assert built.returncode == 0, built.stderr
    shutil.copytree(built.output / "admin", tmp_path / "site" / "admin")
    policy = content / "policy" / "2024" / "zcwj-20240520.md"
    with _decap_server(repo, port, "git", GIT_AUTHOR_NAME="编辑", GIT_AUTHOR_EMAIL="bj@example.gov.cn",
                       GIT_COMMITTER_NAME="编辑", GIT_COMMITTER_EMAIL="bj@example.gov.cn"):
        with serve(tmp_path / "site") as url:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Shanghai")
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())  # 你确定要发布此内容吗？
            try:
                _edit(page, url, on_main=policy.is_file, repo=repo)
            finally:
                page.screenshot(path=str(tmp_path / "cms.png"))
                context.close()
    interpretation = content / "interpretation" / "2024" / "zcjd-20240521.md"
    assert policy.is_file() and interpretation.is_file(), sorted(str(p) for p in content.rglob("2024/*"))
    assert "doc_no: 样政发〔2024〕21号" in policy.read_text(encoding="utf-8")
    assert "status: published" in policy.read_text(encoding="utf-8")  # published = merged: the workflow is the status
    assert len(list((content / "policy" / "2024").glob("*.md"))) == 1  # the refused one was never written
    log = subprocess.run(["git", "log", "--format=%s", "main"], cwd=repo, capture_output=True, text=True).stdout
    assert "新建政策文件：2024/zcwj-20240520" in log and "新建政策解读：2024/zcjd-20240521" in log
    # The files build; the interpretation and the policy link each other.
    result = build_site(content)
    assert result.returncode == 0, result.stderr
    page = result.html("zcwj/2024/zcwj-20240520/index.html")
    assert "样例市人民政府关于推进政务公开的通知" in page and "/zcjd/2024/zcjd-20240521/" in page
    assert "推进政务公开。" in page


def _branches(repo) -> list[str]:
    out = subprocess.run(["git", "branch", "--format=%(refname:short)"], cwd=repo, capture_output=True, text=True)
    return out.stdout.split()


def _edit(page, url: str, on_main, repo) -> None:
    from browser import ARTIFACTS

    def field(label: str):
        return page.get_by_label(label, exact=True)

    def new(collection: str, label: str) -> None:
        page.goto(f"{url}/admin/#/collections/{collection}/new")
        page.reload()  # a fresh editor: Decap keeps the last entry's body across a route change
        page.get_by_text(f"正在集合“{label}”中编写").wait_for()
        field("标题").wait_for()

    def fill(values: dict[str, str], body: str = "") -> None:
        for label, value in values.items():
            field(label).fill(value)
        if body:
            page.locator("[data-slate-editor]").first.click()
            page.keyboard.type(body)

    def save() -> None:
        page.get_by_role("button", name="保存", exact=True).click()
        page.wait_for_url("**/entries/**")  # saved: Decap moves to the entry's own address
        page.get_by_role("button", name="状态: 草稿").wait_for()

    def to(status: str, before: str) -> None:
        page.get_by_role("button", name=f"状态: {before}").click()
        page.get_by_text(status, exact=True).click()
        page.get_by_role("button", name=f"状态: {status}").wait_for()

    def publish() -> None:
        page.get_by_role("button", name="发布", exact=True).click()
        page.get_by_text("立即发布").click()
        page.get_by_text("内容已发布").first.wait_for()

    page.goto(f"{url}/admin/")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("政策文件").first.wait_for()
    new("policy", "政策文件")
    fill({"标题": "样例市人民政府关于推进政务公开的通知", "发布日期": "2024-05-20T10:00", "发文字号": "样政发〔2024〕21号",
          "发文机关": "样例市人民政府", "成文日期": "2024-05-16"}, body="推进政务公开。")
    page.screenshot(path=str(ARTIFACTS / "cms-policy-1280.png"))
    page.set_viewport_size({"width": 390, "height": 844})  # an editor on a phone
    page.screenshot(path=str(ARTIFACTS / "cms-policy-390.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    save()
    # A draft and an item under review live on their own branch; the site's branch has nothing yet.
    assert "cms/policy/2024/zcwj-20240520" in _branches(repo) and not on_main()
    to("审核中", "草稿")
    assert not on_main()
    to("就绪", "审核中")
    publish()
    assert on_main() and "cms/policy/2024/zcwj-20240520" not in _branches(repo)

    new("interpretation", "政策解读")
    field("解读文件").click()
    page.keyboard.type("21号")
    page.get_by_text("样政发〔2024〕21号").last.click()  # the policy just published, picked from the list
    fill({"标题": "《关于推进政务公开的通知》解读", "发布日期": "2024-05-21T09:00"}, body="一图读懂。")
    save()
    to("审核中", "草稿")
    to("就绪", "审核中")
    publish()

    # A policy without its 发文字号 is refused in the form, saying which field.
    new("policy", "政策文件")
    fill({"标题": "缺少发文字号的文件", "发布日期": "2024-05-22T09:00", "发文机关": "样例市人民政府",
          "成文日期": "2024-05-20"})
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("“发文字号”是必填项").wait_for()
    page.get_by_text("你漏掉了一个必填项").first.wait_for()


def test_a_department_editor_sees_and_writes_its_own_sites_documents(build_site, browser, tmp_path):
    """In a cluster, /jyj/admin/ lists the department's documents only, offers its columns, and what it saves
    belongs to the department and builds on its site."""
    from browser import ARTIFACTS, serve
    from conftest import write_cluster

    _installed()
    content = write_cluster(tmp_path / "repo" / "content")
    site = content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "cms:\n  workflow: simple\n", encoding="utf-8")
    port = _free_port()
    built = build_site(content, CMS_ENABLED=True, CMS_BUNDLE=str(BUNDLE), GAZETTE_SITE="jyj",
                       CMS_LOCAL_BACKEND=f"http://localhost:{port}/api/v1")
    assert built.returncode == 0, built.stderr
    shutil.copytree(built.output / "admin", tmp_path / "site" / "jyj" / "admin")
    with _decap_server(tmp_path / "repo", port, "fs"):
        with serve(tmp_path / "site") as url:
            context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Shanghai")
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())  # 你确定要发布此内容吗？
            try:
                page.goto(f"{url}/jyj/admin/#/collections/news")
                page.get_by_role("button", name="登录").click()
                page.get_by_text("市教育局部署校园安全工作").wait_for()  # the department's news
                assert page.get_by_text("样例市召开政务公开工作会议").count() == 0  # not the portal's
                page.goto(f"{url}/jyj/admin/#/collections/notice/new")
                page.reload()
                page.get_by_label("标题", exact=True).fill("关于暑期学生安全教育的通知")
                page.get_by_label("发布日期", exact=True).fill("2024-05-28T10:00")
                page.get_by_label(re.compile(r"^栏目")).click()
                assert page.get_by_text("上级文件", exact=True).count() == 0  # a policy column: not for a notice
                page.get_by_text("通知公告", exact=True).last.click()
                page.get_by_label(re.compile(r"^状态")).click()  # the simple workflow: a draft unless chosen
                page.get_by_text("已发布", exact=True).last.click()
                page.locator("[data-slate-editor]").first.click()
                page.keyboard.type("各中小学：请做好暑期安全教育。")
                page.screenshot(path=str(ARTIFACTS / "cms-department-notice-390.png"))
                page.get_by_role("button", name="发布", exact=True).click()
                page.get_by_text("立即发布").click()
                page.wait_for_url("**/entries/**")
            finally:
                page.screenshot(path=str(tmp_path / "cms.png"))
                context.close()
    (written,) = (content / "notice" / "2024").glob("*.md")
    header = yaml.safe_load(written.read_text(encoding="utf-8").split("---")[1])
    assert header["site"] == "jyj" and header["column"] == "tzgg" and header["status"] == "published", header
    result = build_site(content, GAZETTE_SITE="jyj", CACHE_PATH=str(tmp_path / "cache-jyj"))
    assert result.returncode == 0, result.stderr
    assert "关于暑期学生安全教育的通知" in result.html("tzgg/index.html")
