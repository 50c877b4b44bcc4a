"""A site cluster (集约化): one content library, a site per file in _data/sites/, documents reposted between them.

The fixture cluster is the sample portal plus a department site that copies the portal's
policies into its 上级文件 column and a district site that lists them by reference; each
builds with the cluster driver (plugins/cluster) as `make html` and `make publish` run it.
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
import yaml

from tests.conftest import DEPT, DISTRICT, POLICY, PORTAL, ROOT, write_cluster, write_doc, write_settings


@pytest.fixture
def cluster(tmp_path: Path) -> Path:
    return write_cluster(tmp_path / "content")


def run_cluster(command: str, content: Path, output: Path, conf: str = "pelicanconf", *args: str,
                **overrides: object) -> subprocess.CompletedProcess[str]:
    overrides.setdefault("CACHE_PATH", str(output.parent / "cache"))  # each test its own, never the project's
    settings = write_settings(output.parent, content, conf, **overrides)
    extra = ["--report", str(output.parent / "report"), "--record", str(output.parent / "published.json")] \
        if command == "publish" else []
    env = {**os.environ, "TZ": "Asia/Shanghai", "LC_ALL": "C.UTF-8", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "plugins.cluster", command, "--content", str(content), "--output",
                           str(output), "--settings", str(settings), *extra, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)


def page(output: Path, site: str, url: str) -> str:
    return (output / site / url / "index.html").read_text(encoding="utf-8")


def links(html: str) -> list[str]:
    """Every href, quoted or (in published, minified pages) not."""
    return re.findall(r'href="?([^" >]+)', html)


def canonical(html: str) -> str:
    found = re.search(r'<link (?:href="?([^" >]+)"? rel="?canonical"?|rel="?canonical"? href="?([^" >]+)"?)>', html)
    assert found is not None
    return found.group(1) or found.group(2)


def test_each_site_builds_its_own_documents_into_its_folder(cluster: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cluster("html", cluster, out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["dq", "jyj", "www"]
    # Each site has its own pages only: the department's news is not a page of the district.
    assert (out / "jyj" / "gzdt/2024/jyj-1/index.html").is_file()
    assert not (out / "dq" / "gzdt/2024/jyj-1").exists()
    assert not (out / "jyj" / "gzdt/2024/gzdt-1").exists()  # the portal's own news
    assert (out / "www" / "gzdt/2024/gzdt-1/index.html").is_file()
    # Locally every site lives under /<id>/, and the cluster page lists them all.
    assert 'href="/jyj/gzdt/' in page(out, "jyj", "")
    index = (out / "index.html").read_text(encoding="utf-8")
    for name, path in (("样例市人民政府", "www/"), ("样例市教育局", "jyj/"), ("样例市东区人民政府", "dq/")):
        assert name in index and f'href="{path}"' in index
    assert [s["id"] for s in json.loads((out / "sites.json").read_text())] == ["www", "dq", "jyj"]


def test_copy_has_its_own_page_marked_with_source_and_canonical(cluster: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cluster("html", cluster, out).returncode == 0
    original, copy = page(out, "www", POLICY), page(out, "jyj", "sjwj/2024/yl-2024-5/")
    assert canonical(copy) == canonical(original) == f"{PORTAL}/{POLICY}"
    assert "本页转载自" in copy and f'href="/www/{POLICY}"' in copy  # locally, the original's folder
    for field in ("索引号", "发文字号"):  # the original's numbers, not the department's
        value = re.search(field + r"</th>\s*<td[^>]*>([^<]+)", original).group(1)
        assert value in copy
    assert "00000000MB0000000X/2024-" in copy  # the portal's organisation code
    # The copy is listed in the department's 上级文件 column, and its search finds it.
    assert 'href="/jyj/sjwj/2024/yl-2024-5/"' in page(out, "jyj", "sjwj")


def test_reference_lists_and_links_to_the_original(cluster: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cluster("html", cluster, out).returncode == 0
    column = page(out, "dq", "sjwj")
    assert f'href="/www/{POLICY}"' in column
    assert "样例市人民政府" in column  # the source named beside it
    assert not (out / "dq" / "sjwj/2024").exists()  # no page of its own
    # The portal lists its children's notices by reference, and a district's news reposted by reference.
    portal_notices = page(out, "www", "tzgg")
    assert 'href="/jyj/tzgg/2024/jyj-tz-1/"' in portal_notices
    assert 'href="/dq/gzdt/2024/dq-1/"' in page(out, "www", "gzdt")
    assert not (out / "www" / "gzdt/2024/dq-1").exists()
    # A copy by the document's own `repost:` is a page of the portal.
    assert "本页转载自" in page(out, "www", "gzdt/2024/jyj-1")


def test_published_sites_use_their_own_domain(cluster: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cluster("publish", cluster, out, "publishconf", GAZETTE_WORKERS=1)
    assert proc.returncode == 0, proc.stderr
    sitemap = (out / "jyj" / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs and all(loc.startswith(DEPT + "/") for loc in locs)
    assert f"{DEPT}/gzdt/2024/jyj-1/" in locs
    assert f"{DEPT}/sjwj/2024/yl-2024-5/" not in locs  # a copy: the original is the one to index
    assert f"{PORTAL}/{POLICY}" in (out / "www" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"Sitemap: {DEPT}/sitemap.xml" in (out / "jyj" / "robots.txt").read_text(encoding="utf-8")
    feed = (out / "jyj" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert f"{DEPT}/gzdt/2024/jyj-1/" in feed and f"{PORTAL}/gzdt/2024/gzdt-1/" not in feed
    news = page(out, "jyj", "gzdt/2024/jyj-1")
    assert canonical(news) == f"{DEPT}/gzdt/2024/jyj-1/"
    assert "样ICP备00000002号" in news and "9999000012" in news  # the department's own identity in the footer
    # Links between sites are absolute, to the other site's domain.
    assert f"{PORTAL}/{POLICY}" in links(page(out, "dq", "sjwj"))
    # Each site's search index holds its own pages: the department's, not the portal's own news.
    index = b"".join(p.read_bytes() for p in (out / "jyj" / "search-index").rglob("*") if p.is_file())
    assert "校园安全".encode() in index or json.dumps("校园安全").encode() in index
    # The dashboard names every site's inspection.
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert dashboard.count("已发布") == 3 and "栏目更新不及时" in dashboard


def test_qr_code_and_share_links_carry_the_sites_domain(cluster: Path, tmp_path: Path) -> None:
    from page_qr import page_qr

    out = tmp_path / "out"
    assert run_cluster("html", cluster, out).returncode == 0
    news = page(out, "jyj", "gzdt/2024/jyj-1")
    code = re.search(r'<svg class="gz-qr__img".*?</svg>', news, re.S).group(0)
    assert code == page_qr.svg_for(f"{DEPT}/gzdt/2024/jyj-1/")  # the department's address, even built locally
    assert code != page_qr.svg_for(f"{PORTAL}/gzdt/2024/jyj-1/")
    weibo = next(link for link in links(news) if "weibo" in link)
    assert "jyj.example.gov.cn%2Fgzdt%2F2024%2Fjyj-1%2F" in weibo.replace("&amp;", "&")
    # The portal's copy of the same news has the portal's own address in its code (its canonical is the original).
    copy = page(out, "www", "gzdt/2024/jyj-1")
    assert re.search(r'<svg class="gz-qr__img".*?</svg>', copy, re.S).group(0) == page_qr.svg_for(
        f"{PORTAL}/gzdt/2024/jyj-1/")


def test_edit_and_withdrawal_reach_every_copy(cluster: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cluster("html", cluster, out).returncode == 0
    source = cluster / "policy" / "yl-2024-5.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("title: 样例市人民政府关于加强政府网站建设的意见",
                                   "title: 样例市人民政府关于加强和改进政府网站建设的意见"), encoding="utf-8")
    assert run_cluster("html", cluster, out).returncode == 0
    assert "关于加强和改进政府网站建设的意见" in page(out, "jyj", "sjwj/2024/yl-2024-5/")
    assert "关于加强和改进政府网站建设的意见" in page(out, "dq", "sjwj")
    source.write_text(text.replace("date: 2024-03-15 09:30", "date: 2024-03-15 09:30\nstatus: draft"),
                      encoding="utf-8")
    for interpretation in (cluster / "interpretation").glob("*.md"):  # withdrawn with it
        interpretation.unlink()
    proc = run_cluster("html", cluster, out)
    assert proc.returncode == 0, proc.stderr
    assert not (out / "jyj" / "sjwj/2024/yl-2024-5").exists()
    assert not (out / "www" / POLICY).exists()
    assert "yl-2024-5" not in page(out, "dq", "sjwj")
    assert "yl-2024-5" not in (out / "jyj" / "sitemap.xml").read_text(encoding="utf-8")


def test_one_blocked_site_does_not_stop_the_others(cluster: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cluster("publish", cluster, out, "publishconf", GAZETTE_WORKERS=1).returncode == 0
    before = page(out, "dq", "gzdt/2024/dq-1")
    # Personal data on the district's page must not go public (a block finding): only the district stops.
    write_doc(cluster / "news" / "dq-2.md", {"title": "东区公示", "date": "2024-05-25 10:00", "site": "dq"},
         "联系人身份证号：11010519491231002X。")
    write_doc(cluster / "news" / "jyj-2.md", {"title": "市教育局新动态", "date": "2024-05-25 11:00", "site": "jyj"})
    proc = run_cluster("publish", cluster, out, "publishconf", GAZETTE_WORKERS=1)
    assert proc.returncode == 1
    assert "未发布：dq（样例市东区人民政府）" in proc.stderr
    assert (out / "jyj" / "gzdt/2024/jyj-2/index.html").is_file()  # published
    assert not (out / "dq" / "gzdt/2024/dq-2").exists()  # the district's site is as it was
    assert page(out, "dq", "gzdt/2024/dq-1") == before
    report = json.loads((out / "dq-inspection" / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["block"] >= 1 and report["site_id"] == "dq"
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert "未发布" in dashboard and dashboard.count("已发布") == 2


def test_site_files_are_checked(cluster: Path, tmp_path: Path) -> None:
    dept = cluster / "_data" / "sites" / "jyj.yaml"
    data = yaml.safe_load(dept.read_text(encoding="utf-8"))
    data["site"]["parent"] = "nowhere"
    data["reposts"] += [{"from": "parent", "type": "policy", "column": "gzdt"},
                        {"from": "cousins", "type": "policy", "column": "sjwj"}]
    del data["site"]["url"]
    dept.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    write_doc(cluster / "news" / "bad.md", {"title": "错站点", "date": "2024-05-01", "site": "jyjj", "repost": ["uncles"]})
    proc = run_cluster("html", cluster, tmp_path / "out")
    assert proc.returncode != 0
    lines = proc.stderr
    assert re.search(r"_data/sites/jyj\.yaml: site\.parent: 'nowhere' is not a site of the cluster", lines)
    assert re.search(r"_data/sites/jyj\.yaml: site\.url: missing", lines)
    assert re.search(r"_data/sites/jyj\.yaml: reposts\[1\]\.column: column 'gzdt' lists type news, not policy", lines)
    assert re.search(r"_data/sites/jyj\.yaml: reposts\[2\]\.from: 'cousins' is not a site id", lines)
    assert not (tmp_path / "out" / "www").exists()


def test_document_site_fields_are_checked(cluster: Path, tmp_path: Path) -> None:
    write_doc(cluster / "news" / "bad.md", {"title": "错站点", "date": "2024-05-01", "site": "jyjj", "repost": ["uncles"]})
    proc = run_cluster("html", cluster, tmp_path / "out")
    assert proc.returncode != 0
    assert re.search(r"news/bad\.md: site: 'jyjj' is not a site of the cluster \(所属网站; one of www, dq, jyj\)",
                     proc.stderr)
    assert re.search(r"news/bad\.md: repost: 'uncles' is not a site of the cluster", proc.stderr)


def test_one_site_repository_builds_as_before(sample_content: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cluster("html", sample_content, out)
    assert proc.returncode == 0, proc.stderr
    assert (out / "index.html").is_file() and (out / "zcwj").is_dir() and not (out / "www").exists()
    write_doc(sample_content / "news" / "x.md", {"title": "单站", "date": "2024-05-01", "site": "www"})
    proc = run_cluster("html", sample_content, out)
    assert "site: this repository is one site" in proc.stderr and proc.returncode != 0


def test_make_sites_lists_what_ci_builds(cluster: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "plugins.cluster", "list", "--content", str(cluster),
                           "--output", "output"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(proc.stdout) == [
        {"site": "www", "output": "output/www", "url": PORTAL},
        {"site": "dq", "output": "output/dq", "url": DISTRICT},
        {"site": "jyj", "output": "output/jyj", "url": DEPT}]


def test_links_between_sites_are_checked_like_links_inside_one(cluster: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_doc(cluster / "news" / "dq-2.md", {"title": "东区转发", "date": "2024-05-25 10:00", "site": "dq"},
         f"见[市教育局的通知]({DEPT}/tzgg/2024/jyj-tz-9/)。")
    proc = run_cluster("publish", cluster, out, "publishconf", GAZETTE_WORKERS=1)
    assert proc.returncode == 1 and "未发布：dq" in proc.stderr
    report = json.loads((out / "dq-inspection" / "report.json").read_text(encoding="utf-8"))
    broken = [f for f in report["findings"] if f["rule"] == "broken-links"]
    assert [(f["severity"], f["path"], f["message"]) for f in broken] == [
        ("block", "content/news/dq-2.md", f"链接失效：{DEPT}/tzgg/2024/jyj-tz-9/（样例市教育局没有这个页面）")]
    # The same link checked in a local build (make check), where the sites live side by side.
    local = run_cluster("check", cluster, tmp_path / "local", "pelicanconf", "--site", "dq",
                        "--report", str(tmp_path / "report"))
    assert local.returncode == 1
    assert re.search(rf"禁止发布 broken-links: content/news/dq-2\.md:\d+: 链接失效：{DEPT}/tzgg/2024/jyj-tz-9/", local.stderr)
    # Fixed, the link passes; the district's links to the portal's policy and the department's news (in
    # the fixture's dq-1) were checked all along.
    (cluster / "news" / "dq-2.md").write_text((cluster / "news" / "dq-2.md").read_text(encoding="utf-8").replace(
        "jyj-tz-9", "jyj-tz-1"), encoding="utf-8")
    assert run_cluster("publish", cluster, out, "publishconf", GAZETTE_WORKERS=1).returncode == 0
    (cluster / "news" / "jyj-1.md").unlink()  # withdrawn: dq-1 links to it
    proc = run_cluster("publish", cluster, out, "publishconf", GAZETTE_WORKERS=1)
    assert proc.returncode == 1 and "未发布：dq" in proc.stderr and (out / "jyj" / "index.html").is_file()


def test_filename_links_open_the_page_each_site_has(cluster: Path, tmp_path: Path) -> None:
    """`{filename}` names a document, not a URL: from a site that has no page for it, the link opens the original."""
    write_doc(cluster / "notice" / "jyj-tz-2.md", {"title": "关于转发的通知", "date": "2024-05-26 10:00", "site": "jyj"},
         "见[市政府动态]({filename}/news/gzdt-1.md)、[东区动态]({filename}/news/dq-1.md)"
         "和[市政府的意见]({filename}/policy/yl-2024-5.md)。")
    news = cluster / "news" / "gzdt-1.md"
    news.write_text(news.read_text(encoding="utf-8") + "\n另见[教育局通知]({filename}/notice/jyj-tz-1.md)。\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cluster("html", cluster, out)
    assert proc.returncode == 0, proc.stderr
    notice = links(page(out, "jyj", "tzgg/2024/jyj-tz-2"))
    assert "/www/gzdt/2024/gzdt-1/" in notice  # the portal's own news: its page there
    assert "/dq/gzdt/2024/dq-1/" in notice
    assert f"/jyj/sjwj/2024/{POLICY.split('/')[-2]}/" in notice  # the department has a copy: the link stays
    assert "/jyj/gzdt/2024/gzdt-1/" not in notice
    # The portal lists the notice by reference, and its own news links to the original.
    assert "/jyj/tzgg/2024/jyj-tz-1/" in links(page(out, "www", "gzdt/2024/gzdt-1"))
    published = tmp_path / "published"
    proc = run_cluster("publish", cluster, published, "publishconf", GAZETTE_WORKERS=1)
    assert proc.returncode == 0, proc.stderr  # and the inspection found these links alive
    notice = links(page(published, "jyj", "tzgg/2024/jyj-tz-2"))
    assert f"{PORTAL}/gzdt/2024/gzdt-1/" in notice and f"{DISTRICT}/gzdt/2024/dq-1/" in notice
    assert f"{DEPT}/tzgg/2024/jyj-tz-1/" in links(page(published, "www", "gzdt/2024/gzdt-1"))


def test_preview_has_every_site_with_links_between_their_folders(cluster: Path, tmp_path: Path) -> None:
    """make preview in a cluster: each site in its folder, drafts shown, every link relative and alive (file://)."""
    write_doc(cluster / "notice" / "jyj-draft.md", {"title": "PREVIEW-CANARY 通知草稿", "date": "2024-05-27 10:00",
                                                "site": "jyj", "status": "draft"},
         "见[市政府动态]({filename}/news/gzdt-1.md)。")
    out = tmp_path / "preview"
    (out / "gone").mkdir(parents=True)  # a site since removed from the cluster
    proc = run_cluster("html", cluster, out, "previewconf")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["dq", "jyj", "www"]
    assert (out / "robots.txt").read_text(encoding="utf-8").endswith("User-agent: *\nDisallow: /\n")
    draft = page(out, "jyj", "tzgg/2024/jyj-draft")
    assert "预览：草稿" in draft and 'href="../../../../www/gzdt/2024/gzdt-1/index.html"' in draft
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="jyj/index.html"' in index and "预览版" in index
    checked = 0
    for html_file in out.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in html, html_file
        for url in re.findall(r'(?:href|src|action)="([^"#?]*)[^"]*"', html):
            if url and not re.match(r"[a-z]+:", url):
                assert not url.startswith("/"), (html_file, url)
                assert (html_file.parent / url).resolve().is_file(), (html_file, url)
                checked += 1
    assert checked > 1000
    # Between sites too: the portal's notices column lists the department's notice by reference.
    assert 'href="../../jyj/tzgg/2024/jyj-tz-1/index.html"' in page(out, "www", "tzgg")


def test_a_site_has_its_own_templates_and_theme_files(cluster: Path, tmp_path: Path) -> None:
    """themes/sites/<id>/: templates that replace the theme's for that site only, and files added to its /theme/."""
    themes = tmp_path / "themes"
    shutil.copytree(ROOT / "themes" / "gazette", themes / "gazette")
    own = themes / "sites" / "jyj"
    (own / "templates").mkdir(parents=True)
    (own / "templates" / "base.html").write_text(
        '{% extends "!theme/base.html" %}{% block meta %}{{ super() }}'
        '<link rel="stylesheet" href="{{ SITEURL }}/{{ THEME_STATIC_DIR }}/css/jyj.css">{% endblock meta %}\n',
        encoding="utf-8")
    (own / "static" / "css").mkdir(parents=True)
    (own / "static" / "css" / "jyj.css").write_text(".gz-header { border-top: 4px solid #1d4ed8; }\n",
                                                     encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cluster("html", cluster, out, THEME=str(themes / "gazette"))
    assert proc.returncode == 0, proc.stderr
    link = '<link rel="stylesheet" href="/jyj/theme/css/jyj.css">'
    assert link in page(out, "jyj", "") and link in page(out, "jyj", "gzdt/2024/jyj-1")
    assert "jyj.css" not in page(out, "www", "") and not (out / "www" / "theme" / "css" / "jyj.css").exists()
    assert (out / "jyj" / "theme" / "css" / "gazette.css").is_file()  # the theme's files are still there
    # The next build follows an edit of either, and a file the site no longer has leaves its output.
    (own / "static" / "css" / "jyj.css").write_text(".gz-header { border-top: 4px solid #15803d; }\n",
                                                     encoding="utf-8")
    assert run_cluster("html", cluster, out, THEME=str(themes / "gazette")).returncode == 0
    assert "#15803d" in (out / "jyj" / "theme" / "css" / "jyj.css").read_text(encoding="utf-8")
    (own / "templates" / "base.html").write_text((own / "templates" / "base.html").read_text(encoding="utf-8")
                                                 .replace("jyj.css", "jyj.css?v=2"), encoding="utf-8")
    assert run_cluster("html", cluster, out, THEME=str(themes / "gazette")).returncode == 0
    assert "jyj.css?v=2" in page(out, "jyj", "gzdt/2024/jyj-1")
    shutil.rmtree(own)
    assert run_cluster("html", cluster, out, THEME=str(themes / "gazette")).returncode == 0
    assert "jyj.css" not in page(out, "jyj", "gzdt/2024/jyj-1")
    assert not (out / "jyj" / "theme" / "css" / "jyj.css").exists()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_rebuild_leaves_out_the_sites_nothing_new_reaches_and_matches_a_clean_build(cluster: Path,
                                                                                      tmp_path: Path) -> None:
    """After each change, the sites left out and the sites rebuilt together equal a build from nothing."""
    out = tmp_path / "out"
    assert run_cluster("html", cluster, out).returncode == 0

    def rebuild(label: str) -> set[str]:
        proc = run_cluster("html", cluster, out)
        assert proc.returncode == 0, proc.stderr
        clean = tmp_path / f"clean-{label}"
        fresh = run_cluster("html", cluster, clean, CACHE_PATH=str(tmp_path / f"cache-{label}"))
        assert fresh.returncode == 0, fresh.stderr
        for sid in ("www", "jyj", "dq"):
            want, got = _tree(clean / sid), _tree(out / sid)
            assert sorted(want) == sorted(got), (label, sid, sorted(set(want) ^ set(got))[:5])
            assert [f for f in want if want[f] != got[f]] == [], (label, sid)
        return set(re.findall(r"cluster: (\w+) \([^)]*\): nothing added since its last build", proc.stderr))

    # A district's own news: only the district builds.
    write_doc(cluster / "news" / "dq-new.md", {"title": "东区新闻一则", "date": "2024-05-29 10:00", "site": "dq"})
    assert rebuild("news") == {"www", "jyj"}
    # A district's notice: the portal lists its children's notices (by rule), so it builds too.
    write_doc(cluster / "notice" / "dq-tz.md", {"title": "东区通知一则", "date": "2024-05-29 11:00", "site": "dq"})
    assert rebuild("notice") == {"jyj"}
    # Reposted by its header to the district: the department and the district build.
    write_doc(cluster / "news" / "jyj-new.md", {"title": "教育局新闻", "date": "2024-05-29 12:00", "site": "jyj",
                                                 "repost": ["dq"]})
    assert rebuild("repost") == {"www"}
    # The same in the header's Chinese words, the target as a plain string: read as the reader reads it.
    write_doc(cluster / "news" / "jyj-new-2.md", {"标题": "教育局又一新闻", "发布日期": "2024-05-29 12:30",
                                                   "所属网站": "jyj", "转载到": "dq"})
    assert rebuild("labels") == {"www"}
    # Held back until later, it is still built where it will show (the build schedules it there).
    write_doc(cluster / "notice" / "dq-later.md", {"title": "东区定时通知", "date": "2024-05-29 13:00", "site": "dq",
                                                    "publish_at": "2024-07-01 09:00"})
    assert rebuild("embargo") == {"jyj"}
    # A policy numbers and amends across sites; an edit or a deletion may change any page: everything builds.
    write_doc(cluster / "policy" / "dq-policy.md", {"title": "东区政策", "date": "2024-05-29 14:00", "site": "dq",
                                                     "doc_no": "东政发〔2024〕1号", "issuer": "东区人民政府",
                                                     "written_date": "2024-05-28"})
    assert rebuild("policy") == set()
    (cluster / "news" / "dq-new.md").write_text((cluster / "news" / "dq-new.md").read_text(encoding="utf-8")
                                                 .replace("正文。", "改过的正文。"), encoding="utf-8")
    assert rebuild("edit") == set()
    (cluster / "news" / "dq-new.md").unlink()
    assert rebuild("delete") == set()
    # Nothing at all: every site stands, on one snapshot of the content for all three.
    assert rebuild("nothing") == {"www", "jyj", "dq"}
    assert len(list((tmp_path / "cache" / "cluster-files").glob("*.json"))) == 1
    # Its output touched: a page rewritten in place (its folder's mtime stays), a file deleted.
    page = next((out / "jyj").rglob("*/index.html"))
    with page.open("a", encoding="utf-8") as fh:
        fh.write("<!-- 手工改过 -->")
    (out / "dq" / "robots.txt").unlink()
    assert rebuild("output") == {"www"}


def test_a_url_clash_on_another_site_is_found_by_make_validate(cluster: Path, tmp_path: Path) -> None:
    # The department's own news and a district news copied to the department under the same URL.
    write_doc(cluster / "news" / "dq-copy.md", {"title": "东区动态", "date": "2024-05-20 09:00", "site": "dq",
                                            "slug": "jyj-1", "repost": ["jyj"]})
    settings = write_settings(tmp_path, cluster, "pelicanconf", CACHE_PATH=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-m", "pelican", str(cluster), "-o", str(tmp_path / "unused"), "-s",
                           str(settings), "-e", "GAZETTE_VALIDATE_ONLY=true"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0
    assert re.search(r"news/(dq-copy|jyj-1)\.md: slug: URL /gzdt/2024/jyj-1/ on site jyj is also used by "
                     r"\S*news/(jyj-1|dq-copy)\.md", proc.stderr), proc.stderr


def test_each_site_keeps_its_own_caches_beside_the_shared_parse_cache(cluster: Path, tmp_path: Path) -> None:
    """As CI and make bench pass it, CACHE_PATH on the command line: every site's caches under it, apart."""
    cache = tmp_path / "given-cache"
    proc = run_cluster("html", cluster, tmp_path / "out", "pelicanconf", "--", "-e", f'CACHE_PATH="{cache}"')
    assert proc.returncode == 0, proc.stderr
    assert (cache / "gazette-parse").is_dir()  # parsed once, for all
    assert sorted(p.name for p in (cache / "sites").iterdir()) == ["dq", "jyj", "www"]
    assert not (cache / "page_store").exists()  # no site's pages in the shared place
    assert (cache / "sites" / "jyj" / "page_store").is_dir()


def test_the_library_is_parsed_once_for_all_the_sites(cluster: Path, tmp_path: Path) -> None:
    """The fork server parses the library before any site builds (plugins/cluster/library.py); every site takes
    each file's parse from there, and the output is what builds that parse for themselves give."""
    parse_log = re.compile(r"(\d+) files parsed, (\d+) from the cache \((\d+) of them parsed before this build\)")
    proc = run_cluster("html", cluster, tmp_path / "out", "pelicanconf", "--", "-v")
    assert proc.returncode == 0, proc.stderr
    counts = parse_log.findall(proc.stdout + proc.stderr)
    files = len(list(cluster.rglob("*.md")))
    assert counts == [("0", str(files), str(files))] * 3
    # --ignore-cache: nothing read ahead is used either; every site parses every file itself.
    again = run_cluster("html", cluster, tmp_path / "again", "pelicanconf", "--", "-v", "--ignore-cache")
    assert again.returncode == 0, again.stderr
    assert parse_log.findall(again.stdout + again.stderr) == [(str(files), "0", "0")] * 3
    assert _tree(tmp_path / "again") == _tree(tmp_path / "out")


def test_a_site_has_its_own_colour_and_logo(cluster: Path, tmp_path: Path) -> None:
    from tests.test_organisation import png

    (cluster / "brand").mkdir()
    png(cluster / "brand" / "jyj-logo.png", 96, 96)
    dept = cluster / "_data" / "sites" / "jyj.yaml"
    data = yaml.safe_load(dept.read_text(encoding="utf-8"))
    data["site"].update({"colour": "blue", "logo": {"file": "brand/jyj-logo.png"}})
    dept.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cluster("html", cluster, out)
    assert proc.returncode == 0, proc.stderr
    assert "not linked from any published document" not in proc.stderr  # the portal leaves the logo to its site
    home = page(out, "jyj", "")
    assert '<html lang="zh-cn" class="gz-colour-blue"' in home
    assert re.search(r'<img class="gz-header__logo" src="/jyj/brand/jyj-logo\.png" width="96" height="96" alt="">',
                     home)
    assert (out / "jyj" / "brand" / "jyj-logo.png").is_file() and not (out / "www" / "brand").exists()
    portal = page(out, "www", "")
    assert "gz-colour-" not in portal and "gz-header__logo" not in portal and "gz-header__emblem" in portal
    data["site"]["colour"] = "purple"
    dept.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = run_cluster("html", cluster, out)
    assert proc.returncode != 0 and "jyj.yaml: site.colour: 'purple'" in proc.stderr
