"""Each inspection rule on a small site that triggers it and on one that does not."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, found

GATE = ROOT / "plugins" / "inspection" / "gate.py"
PUBLISH = ROOT / "plugins" / "inspection" / "publish.py"


def add(content: Path, rel: str, text: str) -> None:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_clean_sample_has_no_veto_or_block(inspect, sample_content):
    report = inspect(sample_content)
    assert report["summary"]["veto"] == 0 and report["summary"]["block"] == 0, report["findings"]
    assert {r["id"] for r in report["rules"]} == {
        "homepage-stale", "stale-columns", "empty-columns", "broken-links", "missing-interpretation",
        "late-interpretation", "reply-deadlines", "consultation-outcome", "publish-date", "footer-identity",
        "forbidden-terms", "personal-data"}


def test_homepage_stale_after_14_days(inspect, sample_content):
    assert found(inspect(sample_content, today="2024-05-20"), "homepage-stale") == []
    assert found(inspect(sample_content, today="2024-05-21"), "homepage-stale") == [
        ("veto", "newest item on the home page is 15 days old (limit 14): 样例市召开政务公开工作会议", "", 0)]


def test_stale_and_empty_columns_and_their_vetoes(inspect, sample_content):
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "departments:", "  - {id: tzgg, name: 通知公告, type: notice}\ndepartments:"), encoding="utf-8")
    report = inspect(sample_content, today="2024-05-21", INSPECTION_STALE_COLUMNS_VETO=1,
                     INSPECTION_EMPTY_COLUMNS_VETO=1)
    assert ("warning", "column 工作动态 (gzdt) last updated 15 days ago (limit 14)", "", 0) in found(report, "stale-columns")
    assert ("veto", "1 stale columns (veto at 1)", "", 0) in found(report, "stale-columns")
    assert found(report, "empty-columns") == [("veto", "1 empty columns (veto at 1)", "", 0),
                                              ("warning", "column 通知公告 (tzgg) is empty", "", 0)]
    quiet = inspect(sample_content, today="2024-05-20")
    assert found(quiet, "stale-columns") == [] and ("veto", "1 empty columns (veto at 1)", "", 0) not in found(quiet, "empty-columns")


def test_broken_links_anchors_and_missing_images(inspect, sample_content):
    add(sample_content, "news/links.md", "---\ntitle: 链接\ndate: 2024-05-08\n---\n"
        "[好链接](/zcwj/2024/yl-2024-5/) [坏链接](/zcwj/2099/none/) [坏锚点](/zcwj/#nope) "
        "[好锚点](/zcwj/2024/yl-2024-5/#related)\n\n![缺图](/images/none.png)\n")
    report = inspect(sample_content)
    assert found(report, "broken-links") == [
        ("block", "broken image or file /images/none.png", "gzdt/2024/links/index.html", 0),
        ("block", "broken link /zcwj/2099/none/", "gzdt/2024/links/index.html", 0),
        ("block", "missing anchor #nope in /zcwj/#nope", "gzdt/2024/links/index.html", 0),
    ]


def test_missing_and_late_interpretations(inspect, sample_content):
    add(sample_content, "policy/alone.md", "---\ntitle: 无解读\ndate: 2024-05-01\ndoc_no: 样政发〔2024〕30号\n"
        "issuer: 样例市人民政府\nwritten_date: 2024-04-28\n---\n正文\n")
    add(sample_content, "policy/waived.md", "---\ntitle: 免解读\ndate: 2024-05-01\ndoc_no: 样政发〔2024〕31号\n"
        "issuer: 样例市人民政府\nwritten_date: 2024-04-28\ninterpretation_waived: 内部事务\n---\n正文\n")
    report = inspect(sample_content)
    assert found(report, "missing-interpretation") == [
        ("warning", "policy 样政发〔2024〕30号 has no interpretation (add one, or `interpretation_waived: <reason>`)",
         "content/policy/alone.md", 0)]
    late = found(report, "late-interpretation")
    assert late == [("warning", "published 1874 days after policy 样政发〔2019〕2号 (limit 7)",
                     "content/interpretation/jd-both.md", 0)]  # jd-2024-5 came the same day: fine


def test_reply_deadlines_follow_the_official_calendar(inspect, sample_content):
    # 2024-05-01..05 is the May Day holiday and Saturday 2024-05-11 a make-up working day (调休):
    # from 04-30 to 05-13 is 7 working days (Mon-Fri counting would say 9).
    reply = "---\ntitle: 问{n}\ndate: 2024-05-15\nquestion: 问题\nreceived: {received}\n{replied}---\n答复\n"
    add(sample_content, "reply/on-time.md", reply.format(n=1, received="2024-04-30", replied="replied: 2024-05-13\n"))
    add(sample_content, "reply/late.md", reply.format(n=2, received="2024-04-30", replied="replied: 2024-05-14\n"))
    add(sample_content, "reply/complex.md", reply.format(n=3, received="2024-04-30",
                                                         replied="replied: 2024-05-14\ncomplex: true\n"))
    add(sample_content, "reply/pending.md", reply.format(n=4, received="2024-05-08", replied=""))
    add(sample_content, "reply/forgotten.md", reply.format(n=5, received="2024-02-01", replied=""))
    report = inspect(sample_content, today="2024-05-15")
    assert found(report, "reply-deadlines") == [
        ("veto", "unanswered for 104 days (veto past 90)", "content/reply/forgotten.md", 0),
        ("warning", "answered in 8 working days (limit 7)", "content/reply/late.md", 0),
    ]
    later = inspect(sample_content, today="2024-05-17")
    assert ("warning", "unanswered after 8 working days (limit 7)", "content/reply/pending.md", 0) in found(
        later, "reply-deadlines")


def test_closed_consultation_without_outcome(inspect, sample_content):
    add(sample_content, "consultation/silent.md", "---\ntitle: 征求意见\ndate: 2024-01-01\n"
        "opens: 2024-01-01\ncloses: 2024-01-31\n---\n正文\n")
    assert found(inspect(sample_content), "consultation-outcome") == [
        ("warning", "closed without an outcome (意见采纳情况)", "content/consultation/silent.md", 0)]


def test_pages_without_date_or_footer_identity(inspect, sample_content, tmp_path):
    overrides = tmp_path / "overrides"
    (overrides / "components").mkdir(parents=True)
    (overrides / "news.html").write_text('{% extends "document.html" %}{% block doc_byline %}{% endblock %}'
                                         '{% block doc_after_body %}{% endblock %}', encoding="utf-8")
    doc = (ROOT / "themes/gazette/templates/document.html").read_text(encoding="utf-8")
    assert "最后更新：{{ gz.date(doc.modified or doc.date) }}" in doc
    (overrides / "document.html").write_text(doc.replace("最后更新：{{ gz.date(doc.modified or doc.date) }}", ""),
                                             encoding="utf-8")
    footer = (ROOT / "themes/gazette/templates/components/footer.html").read_text(encoding="utf-8")
    (overrides / "components" / "footer.html").write_text(footer.replace("{{ site.icp }}", ""), encoding="utf-8")
    report = inspect(sample_content, THEME_TEMPLATES_OVERRIDES=[str(overrides)])
    # news lost its byline here; static pages only ever showed the 最后更新 line we removed
    assert sorted(f[2] for f in found(report, "publish-date")) == [
        "about/index.html", "en/about/index.html", "gzdt/2024/gzdt-1/index.html"]
    footers = found(report, "footer-identity")
    assert ("warning", "footer lacks 样ICP备00000001号", "index.html", 0) in footers
    assert found(inspect(sample_content), "footer-identity") == []


def _id_number(prefix17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return prefix17 + "10X98765432"[sum(int(c) * w for c, w in zip(prefix17, weights, strict=True)) % 11]


def test_forbidden_terms_and_personal_data_name_file_and_line(inspect, sample_content):
    good_id = _id_number("11010519491231002")
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # wrong checksum: not an ID number
    add(sample_content, "news/leak.md", "---\ntitle: 泄露\ndate: 2024-05-08\n---\n第一行正常。\n\n"
        f"来信人身份证号{good_id}，电话13812345678。\n\n文号样政发〔2024〕5号，编号{bad_id}，座机022-12345678。\n\n"
        "经研究，原则上同意。\n")
    report = inspect(sample_content, INSPECTION_FORBIDDEN_TERMS={"原则上同意": "", "样例市政府办公厅": "样例市人民政府办公室"})
    assert found(report, "personal-data") == [
        ("block", "mobile number 138****5678", "content/news/leak.md", 7),
        ("block", f"resident ID number {good_id[:6]}********{good_id[-4:]}", "content/news/leak.md", 7),
    ]
    assert found(report, "forbidden-terms") == [("block", "'原则上同意'", "content/news/leak.md", 11)]
    clean = inspect(sample_content, INSPECTION_FORBIDDEN_TERMS={"不存在的词": ""}, today="2024-05-10")
    assert found(clean, "forbidden-terms") == []
    (sample_content / "news" / "leak.md").unlink()
    assert found(inspect(sample_content), "personal-data") == []


def test_gate_exit_status(inspect, sample_content, tmp_path):
    report = inspect(sample_content, today="2024-05-21")  # home page stale: a veto
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    veto = subprocess.run([sys.executable, GATE, path, "--fail-on", "veto", "block"], capture_output=True, text=True)
    assert veto.returncode == 1
    assert "VETO homepage-stale: newest item on the home page is 15 days old" in veto.stderr
    publish = subprocess.run([sys.executable, GATE, path, "--fail-on", "block"], capture_output=True, text=True)
    assert publish.returncode == 0 and "VETO homepage-stale" in publish.stderr


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _publish(content: Path, output: Path, today: str, *pelican_args: str) -> subprocess.CompletedProcess:
    from conftest import write_settings

    settings = write_settings(output.parent, content, "publishconf")
    return subprocess.run([sys.executable, PUBLISH, "--content", content, "--output", output, "--settings", settings,
                           "--today", today, "--", *pelican_args],
                          capture_output=True, text=True, cwd=output.parent, timeout=300)


def test_publish_passes_the_callers_settings_on_but_never_shows_drafts(sample_content, tmp_path):
    """make publish PELICANOPTS='-e …': Pelican keeps only one -e list, so publish.py merges them."""
    add(sample_content, "news/draft.md", "---\ntitle: 草稿\ndate: 2024-05-09\nstatus: draft\n---\n正文\n")
    result = _publish(sample_content, tmp_path / "output", "2024-05-10",
                      "-e", 'SITEURL="https://preview.example.cn"', "GAZETTE_SHOW_DRAFTS=true")
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert "https://preview.example.cn/" in home and "草稿" not in home
    assert not (tmp_path / "output" / "gzdt" / "2024" / "draft").exists()


def test_publish_swaps_in_a_good_build_and_keeps_the_old_site_on_failure(sample_content, tmp_path):
    output = tmp_path / "output"
    first = _publish(sample_content, output, "2024-05-21")  # a stale home page does not block publishing
    assert first.returncode == 0, first.stderr
    assert "VETO homepage-stale" in first.stderr
    assert not (output / "inspection").exists() and (tmp_path / "output-inspection" / "report.json").is_file()
    before = _snapshot(output)
    assert "index.html" in before

    add(sample_content, "news/leak.md", "---\ntitle: 泄露\ndate: 2024-05-08\n---\n电话13812345678\n")
    blocked = _publish(sample_content, output, "2024-05-10")
    assert blocked.returncode == 1
    assert "BLOCK personal-data: content/news/leak.md:5: mobile number 138****5678" in blocked.stderr
    assert _snapshot(output) == before

    (sample_content / "news" / "leak.md").write_text("---\ntitle: 坏\n---\n", encoding="utf-8")
    broken = _publish(sample_content, output, "2024-05-10")
    assert broken.returncode == 1 and "the build failed" in broken.stderr
    assert _snapshot(output) == before
    assert not (tmp_path / "output.next").exists()

    (sample_content / "news" / "leak.md").unlink()
    add(sample_content, "news/fresh.md", "---\ntitle: 新消息\ndate: 2024-05-09\n---\n正文\n")
    good = _publish(sample_content, output, "2024-05-10")
    assert good.returncode == 0, good.stderr
    assert (output / "gzdt/2024/fresh/index.html").is_file()


def test_public_reply_statistics_per_department(sample_content, build_site):
    reply = "---\ntitle: 问{n}\ndate: 2024-05-15\nquestion: 问题\nreceived: {received}\n{replied}department: bgs\n---\n答\n"
    add(sample_content, "reply/late.md", reply.format(n=2, received="2024-04-30", replied="replied: 2024-05-14\n"))
    add(sample_content, "reply/pending.md", reply.format(n=3, received="2024-05-08", replied=""))
    add(sample_content, "reply/nodept.md", "---\ntitle: 问4\ndate: 2024-05-15\nquestion: 问\nreceived: 2024-05-06\n"
        "replied: 2024-05-07\n---\n答\n")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    html = result.html("hdhy/tjsj/index.html")
    rows = ["|".join(re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", r))
            for r in re.findall(r'<tr[^>]*><th scope="row">.*?</tr>', html, re.S)]
    # hf-1: 4 working days; late.md: 8 (May Day holiday, make-up Saturday counted); nodept.md: 1
    assert rows == ["未指定部门|1|1|0|1.0|1|100%", "样例市人民政府办公室|3|2|1|6.0|8|50%", "全部|4|3|1|4.3|8|67%"]
    assert 'href="/hdhy/tjsj/">查看各部门留言办理情况统计</a>' in result.html("hdhy/index.html")


def test_publish_blocks_broken_links_in_minified_pages(sample_content, tmp_path):
    add(sample_content, "news/links.md", "---\ntitle: 链接\ndate: 2024-05-08\n---\n[坏链接](/zcwj/2099/none/)\n")
    result = _publish(sample_content, tmp_path / "output", "2024-05-10")
    assert result.returncode == 1
    assert "BLOCK broken-links: gzdt/2024/links/index.html: broken link /zcwj/2099/none/" in result.stderr
    assert not (tmp_path / "output").exists()
