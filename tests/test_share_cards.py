"""Share cards and structured data: every page has a raster card picture, and its JSON-LD says true things.

The pictures are checked by their own header bytes, read here, not by the plugin's code.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import SAMPLE, build

PORTAL = "https://www.binhai.gov.cn"
MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")


def png(width: int, height: int) -> bytes:
    """A real PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xa4\x16\x1a" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def jpeg(width: int, height: int) -> bytes:
    """A JPEG header (JFIF, then the baseline frame that gives the size): all a share card reader needs."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def picture(data: bytes) -> tuple[str, int, int] | None:
    """(media type, width, height) from a PNG's IHDR or a JPEG's frame header; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return "image/jpeg", width, height
            i += 2 + length
    return None


class Page(HTMLParser):
    """What a page tells sharers and search engines: meta tags, JSON-LD, the visible breadcrumb, share links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.json_ld: list[dict] = []
        self.crumbs: list[list] = []  # [text, href or None] per item of each breadcrumb
        self.crumb_navs = 0
        self.links: list[str] = []
        self.item_page = False  # <html itemscope>: the head's itemprop tags belong to an item (valid HTML)
        self._script: list[str] | None = None
        self._crumb_depth = 0
        self._crumb_item: list | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.item_page = "itemscope" in a and bool(a.get("itemtype"))
        if tag == "meta" and "content" in a:
            key = a.get("property") or a.get("name") or ("itemprop:" + a["itemprop"] if "itemprop" in a else "")
            self.meta.setdefault(key, a["content"])
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._script = []
        elif tag == "nav" and "gz-crumbs" in (a.get("class") or ""):
            self._crumb_depth, self.crumb_navs = 1, self.crumb_navs + 1
        elif self._crumb_depth and tag == "li":
            self._crumb_item = ["", None]
            self.crumbs.append(self._crumb_item)
        elif self._crumb_item is not None and tag == "a":
            self._crumb_item[1] = a["href"]
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.json_ld.append(json.loads("".join(self._script)))
            self._script = None
        elif tag == "li":
            self._crumb_item = None
        elif tag == "nav":
            self._crumb_depth = 0

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        elif self._crumb_item is not None:
            self._crumb_item[0] += data


def objects(data):
    """Every JSON object inside a JSON-LD block, nested ones and @graph members included."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from objects(value)
    elif isinstance(data, list):
        for item in data:
            yield from objects(item)


def pages(result) -> dict[str, Page]:
    """Every HTML page of a build but the inspection report (a standalone file for the office, not shared)."""
    return {str(p.relative_to(result.output)): Page(p.read_text(encoding="utf-8"))
            for p in sorted(result.output.rglob("*.html")) if not str(p.relative_to(result.output)).startswith("inspection/")}


def add_header(path: Path, lines: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n" + lines, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def card_build(tmp_path_factory):
    """The sample site with a share picture in site.yaml (JPEG, square, outside the public folders) and
    documents with their own: a PNG beside the policy, and one under content/brand/ for a news item."""
    base = tmp_path_factory.mktemp("cards")
    content = base / "content"
    shutil.copytree(SAMPLE, content)
    (content / "brand").mkdir()
    (content / "brand" / "share.jpg").write_bytes(jpeg(600, 600))
    (content / "brand" / "news.png").write_bytes(png(400, 400))
    (content / "policy" / "yl-2024-5-card.png").write_bytes(png(1200, 630))
    site = content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "site:\n", "site:\n  share_image: {file: brand/share.jpg, alt: 样例市人民政府标识}\n  superior: 样例省人民政府\n", 1),
        encoding="utf-8")
    add_header(content / "policy" / "yl-2024-5.md", "image: yl-2024-5-card.png\n")
    add_header(content / "news" / "gzdt-1.md", "分享图片: {file: /brand/news.png, alt: 会议现场}\n")
    add_header(content / "dataset" / "population.md", "license_url: /about/\n")
    result = build(content, base / "output")
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize("site", ["sample_build", "demo_build", "card_build"])
def test_every_page_has_a_raster_share_card_that_is_published(request, site):
    result = request.getfixturevalue(site)
    found = pages(result)
    assert len(found) > 15
    for rel, page in found.items():
        url = page.meta.get("og:image", "")
        assert url.startswith(PORTAL + "/"), (rel, url)
        file = result.output / url.removeprefix(PORTAL + "/")
        assert file.is_file(), (rel, url)
        kind, width, height = picture(file.read_bytes()) or ("not PNG or JPEG", 0, 0)
        assert (page.meta["og:image:type"], page.meta["og:image:width"], page.meta["og:image:height"]) == (
            kind, str(width), str(height)), rel
        assert page.meta["twitter:image"] == page.meta["itemprop:image"] == url
        assert page.item_page, f"{rel}: itemprop tags without <html itemscope itemtype> (W3C: not a property of any item)"
        assert page.meta["og:image:alt"] and page.meta["twitter:image:alt"] == page.meta["og:image:alt"]
        assert page.meta["twitter:card"] == ("summary_large_image" if width >= 1.5 * height else "summary"), rel


