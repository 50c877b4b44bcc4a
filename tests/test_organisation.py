"""机构职能 and 领导信息 in one fixed format: the organisation's functions, departments and contacts with its
leaders (photo, position, responsibilities, CV), ordered as the office says; the inspection checks both exist
and are not empty."""

from __future__ import annotations

import re
import struct
import zlib

from conftest import found
from test_bad_input import add, assert_fails_with

COLUMNS = "  - {id: jgzn, name: 机构职能, type: org}\n  - {id: ldxx, name: 领导信息, type: leader}\n"


def png(path, width: int = 300, height: int = 400) -> None:
    """A grey PNG of the given size."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def columns(content) -> None:
    site = content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("departments:", COLUMNS + "departments:", 1),
                    encoding="utf-8")


def org(content, body: str = "主要职责正文。", units: str = "[办公室：负责机关日常运转, 政务公开科]") -> str:
    return add(content, "org/bgs.md", f"---\ntitle: 样例市人民政府办公室\ndate: 2024-01-02\naddress: 样例市中心路1号\n"
                                      f"hours: 工作日 9:00—17:00\nphone: 000-1234567（值班）\nunits: {units}\n---\n{body}\n")


def leader(content, name: str, title: str, order: int, photo: bool = True, cv: str = "简历正文。") -> str:
    if photo:
        (content / "leader").mkdir(exist_ok=True)
        png(content / "leader" / f"{name}.png")
    image = f"image: {{file: {name}.png, alt: {title}的照片}}\n" if photo else ""
    return add(content, f"leader/{name}.md", f"---\ntitle: {title}\ndate: 2024-01-02\nposition: 副市长\norder: {order}\n"
                                             f"responsibilities: 负责教育工作。\n{image}---\n{cv}\n")


def test_the_organisation_and_its_leaders_show_in_one_fixed_format(sample_content, build_site):
    columns(sample_content)
    org(sample_content)
    leader(sample_content, "b", "乙副市长", 2)
    leader(sample_content, "a", "甲市长", 1)
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    page = result.html("jgzn/2024/bgs/index.html")
    assert '<dt>联系电话</dt><dd><a href="tel:0001234567">000-1234567（值班）</a></dd>' in page
    part = page[page.index('id="units"'):]
    units = re.findall(r"<div><dt>([^<]+)</dt>(?:<dd>([^<]+)</dd>)?</div>", part[:part.index("</dl>")])
    assert units == [("办公室", "负责机关日常运转"), ("政务公开科", "")]
    # Leaders in the office's order, each with photo, position, responsibilities and a link to the CV.
    cards = re.findall(r'<img class="gz-leader__photo" src="([^"]+)" width="300" height="400" alt="([^"]+)" '
                       r'loading="lazy">\s*<p class="gz-leader__name"><a href="([^"]+)">', page)
    assert cards == [("/ldxx/2024/a/a.png", "甲市长的照片", "/ldxx/2024/a/"),
                     ("/ldxx/2024/b/b.png", "乙副市长的照片", "/ldxx/2024/b/")]
    assert (result.output / "ldxx" / "2024" / "a" / "a.png").is_file()
    # The 机构职能 column shows the same, and each leader's page the CV.
    column = result.html("jgzn/index.html")
    assert "样例市中心路1号" in column and column.index("甲市长") < column.index("乙副市长")
    cv = result.html("ldxx/2024/a/index.html")
    assert '<h2 class="gz-section__title" id="cv">简历</h2>' in cv and "<p>简历正文。</p>" in cv
    assert "<dt>分管工作</dt><dd>负责教育工作。</dd>" in cv


def test_inspection_wants_both_and_neither_empty(sample_content, inspect):
    findings = found(inspect(sample_content), "organisation")
    assert [m.split("（")[0] for _, m, _, _ in findings] == ["未发布机构职能", "未发布领导信息"]
    columns(sample_content)
    empty = org(sample_content, body="", units="[]")
    bare = leader(sample_content, "c", "丙副市长", 3, photo=False, cv="")
    leader(sample_content, "d", "丁副市长", 4)
    findings = found(inspect(sample_content), "organisation")
    assert sorted(findings) == sorted([
        ("warning", "机构职能缺少：主要职责（正文）、内设机构（units）", empty, 0),
        ("warning", "领导信息缺少：照片（image）、简历（正文）", bare, 0),
    ])


def test_leader_fields_are_checked(sample_content, build_site):
    columns(sample_content)
    path = add(sample_content, "leader/x.md", "---\ntitle: 某某\ndate: 2024-01-02\norder: 第一\n---\n简历。\n")
    assert_fails_with(build_site(sample_content),
                      f"{path}: position: missing (职务 is required for type leader)",
                      f"{path}: responsibilities: missing (分管工作 is required for type leader)",
                      f"{path}: order: '第一' is not a whole number (排序)")
