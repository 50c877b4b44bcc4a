"""Document lifecycle (47号: changes marked on the original): a policy that amends or repeals
another names it, the older one shows a banner naming the newer, and its validity follows."""

from __future__ import annotations

import re

from test_bad_input import add, assert_fails_with

NEW = """---
title: 样例市政府网站管理办法
date: 2024-05-06 09:00
doc_no: 样政发〔2024〕40号
issuer: 样例市人民政府
written_date: 2024-04-30
effective_date: 2024-06-01
interpretation_waived: 测试
{refs}---
正文。
"""

OLD = """---
title: 样例市网站旧规定
date: 2022-03-01 09:00
doc_no: 样政发〔2022〕9号
issuer: 样例市人民政府
written_date: 2022-02-25
interpretation_waived: 测试
---
旧规定正文。
"""


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_repealed_and_amended_policies_name_the_newer_one_and_follow_its_validity(sample_content, build_site):
    add(sample_content, "policy/old-rules.md", OLD)
    add(sample_content, "policy/new-rules.md", NEW.format(refs="repeals: 样政发[2022]9号\namends: [yl-2024-5]\n"
                                                              .replace("[2022]", "〔2022〕")))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    old = result.html("zcwj/2022/old-rules/index.html")
    assert ('本文件已被<a href="/zcwj/2024/new-rules/">《样例市政府网站管理办法》（样政发〔2024〕40号）</a>'
            "废止（2024-06-01）") in re.sub(r"\s+", " ", old)  # its effective date
    assert "已废止" in text(old.split('class="gz-meta', 1)[1].split("</table>", 1)[0])
    amended = result.html("zcwj/2024/yl-2024-5/index.html")
    assert "本文件已被" in amended and "修改（2024-06-01），请结合修改后的规定阅读" in text(amended)
    new = text(result.html("zcwj/2024/new-rules/index.html"))
    assert ("本文件废止和修改的文件 样例市网站旧规定样政发〔2022〕9号，废止 样例市人民政府关于加强政府网站建设的意见"
            "样政发〔2024〕5号，修改") in new
    # The catalogue's validity facet follows too.
    facets = result.html("zfxxgk/index.html")
    assert "已修改" in facets and "已废止" in facets
    # The hand-written validity of an already repealed policy stays as it was.
    assert "（2024-03-15）" in result.html("zcwj/2019/yl-2019-2/index.html")


def test_lifecycle_references_are_checked_like_interprets(sample_content, build_site):
    path = add(sample_content, "policy/new-rules.md",
               NEW.format(refs="repeals: [样政发〔2099〕1号, 样政发〔2024〕40号]\namends: 样政发[2024]5号\n"))
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{path}: repeals: '样政发〔2099〕1号' matches no policy in this site (use a policy's doc_no or slug) (废止文件)",
        f"{path}: repeals: '样政发〔2024〕40号' is this policy itself (废止文件)",
        f"{path}: amends: '样政发[2024]5号' matches no policy; did you mean '样政发〔2024〕5号' with 〔〕? (修改文件)",
    )
