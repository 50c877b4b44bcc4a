"""The browser editor (Decap CMS at /admin/): its configuration comes from the schema tables, and in real
Chromium an editor creates a policy and its interpretation through the forms; the files land in the
repository, build, and a missing required field is refused in the form."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

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
    assert sorted(p.name for p in admin.iterdir()) == ["1.decap-cms.js", "config.yml", "decap-cms.js", "index.html"]
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
    assert list(fields) == [f.name for f in TYPES["policy"].fields] + ["body"]
    for f in TYPES["policy"].fields:
        assert fields[f.name]["label"] == f.label and fields[f.name]["required"] == f.required, f.name
    assert fields["date"]["widget"] == "datetime" and fields["date"]["format"] == "YYYY-MM-DD HH:mm"
    assert fields["written_date"]["time_format"] is False
    assert fields["validity"]["options"][1] == {"label": "已修改", "value": "amended"}
    assert fields["status"]["default"] == "draft"  # a new item is a draft until someone publishes it
    assert fields["column"]["options"] == [{"label": "政策文件", "value": "zcwj"}]
    assert fields["attachments"]["fields"][0] == {"label": "文件", "name": "file", "widget": "file",
                                                  "choose_url": False}
    interprets = {f["name"]: f for f in collections["interpretation"]["fields"]}["interprets"]
    assert (interprets["widget"], interprets["collection"], interprets["value_field"]) == (
        "relation", "policy", "doc_no")
    # Not for the public: no sitemap entry, no robots access, not inspected.
    assert "/admin/" not in result.html("sitemap.xml")
    assert "Disallow: /admin/" in result.html("robots.txt")


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


def test_an_editor_creates_a_policy_and_its_interpretation_in_the_browser(sample_content, build_site, browser,
                                                                          tmp_path):
    from browser import serve

    _installed()
    repo = sample_content.parent  # content/ inside a repository, as an office has it
    port = _free_port()
    built = build_site(sample_content, CMS_ENABLED=True, CMS_BUNDLE=str(BUNDLE),
                       CMS_LOCAL_BACKEND=f"http://localhost:{port}/api/v1")
    assert built.returncode == 0, built.stderr
    shutil.copytree(built.output / "admin", tmp_path / "site" / "admin")
    server = subprocess.Popen([str(SERVER)], cwd=repo, env={**os.environ, "PORT": str(port),
                                                            "GIT_REPO_DIRECTORY": str(repo)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            assert time.monotonic() < deadline, "decap-server did not start"
            time.sleep(0.2)
        with serve(tmp_path / "site") as url:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Shanghai")
            page = context.new_page()
            try:
                _edit(page, url)
            finally:
                page.screenshot(path=str(tmp_path / "cms.png"))
                context.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    policy = sample_content / "policy" / "2024" / "zcwj-20240520.md"
    interpretation = sample_content / "interpretation" / "2024" / "zcjd-20240521.md"
    assert policy.is_file() and interpretation.is_file(), sorted(str(p) for p in sample_content.rglob("2024/*"))
    assert "doc_no: 样政发〔2024〕21号" in policy.read_text(encoding="utf-8")
    assert not list(sample_content.rglob("*缺少*"))  # the refused one was never written
    assert len(list((sample_content / "policy" / "2024").glob("*.md"))) == 1
    # The files build; the interpretation and the policy link each other.
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    page = result.html("zcwj/2024/zcwj-20240520/index.html")
    assert "样例市人民政府关于推进政务公开的通知" in page and "/zcjd/2024/zcjd-20240521/" in page
    assert "推进政务公开。" in page


def _edit(page, url: str) -> None:
    def field(label: str):
        return page.get_by_label(label, exact=True)

    def new(url: str, collection: str, label: str) -> None:
        page.goto(f"{url}/admin/#/collections/{collection}/new")
        page.get_by_text(f"正在集合“{label}”中编写").wait_for()
        page.get_by_label("标题", exact=True).wait_for()

    def publish() -> None:
        page.get_by_role("button", name="发布").click()
        page.get_by_text("立即发布").click()

    def fill(values: dict[str, str], published: bool = True, body: str = "") -> None:
        for label, value in values.items():
            field(label).fill(value)
        if published:
            field("状态 (可选)").click()
            page.get_by_text("已发布", exact=True).click()
        if body:
            page.locator("[data-slate-editor]").first.click()
            page.keyboard.type(body)

    page.goto(f"{url}/admin/")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("政策文件").first.wait_for()
    new(url, "policy", "政策文件")
    fill({"标题": "样例市人民政府关于推进政务公开的通知", "发布日期": "2024-05-20T10:00", "发文字号": "样政发〔2024〕21号",
          "发文机关": "样例市人民政府", "成文日期": "2024-05-16"}, body="推进政务公开。")
    publish()
    page.wait_for_url("**/entries/**")  # saved: Decap moves to the entry's own address

    new(url, "interpretation", "政策解读")
    field("解读文件").click()
    page.keyboard.type("21号")
    page.get_by_text("样政发〔2024〕21号").last.click()  # the policy just saved, picked from the list
    fill({"标题": "《关于推进政务公开的通知》解读", "发布日期": "2024-05-21T09:00"}, body="一图读懂。")
    publish()
    page.wait_for_url("**/entries/**")

    # A policy without its 发文字号 is refused in the form, saying which field.
    new(url, "policy", "政策文件")
    fill({"标题": "缺少发文字号的文件", "发布日期": "2024-05-22T09:00", "发文机关": "样例市人民政府",
          "成文日期": "2024-05-20"}, published=False)
    publish()
    page.get_by_text("“发文字号”是必填项").wait_for()
    page.get_by_text("你漏掉了一个必填项").first.wait_for()
