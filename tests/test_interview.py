"""在线访谈: guests, time and transcript; an interview that names a policy is its interpretation (访谈)."""

from __future__ import annotations

import json
import re

from conftest import found
from test_bad_input import add, assert_fails_with

INTERVIEW = """---
title: 网站建设在线访谈
date: 2024-05-08 15:00
interview_time: 2024-05-07 10:00
guests: [市政府办公室副主任 王明, 市数据局局长 李华]
host: 张洁
{extra}---
**主持人：** 出台的背景是什么？

**王明：** 提升网站服务能力。
"""


def with_column(content) -> None:
    site = content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "departments:", "  - {id: zxft, name: 在线访谈, type: interview}\ndepartments:", 1), encoding="utf-8")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_interview_shows_its_guests_and_interprets_its_policy(sample_content, build_site, inspect):
    with_column(sample_content)
    add(sample_content, "interview/zxft-1.md", INTERVIEW.format(extra="interprets: 样政发〔2024〕5号\n"))
    add(sample_content, "policy/alone.md", "---\ntitle: 只有访谈的文件\ndate: 2024-05-02 09:00\ndoc_no: 样政发〔2024〕31号\n"
        "issuer: 样例市人民政府\nwritten_date: 2024-04-30\n---\n正文。\n")
    add(sample_content, "interview/zxft-2.md", INTERVIEW.format(extra="interprets: 样政发〔2024〕31号\n")
        .replace("网站建设在线访谈", "只有访谈的文件在线访谈"))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    page = result.html("zxft/2024/zxft-1/index.html")
    shown = text(page)
    assert "访谈时间 2024-05-07 10:00" in shown and "访谈嘉宾 市政府办公室副主任 王明；市数据局局长 李华" in shown
    assert "主持人 张洁" in shown and "解读文件 样例市人民政府关于加强政府网站建设的意见" in shown
    assert "访谈实录" in shown and "出台的背景是什么？" in shown
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert ld["@type"] == "Article" and ld["about"][0]["legislationIdentifier"] == "样政发〔2024〕5号"
    policy = result.html("zcwj/2024/yl-2024-5/index.html")
    related = text(policy.split('id="related"', 1)[1].split("</section>", 1)[0])
    assert "网站建设在线访谈" in related and "访谈" in related  # listed with its form
    # An interview alone is an interpretation: the policy it names is not reported as lacking one.
    report = inspect(sample_content)
    assert not [f for f in found(report, "missing-interpretation") if "样政发〔2024〕31号" in f[1]]


def test_interview_errors_name_the_field(sample_content, build_site):
    with_column(sample_content)
    path = add(sample_content, "interview/bad.md",
               INTERVIEW.format(extra="interprets: 样政发〔2099〕1号\n").replace("guests: [市政府办公室副主任 王明, 市数据局局长 李华]\n", ""))
    assert_fails_with(build_site(sample_content),
                      f"{path}: guests: missing (访谈嘉宾 is required for type interview)")
    add(sample_content, "interview/bad.md", INTERVIEW.format(extra="interprets: 样政发〔2099〕1号\n"))
    assert_fails_with(build_site(sample_content),
                      f"{path}: interprets: '样政发〔2099〕1号' matches no policy in this site (use a policy's doc_no or "
                      "slug) (解读文件)")