def test_theme_card_serves_a_site_without_its_own(sample_build):
    page = Page(sample_build.html("zcwj/2024/yl-2024-5/index.html"))
    assert page.meta["og:image"] == f"{PORTAL}/theme/img/share.png"
    assert (page.meta["og:image:width"], page.meta["og:image:height"]) == ("1200", "630")
    assert page.meta["og:image:alt"] == "样例市人民政府"
    # The theme's generic card stands for no document: search engines are not told it is the page's picture.
    assert all("image" not in block for block in page.json_ld)


def test_documents_own_picture_wins_over_the_sites(card_build):
    out = card_build.output
    policy = Page(card_build.html("zcwj/2024/yl-2024-5/index.html"))
    own = f"{PORTAL}/zcwj/2024/yl-2024-5/yl-2024-5-card.png"
    assert policy.meta["og:image"] == own
    assert policy.meta["og:image:alt"] == "样例市人民政府关于加强政府网站建设的意见"  # no alt given: the title
    assert policy.meta["twitter:card"] == "summary_large_image"
    assert (out / "zcwj/2024/yl-2024-5/yl-2024-5-card.png").read_bytes() == png(1200, 630)
    legislation = next(o for o in policy.json_ld if o.get("@type") == "Legislation")
    assert legislation["image"] == {"@type": "ImageObject", "url": own, "width": 1200, "height": 630}
    news = Page(card_build.html("gzdt/2024/gzdt-1/index.html"))
    assert news.meta["og:image"] == f"{PORTAL}/brand/news.png" and news.meta["og:image:alt"] == "会议现场"
    site_card = f"{PORTAL}/brand/share.jpg"
    for rel in ("index.html", "zcwj/index.html", "zcwj/2019/yl-2019-2/index.html", "404.html"):
        page = Page(card_build.html(rel))
        assert page.meta["og:image"] == site_card, rel
        assert page.meta["og:image:alt"] == "样例市人民政府标识"
        assert page.meta["twitter:card"] == "summary"  # a square picture
    assert (out / "brand/share.jpg").read_bytes() == jpeg(600, 600)
    old = next(o for o in Page(card_build.html("zcwj/2019/yl-2019-2/index.html")).json_ld if "image" in o)
    assert old["image"] == {"@type": "ImageObject", "url": site_card, "width": 600, "height": 600}


def share_queries(page: Page, host: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlparse(link).query) for link in page.links if urlparse(link).netloc == host]


@pytest.mark.parametrize(("rel", "picture_url"), [
    ("zcwj/2024/yl-2024-5/index.html", f"{PORTAL}/zcwj/2024/yl-2024-5/yl-2024-5-card.png"),
    ("zcwj/index.html", f"{PORTAL}/brand/share.jpg"),
])
def test_weibo_and_qzone_links_carry_the_picture(card_build, rel, picture_url):
    page = Page(card_build.html(rel))
    assert [q["pic"] for q in share_queries(page, "service.weibo.com")] == [[picture_url]]
    assert [q["pics"] for q in share_queries(page, "sns.qzone.qq.com")] == [[picture_url]]


