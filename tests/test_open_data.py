"""Open data: each dataset page previews its CSV files, the catalogue lists and filters every dataset, and
the machine-readable catalogues (data.json, DCAT JSON-LD) describe the same datasets with the fields used."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import found
from test_bad_input import add, assert_fails_with

DATASET = """---
title: {title}
date: {date}
files: [{{file: {file}, format: CSV, title: {title}表}}]
publisher: 样例市统计局
update_frequency: {frequency}
topic: {topic}
license: CC BY 4.0
{extra}---
数据说明。
"""


def dataset(content, name: str, rows: list[str], *, encoding: str = "utf-8", title: str = "样例数据",
            date: str = "2024-03-01", frequency: str = "每月", topic: str = "交通", extra: str = "") -> str:
    path = add(content, f"dataset/{name}.md", DATASET.format(title=title, date=date, file=f"{name}.csv",
                                                             frequency=frequency, topic=topic, extra=extra))
    (content / "dataset" / f"{name}.csv").write_bytes("\n".join(rows).encode(encoding) + b"\n")
    return path


def cells(html: str, section_id: str) -> list[list[str]]:
    """The header and body rows of the preview table in a section, as text."""
    part = html[html.index(f'id="{section_id}"'):]
    table = part[part.index("<table"):part.index("</table>")]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_csv_preview_shows_the_first_rows_in_utf8_or_gb18030(sample_content, build_site):
    dataset(sample_content, "parking", ["停车场,泊位（个）", *(f"停车场{n},{n * 10}" for n in range(1, 26))])
    dataset(sample_content, "excel", ["区名称,人口（万人）", "东区,12.5", "西区,8.1"], encoding="gb18030",
            title="导出数据")
    result = build_site(sample_content, OPEN_DATA_PREVIEW_ROWS=5)
    assert result.returncode == 0, result.stderr
    html = result.html("sjkf/2024/parking/index.html")
    table = cells(html, "preview-1")
    assert table[0] == ["停车场", "泊位（个）"]
    assert table[1:] == [[f"停车场{n}", str(n * 10)] for n in range(1, 6)]
    assert "前5行，共25行（UTF-8编码）" in html
    assert "数据预览：样例数据表" in html
    excel = result.html("sjkf/2024/excel/index.html")
    assert cells(excel, "preview-1") == [["区名称", "人口（万人）"], ["东区", "12.5"], ["西区", "8.1"]]
    assert "共2行（GB18030编码）" in excel and "前" not in excel.split("共2行")[0][-10:]


def test_an_edited_csv_shows_its_new_rows(sample_content, build_site, tmp_path):
    dataset(sample_content, "parking", ["停车场,泊位（个）", "甲,1"])
    csv = sample_content / "dataset" / "parking.csv"
    os.utime(csv, ns=(1_700_000_000_000_000_000,) * 2)  # settled: its preview is cached
    cache = str(tmp_path / "cache")
    first = build_site(sample_content, CACHE_PATH=cache)
    assert cells(first.html("sjkf/2024/parking/index.html"), "preview-1")[1] == ["甲", "1"]
    csv.write_text("停车场,泊位（个）\n乙,2\n", encoding="utf-8")  # same size, new mtime
    os.utime(csv, ns=(1_700_000_001_000_000_000,) * 2)
    again = build_site(sample_content, CACHE_PATH=cache)
    assert cells(again.html("sjkf/2024/parking/index.html"), "preview-1")[1] == ["乙", "2"]


def test_a_csv_that_does_not_read_well_is_a_warning_naming_the_file(sample_content, build_site):
    path = dataset(sample_content, "ragged", ["甲,乙,丙", "1,2,3", "4,5"])
    binary = dataset(sample_content, "binary", ["x"])
    (sample_content / "dataset" / "binary.csv").write_bytes(b"\xff\xfe\x00\x81\x00\xfe" * 50)
    result = build_site(sample_content)  # the tests build with --fatal warnings, as CI does
    assert_fails_with(
        result,
        f"{path}: files: 'ragged.csv': line 3 has a different number of fields than the header (3) (warning)",
        f"{binary}: files: 'binary.csv' is neither UTF-8 nor GB18030 text; save it as CSV UTF-8: its page shows "
        "no preview (warning)",
    )
    lenient = build_site(sample_content, fatal=None)
    assert lenient.returncode == 0, lenient.stderr
    assert cells(lenient.html("sjkf/2024/ragged/index.html"), "preview-1")[2] == ["4", "5", ""]


def test_catalogue_lists_every_dataset_with_its_filters(sample_content, build_site):
    dataset(sample_content, "parking", ["名称,泊位", "甲,1"], topic="交通", title="停车场")
    dataset(sample_content, "schools", ["名称,学生", "乙,2"], topic="教育", title="学校", frequency="每年")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    page = result.html("sjkf/ml/index.html")
    rows = re.findall(r'<tr data-topic="([^"]*)" data-publisher="([^"]*)" data-format="([^"]*)" '
                      r'data-frequency="([^"]*)">\s*<td><a href="([^"]+)">', page)
    assert sorted(rows) == sorted([
        ("交通", "样例市统计局", "CSV", "每月", "/sjkf/2024/parking/"),
        ("教育", "样例市统计局", "CSV", "每年", "/sjkf/2024/schools/"),
        ("", "", "CSV", "每年", "/sjkf/2024/population/"),  # the sample's own, without topic or publisher
    ])
    options = dict(re.findall(r'<select class="gz-filter__select" id="filter-(\w+)" name="\w+">(.*?)</select>',
                              page, re.S))
    assert re.findall(r'<option value="([^"]*)">', options["topic"]) == ["", "交通", "教育"]
    assert re.findall(r'<option value="([^"]*)">', options["frequency"]) == ["", "每年", "每月"]
    # The column page leads to it.
    assert '<a href="/sjkf/ml/">' in result.html("sjkf/index.html")


def test_catalogue_filters_narrow_the_table_in_a_browser(sample_content, build_site, browser):
    from browser import serve

    dataset(sample_content, "parking", ["名称,泊位", "甲,1"], topic="交通", title="停车场")
    dataset(sample_content, "schools", ["名称,学生", "乙,2"], topic="教育", title="学校", frequency="每年")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    with serve(result.output) as url:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        try:
            page.goto(f"{url}/sjkf/ml/")
            page.select_option("#filter-topic", "教育")
            visible = page.eval_on_selector_all("#datasets tbody tr", "rows => rows.filter(r => r.offsetParent)"
                                                ".map(r => r.querySelector('a').textContent)")
            assert visible == ["学校"]
            assert page.inner_text("[role=status]") == "找到 1 个数据集"
            page.select_option("#filter-frequency", "每月")
            assert page.inner_text("[role=status]") == "找到 0 个数据集"
            page.click("button[type=reset]")
            page.wait_for_function("document.querySelector('[role=status]').textContent === '找到 3 个数据集'")
        finally:
            page.close()


def test_data_json_has_the_dcat_us_fields_of_every_dataset(sample_content, build_site):
    dataset(sample_content, "parking", ["名称,泊位", "甲,1"], title="停车场",
            extra="keywords: [停车, 泊位]\ncontact: data@example.gov.cn\n")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    catalogue = json.loads(result.html("data.json"))
    assert catalogue["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert catalogue["@type"] == "dcat:Catalog"
    entries = {d["landingPage"]: d for d in catalogue["dataset"]}
    assert set(entries) == {"https://www.binhai.gov.cn/sjkf/2024/parking/",
                            "https://www.binhai.gov.cn/sjkf/2024/population/"}
    for entry in entries.values():  # the fields DCAT-US 1.1 requires of every dataset (federal codes aside)
        for key in ("title", "description", "keyword", "modified", "publisher", "contactPoint", "identifier",
                    "accessLevel"):
            assert entry[key], key
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", entry["modified"])
        for dist in entry["distribution"]:
            assert dist["downloadURL"].startswith("https://www.binhai.gov.cn/")
            rel = dist["downloadURL"].removeprefix("https://www.binhai.gov.cn/")
            assert (result.output / rel).is_file(), rel  # the file is where the catalogue says
    parking = entries["https://www.binhai.gov.cn/sjkf/2024/parking/"]
    assert parking["keyword"] == ["停车", "泊位"]
    assert parking["contactPoint"] == {"@type": "vcard:Contact", "fn": "样例市统计局",
                                       "hasEmail": "mailto:data@example.gov.cn"}
    assert parking["accrualPeriodicity"] == "R/P1M"
    assert parking["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert parking["distribution"] == [{"@type": "dcat:Distribution", "format": "CSV", "title": "停车场表",
                                        "mediaType": "text/csv",
                                        "downloadURL": "https://www.binhai.gov.cn/sjkf/2024/parking/parking.csv"}]


# rdflib 7.6's JSON-LD parser goes through its own deprecated ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_dcat_json_ld_reads_as_rdf_with_the_dcat_terms(sample_content, build_site):
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    dataset(sample_content, "parking", ["名称,泊位", "甲,1"], title="停车场", extra="contact: data@example.gov.cn\n")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(data=result.html("sjkf/catalog.jsonld"), format="json-ld")
    catalogue = URIRef("https://www.binhai.gov.cn/sjkf/ml/")
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    datasets = set(graph.objects(catalogue, DCAT.dataset))
    parking = URIRef("https://www.binhai.gov.cn/sjkf/2024/parking/")
    assert datasets == {parking, URIRef("https://www.binhai.gov.cn/sjkf/2024/population/")}
    assert (parking, RDF.type, DCAT.Dataset) in graph
    assert (parking, DCTERMS.title, Literal("停车场", lang="zh-cn")) in graph
    assert (parking, DCTERMS.accrualPeriodicity, URIRef("http://purl.org/cld/freq/monthly")) in graph
    assert (parking, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    contact = graph.value(parking, DCAT.contactPoint)
    assert graph.value(contact, vcard.hasEmail) == URIRef("mailto:data@example.gov.cn")
    (dist,) = graph.objects(parking, DCAT.distribution)
    assert graph.value(dist, DCAT.downloadURL) == URIRef("https://www.binhai.gov.cn/sjkf/2024/parking/parking.csv")
    assert graph.value(dist, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert int(graph.value(dist, DCAT.byteSize)) == (sample_content / "dataset" / "parking.csv").stat().st_size


@pytest.mark.parametrize(("frequency", "today", "late"), [
    ("每月", "2024-04-08", False),  # 38 days: 31 and the 7 days' grace
    ("每月", "2024-04-09", True),
    ("每年", "2024-04-09", False),
    ("不定期", "2026-01-01", False),  # promises nothing
])
def test_a_dataset_past_its_update_frequency_is_flagged(sample_content, inspect, frequency, today, late):
    dataset(sample_content, "parking", ["名称,泊位", "甲,1"], frequency=frequency)
    findings = [f for f in found(inspect(sample_content, today=today), "dataset-stale") if "parking" in f[2]]
    if late:
        assert findings == [("warning", "数据集自2024-03-01起已39天未更新，更新频率为每月（31天）：更新数据文件，或改正 "
                                        "update_frequency", "content/dataset/parking.md", 6)]
    else:
        assert findings == []


def test_update_frequency_takes_the_listed_values(sample_content, build_site):
    path = dataset(sample_content, "parking", ["名称,泊位", "甲,1"], frequency="每两周")
    assert_fails_with(build_site(sample_content),
                      f"{path}: update_frequency: '每两周' is not one of daily (每日), weekly (每周), monthly (每月), "
                      "quarterly (每季度), half-yearly (每半年), yearly (每年), irregular (不定期), static (不再更新) "
                      "(更新频率)")
