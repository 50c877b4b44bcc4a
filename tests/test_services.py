"""Service guides (办事指南): the elements people need, grouped in the 办事服务 column by life event for 个人 and
法人 and by theme; the inspection names missing elements and checks the 在线办理 link."""

from __future__ import annotations

import re

from conftest import found
from test_bad_input import add, assert_fails_with

COMPLETE = """---
title: {title}
date: 2024-04-01 09:00
agency: 样例市社会保险事业服务中心
audience: {audience}
life_event: {event}
theme: {theme}
basis: 《中华人民共和国社会保险法》
conditions: |
  年满16周岁；
  具有本市户籍。
materials: [居民身份证原件, 参保登记表]
process: |
  申请；
  受理；
  办结。
time_limit: 承诺即办
fees: 不收费
location: 市政务服务中心3号窗口
hours: 工作日 9:00—17:00
phone: 000-12345601（工作日）
complaint_phone: "12345"
online_url: {online}
{extra}---
备注。
"""


def guide(content, name: str, *, audience: str = "personal", event: str = "退休养老", theme: str = "社会保障",
          online: str = "https://zwfw.example.gov.cn/item/1", extra: str = "", drop: tuple[str, ...] = ()) -> str:
    site = content / "_data" / "site.yaml"
    text = site.read_text(encoding="utf-8")
    if "type: service" not in text:
        text = text.replace("departments:", "  - {id: bsfw, name: 办事服务, type: service}\ndepartments:", 1)
        site.write_text(text.replace("  index_org_code:", "  service_hosts: [zwfw.example.gov.cn]\n  index_org_code:", 1),
                        encoding="utf-8")
    body = COMPLETE.format(title=f"事项{name}", audience=audience, event=event, theme=theme, online=online, extra=extra)
    for key in drop:
        body = re.sub(rf"^{key}:.*\n(?:  .*\n)*", "", body, flags=re.M)
    return add(content, f"service/{name}.md", body)


def test_a_guide_shows_its_elements_materials_steps_forms_and_online_link(sample_content, build_site):
    (sample_content / "service").mkdir()
    (sample_content / "service" / "form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    guide(sample_content, "yl", extra="attachments:\n  - {file: form.pdf, title: 参保登记表}\n")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    page = result.html("bsfw/2024/yl/index.html")
    assert '<a class="gz-button" href="https://zwfw.example.gov.cn/item/1">在线办理</a>' in page
    assert '<tr><th scope="row">受理条件</th><td>年满16周岁；<br>具有本市户籍。</td></tr>' in page
    assert '<a href="tel:00012345601">000-12345601（工作日）</a>' in page  # one tap on a phone
    steps = re.findall(r"<li>([^<]+)</li>", page[page.index('id="process"'):page.index('id="forms"')])
    assert steps == ["申请；", "受理；", "办结。"]
    assert '<a class="gz-files__link" href="/bsfw/2024/yl/form.pdf" download>参保登记表</a>' in page
    assert (result.output / "bsfw" / "2024" / "yl" / "form.pdf").is_file()


def test_the_column_groups_guides_by_life_event_for_each_audience_and_by_theme(sample_content, build_site):
    guide(sample_content, "yl", audience="personal", event="退休养老", theme="社会保障")
    guide(sample_content, "mc", audience="corporate", event="开办企业", theme="市场监管")
    guide(sample_content, "sb", audience="both", event="参保缴费", theme="社会保障")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    page = result.html("bsfw/index.html")

    def section(anchor: str) -> list[tuple[str, list[str]]]:
        part = page[page.index(f'id="{anchor}"'):]
        part = part[:part.index("</section>")]
        return [(head, re.findall(r'href="/bsfw/2024/(\w+)/"', items))
                for head, items in re.findall(r'<h3 class="gz-service__group">([^<]+)</h3>(.*?)</ul>', part, re.S)]

    assert section("personal") == [("参保缴费", ["sb"]), ("退休养老", ["yl"])]
    assert section("corporate") == [("参保缴费", ["sb"]), ("开办企业", ["mc"])]
    assert section("by-theme") == [("市场监管", ["mc"]), ("社会保障", ["yl", "sb"])]  # same date: by URL, descending


def test_inspection_names_missing_elements_and_checks_the_online_link(sample_content, inspect):
    guide(sample_content, "ok")
    missing = guide(sample_content, "missing", drop=("basis", "hours", "online_url"))
    plain = guide(sample_content, "plain", online="http://zwfw.example.gov.cn/item/2")
    elsewhere = guide(sample_content, "elsewhere", online="https://shop.example.com/item/3")
    findings = found(inspect(sample_content), "service-guide")
    assert sorted(findings) == sorted([
        ("veto", "4项办事指南中有1项要素不全，超过10%（服务不实用，单项否决）：补全上面列出的要素",
         "content/_data/site.yaml", 0),
        ("warning", "办事指南缺少要素：设定依据、办理时间、在线办理", missing, 0),
        ("warning", "在线办理链接不是https：http://zwfw.example.gov.cn/item/2", plain, 23),
        ("warning", "在线办理链接指向未登记的网站 shop.example.com：核对链接，或把政务服务平台的域名写进 site.yaml 的 "
                    "service_hosts", elsewhere, 23),
    ])


def test_a_few_incomplete_guides_are_warnings_more_are_a_veto(sample_content, inspect):
    for n in range(10):
        guide(sample_content, f"g{n}")
    guide(sample_content, "short", drop=("hours",))  # 1 of 11: 9 %
    assert {s for s, *_ in found(inspect(sample_content), "service-guide")} == {"warning"}
    guide(sample_content, "short2", drop=("fees",))  # 2 of 12: 17 %
    assert "veto" in {s for s, *_ in found(inspect(sample_content), "service-guide")}
    assert found(inspect(sample_content, INSPECTION_SERVICE_INCOMPLETE_SHARE=20), "service-guide")[0][0] == "warning"


def test_guide_fields_are_checked(sample_content, build_site):
    path = guide(sample_content, "bad", audience="居民")
    assert_fails_with(build_site(sample_content),
                      f"{path}: audience: '居民' is not one of personal (个人), corporate (法人), both (个人和法人) (服务对象)")