def test_bad_share_pictures_are_one_line_errors(sample_content, build_site, tmp_path):
    def add(rel: str, header: str) -> str:
        path = sample_content / rel
        path.write_text(f"---\ntitle: 测试\ndate: 2024-05-01\n{header}---\n正文\n", encoding="utf-8")
        return str(path.relative_to(sample_content.parent))

    (sample_content / "news" / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    (tmp_path / "outside.png").write_bytes(png(300, 300))
    missing = add("news/missing.md", "image: nope.png\n")
    svg = add("news/svg.md", "image: chart.svg\n")
    outside = add("news/outside.md", "image: ../../outside.png\n")
    mapping = add("news/mapping.md", "image: {file: chart.png, width: 3}\n")
    result = build_site(sample_content)
    assert result.returncode != 0
    expected = [
        f"{missing}: image: file 'nope.png' not found (分享图片; paths are relative to the document's folder, "
        "or content/ if they start with /)",
        f"{svg}: image: 'chart.svg' is not a PNG or JPEG image (分享图片; WeChat, Weibo and QQ show no SVG, GIF or "
        "WebP thumbnail: save it as PNG or JPEG)",
        f"{outside}: image: '../../outside.png' points outside the content folder; only files inside content/ "
        "can be published (分享图片)",
        f"{mapping}: image: unknown key 'width' (分享图片; use file and alt)",
    ]
    for line in expected:
        assert line in result.problems, "\n".join(result.problems)
    assert len([p for p in result.problems if ": image: " in p]) == len(expected)


def test_bad_site_share_image_names_site_yaml_and_field(sample_content, build_site):
    (sample_content / "files").mkdir()
    (sample_content / "files" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("site:\n", "site:\n  share_image: files/logo.svg\n", 1),
                    encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode != 0
    assert result.problems == [
        "content/_data/site.yaml: site.share_image: 'files/logo.svg' is not a PNG or JPEG image (分享图片; WeChat, "
        "Weibo and QQ show no SVG, GIF or WebP thumbnail: save it as PNG or JPEG)"]


def test_theme_card_setting_must_name_a_raster_file(sample_content, build_site):
    result = build_site(sample_content, SHARE_IMAGE_DEFAULT="img/favicon.svg")
    assert result.returncode != 0
    said = " ".join((result.stdout + result.stderr).split())  # Pelican's log wraps long lines
    assert "share: SHARE_IMAGE_DEFAULT:" in said and "is not a PNG or JPEG file" in said


@pytest.mark.parametrize("site", ["sample_build", "demo_build", "card_build"])
def test_json_ld_names_organisations_formats_and_licences_rightly(request, site):
    result = request.getfixturevalue(site)
    datasets = 0
    for rel, page in pages(result).items():
        for obj in (o for block in page.json_ld for o in objects(block)):
            if obj.get("@type") == "GovernmentOrganization" and "parentOrganization" in obj:
                assert obj["parentOrganization"]["name"] != obj["name"], rel
            if obj.get("@type") == "Dataset":
                datasets += 1
                formats = [d["encodingFormat"] for d in obj["distribution"]]
                assert formats and all(MEDIA_TYPE.match(f) for f in formats), (rel, formats)
                if "license" in obj:
                    licence = urlparse(obj["license"])
                    assert licence.scheme in ("http", "https") and licence.netloc, (rel, obj["license"])
    assert datasets


def test_home_page_names_the_host_unit_as_the_organisation(sample_build, card_build):
    graph = Page(sample_build.html("index.html")).json_ld[0]["@graph"]
    by_type = {o["@type"]: o for o in graph}
    assert by_type["WebSite"]["identifier"] == "9999000001" and by_type["WebSite"]["name"] == "样例市人民政府"
    assert by_type["GovernmentOrganization"]["name"] == "样例市人民政府办公室"
    assert "parentOrganization" not in by_type["GovernmentOrganization"]
    org = next(o for o in Page(card_build.html("index.html")).json_ld[0]["@graph"]
               if o["@type"] == "GovernmentOrganization")
    assert org["parentOrganization"] == {"@type": "GovernmentOrganization", "name": "样例省人民政府"}
    dataset = next(o for o in Page(card_build.html("sjkf/2024/population/index.html")).json_ld
                   if o.get("@type") == "Dataset")
    assert dataset["license"] == f"{PORTAL}/about/"
    assert dataset["distribution"][0]["encodingFormat"] == "text/csv"


@pytest.mark.parametrize("site", ["sample_build", "demo_build"])
def test_every_breadcrumb_has_a_matching_breadcrumb_list(request, site):
    result = request.getfixturevalue(site)
    shown = 0
    for rel, page in pages(result).items():
        lists = [block for block in page.json_ld if block.get("@type") == "BreadcrumbList"]
        assert len(lists) == page.crumb_navs, rel
        if not page.crumb_navs:
            continue
        shown += 1
        items = sorted(lists[0]["itemListElement"], key=lambda i: i["position"])
        assert [i["position"] for i in items] == list(range(1, len(items) + 1))
        assert [i["name"] for i in items] == [" ".join(text.split()) for text, _ in page.crumbs], rel
        # The last crumb is the page itself, at its address on this site (a copy's canonical is the original's).
        here = f"{PORTAL}/{rel.removesuffix('index.html')}"
        expected = [PORTAL + href if href else here for _, href in page.crumbs]
        assert [i["item"] for i in items] == expected, rel
    assert shown >= (30 if site == "demo_build" else 15)


def test_licences_and_formats_map_to_urls_and_media_types():
    from gazette.licences import licence_url
    from gazette.media_types import media_type

    settings = {"PORTAL_URL": PORTAL}
    for given, url in ((SimpleNamespace(license="CC BY 4.0"), "https://creativecommons.org/licenses/by/4.0/"),
                       (SimpleNamespace(license="cc-by-4.0"), "https://creativecommons.org/licenses/by/4.0/"),
                       (SimpleNamespace(license="CC0 1.0"), "https://creativecommons.org/publicdomain/zero/1.0/"),
                       (SimpleNamespace(license="ODbL"), "https://opendatacommons.org/licenses/odbl/1-0/"),
                       (SimpleNamespace(license="https://data.example.gov.cn/licence"),
                        "https://data.example.gov.cn/licence"),
                       (SimpleNamespace(license="滨海市公共数据开放授权协议", license_url="/kfxy/"), f"{PORTAL}/kfxy/"),
                       (SimpleNamespace(license="滨海市公共数据开放授权协议"), None)):
        assert licence_url(given, settings) == url, given
    assert media_type("a.csv", "CSV") == "text/csv"
    assert media_type("a.xlsx", "XLSX") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert media_type("a.json", "") == "application/json"
    assert media_type("data.bin", "Excel") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert media_type("a.unknown", "什么格式") == "application/octet-stream"
