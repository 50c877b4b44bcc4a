"""Interaction channels (site.yaml `channels:`): shown where people look for them, and a site
without any is a veto item of the inspection."""

from __future__ import annotations

import re

from conftest import found
from test_bad_input import assert_fails_with


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def set_channels(content, channels: str) -> None:
    site = content / "_data" / "site.yaml"
    yaml = re.sub(r"channels:\n(  - .*\n)*", "", site.read_text(encoding="utf-8"))
    site.write_text(yaml + channels, encoding="utf-8")


def test_channels_on_the_reply_column_and_open_consultations(sample_content, build_site):
    set_channels(sample_content, "channels:\n  - {name: 市长信箱, url: \"https://hd.example.gov.cn/\", "
                                 "hours: 工作日 9:00—17:00}\n  - {name: 12345政务服务便民热线, phone: \"12345\"}\n")
    consultation = sample_content / "consultation" / "open-one.md"
    consultation.write_text(re.sub(r"\n(respond|反馈方式):[^\n]*", "", consultation.read_text(encoding="utf-8")),
                            encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    column = result.html("hdhy/index.html")
    assert '<a class="gz-channels__name" href="https://hd.example.gov.cn/">市长信箱</a>' in column
    assert '<a href="tel:12345">12345</a>' in column and "我要留言" in text(column)
    page = text(result.html("yjzj/2024/open-one/index.html"))
    assert re.search(r"如何提交意见（截止 ?2024-06-30 17:00 ?） 市长信箱 受理时间：工作日 9:00—17:00", page), page
    assert "我要留言" not in text(result.html("gzdt/index.html"))  # other columns: no


def test_no_channel_is_a_veto_and_a_channel_needs_a_way_to_reach_it(sample_content, inspect, build_site):
    set_channels(sample_content, "")
    assert found(inspect(sample_content), "interaction-channels") == [
        ("veto", "未设置任何互动交流渠道（领导信箱、12345热线、互动平台等；单项否决）：在 site.yaml 的 channels: 下写明名称和"
                 "网址或电话", "content/_data/site.yaml", 0)]
    set_channels(sample_content, "channels:\n  - {name: 市长信箱}\n")
    assert_fails_with(build_site(sample_content),
                      f"{sample_content.relative_to(sample_content.parent)}/_data/site.yaml: channels[0]: needs a url or "
                      "a phone (网址 或 电话): how to reach it")
