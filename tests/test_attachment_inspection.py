"""The text rules (personal data, forbidden terms) on every published file, not only Markdown sources.

DOCX, XLSX and PDF fixtures are made here, byte by byte, rather than committed as binaries.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from conftest import ROOT, found, write_settings
from pypdf import PdfWriter

PUBLISH = ROOT / "plugins" / "inspection" / "publish.py"
MOBILE = "13812345678"
HOUR_AGO = time.time() - 3600


def id_number(prefix17: str = "11010519491231002") -> str:
    """A resident ID number with a valid GB 11643 checksum."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return prefix17 + "10X98765432"[sum(int(c) * w for c, w in zip(prefix17, weights, strict=True)) % 11]


ID = id_number()
MASKED_ID = f"身份证号码 {ID[:6]}********{ID[-4:]}"
MASKED_MOBILE = "手机号码 138****5678"


def add(content: Path, rel: str, data: str | bytes) -> Path:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _zip(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text)
    return buf.getvalue()


_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx(paragraphs: list[list[str]]) -> bytes:
    """A Word document; each paragraph a list of runs (Word splits text over runs as it likes)."""
    body = "".join("<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{run}</w:t></w:r>' for run in runs) + "</w:p>"
                   for runs in paragraphs)
    return _zip({
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_DOC_REL}/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>",
    })


def xlsx(sheets: dict[str, list[list[str | int]]]) -> bytes:
    """An Excel workbook: text in the shared strings table, numbers in the cells, as Excel writes them."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings: list[str] = []
    parts = {}
    for number, rows in enumerate(sheets.values(), 1):
        xml_rows = []
        for r, row in enumerate(rows, 1):
            cells = []
            for c, value in enumerate(row):
                ref = f"{'ABCDEFGH'[c]}{r}"
                if isinstance(value, int):
                    cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                else:
                    strings.append(value)
                    cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
        parts[f"xl/worksheets/sheet{number}.xml"] = f'<worksheet xmlns="{ns}"><sheetData>{"".join(xml_rows)}' \
                                                    "</sheetData></worksheet>"
    listed = "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(sheets, 1))
    rels = "".join(f'<Relationship Id="rId{n}" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                   for n in range(1, len(sheets) + 1))
    return _zip({
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}" xmlns:r="{_DOC_REL}"><sheets>{listed}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}">{rels}</Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{ns}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>",
        **parts,
    })


def pdf(pages: list[list[str]]) -> bytes:
    """A PDF with one Helvetica line of text per item, one list per page."""
    count = len(pages)
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * i} 0 R" for i in range(count)) + f"] /Count {count} >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, lines in enumerate(pages):
        stream = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {5 + 2 * i} 0 R >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("latin-1")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("latin-1")
    return out


def encrypted(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")  # pypdf does RC4 on its own
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def policy(content: Path, slug: str, number: int, files: list[str]) -> None:
    listed = "".join(f"\n  - {{file: {name}, title: 附件{n}}}" for n, name in enumerate(files, 1))
    add(content, f"policy/{slug}.md", f"---\ntitle: 附件测试{number}\ndate: 2024-05-08\ndoc_no: 样政发〔2024〕{number}号\n"
        f"issuer: 样例市人民政府\nwritten_date: 2024-05-06\ninterpretation_waived: 测试\nattachments:{listed}\n---\n正文\n")


def test_attachments_and_public_files_are_checked_like_sources(inspect, sample_content, tmp_path):
    csv = sample_content / "policy" / "yl-2024-5-fj1.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + f"2,来信人{ID},{MOBILE}\n", encoding="utf-8")
    add(sample_content, "files/contacts.txt", f"联系人名单\n张三 {MOBILE}\n")
    add(sample_content, "files/residents.json", json.dumps({"rows": [{"id": ID}]}, indent=1))
    add(sample_content, "files/clean.csv", "区,电话\n东区,022-12345678\n")  # a landline is no personal number
    policy(sample_content, "leak", 40, ["leak.docx", "leak.xlsx", "leak.pdf"])
    add(sample_content, "policy/leak.docx", docx([["经研究，", "原则上同意。"], ["联系电话：138", "1234", "5678"]]))
    add(sample_content, "policy/leak.xlsx", xlsx({"说明": [["无个人信息"]],
                                                  "名单": [["姓名", "身份证号", "电话"], ["张三", ID, int(MOBILE)]]}))
    add(sample_content, "policy/leak.pdf", pdf([["Page one is clean."], ["Contact", f"ID {ID} tel {MOBILE}"]]))
    report = inspect(sample_content)
    assert found(report, "personal-data") == [
        ("block", MASKED_MOBILE, "content/files/contacts.txt", 2),
        ("block", MASKED_ID, "content/files/residents.json", 4),
        ("block", f"第2段：{MASKED_MOBILE}", "content/policy/leak.docx", 0),  # one number over three runs
        ("block", f"第2页：{MASKED_MOBILE}", "content/policy/leak.pdf", 0),
        ("block", f"第2页：{MASKED_ID}", "content/policy/leak.pdf", 0),
        ("block", f"工作表“名单”第2行：{MASKED_MOBILE}", "content/policy/leak.xlsx", 0),
        ("block", f"工作表“名单”第2行：{MASKED_ID}", "content/policy/leak.xlsx", 0),
        ("block", MASKED_MOBILE, "content/policy/yl-2024-5-fj1.csv", 3),
        ("block", MASKED_ID, "content/policy/yl-2024-5-fj1.csv", 3),
    ]
    # pelicanconf.py's own INSPECTION_FORBIDDEN_TERMS, in a published Word file
    assert found(report, "forbidden-terms") == [("block", "第1段：错敏词“原则上同意”", "content/policy/leak.docx", 0)]
    urls = {f["path"]: (f["url"], f["page"]) for f in report["findings"] if f["rule"] == "personal-data"}
    assert urls["content/files/contacts.txt"] == ("/files/contacts.txt", "files/contacts.txt")
    assert (tmp_path / "output" / urls["content/policy/leak.pdf"][1]).is_file()  # the published copy


def test_unreadable_files_are_warnings_naming_the_file(inspect, sample_content):
    policy(sample_content, "odd", 41, ["broken.pdf", "locked.pdf", "open.pdf", "broken.docx", "old.doc"])
    add(sample_content, "policy/broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\n")
    add(sample_content, "policy/locked.pdf", encrypted(pdf([[f"tel {MOBILE}"]]), "secret"))
    add(sample_content, "policy/open.pdf", encrypted(pdf([[f"tel {MOBILE}"]]), ""))  # locked only against editing
    add(sample_content, "policy/broken.docx", b"PK\x03\x04 not really a zip")
    add(sample_content, "policy/old.doc", b"\xd0\xcf\x11\xe0 Word 97")
    add(sample_content, "files/big.csv", "区,数值\n" + "东区,1\n" * 200_000)  # 1.7 MiB
    report = inspect(sample_content, INSPECTION_MAX_FILE_MB=1)
    warnings = {f[2]: f[1] for f in found(report, "personal-data") if f[0] == "warning"}
    prefix = "未能检查个人信息和错敏词："
    assert warnings.pop("content/policy/broken.pdf").startswith(prefix + "PDF 文件已损坏（")
    assert warnings == {
        "content/files/big.csv": prefix + "文件过大（1.7 MB，超过 INSPECTION_MAX_FILE_MB 设定的 1 MB），请人工检查",
        "content/policy/broken.docx": prefix + "DOCX 文件已损坏或设有密码（File is not a zip file），请去掉密码后重新保存",
        "content/policy/locked.pdf": prefix + "PDF 文件已加密，请发布未加密的版本",
        "content/policy/old.doc": prefix + "无法读取这种格式，请转为 PDF、DOCX 或 XLSX 后发布",
    }
    assert ("block", f"第1页：{MASKED_MOBILE}", "content/policy/open.pdf", 0) in found(report, "personal-data")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _publish(content: Path, output: Path) -> subprocess.CompletedProcess:
    settings = write_settings(output.parent, content, "publishconf")
    return subprocess.run([sys.executable, PUBLISH, "--content", content, "--output", output, "--settings", settings,
                           "--today", "2024-05-10"], capture_output=True, text=True, cwd=output.parent, timeout=300)


def test_publish_refuses_personal_data_in_an_attachment(sample_content, tmp_path):
    output = tmp_path / "output"
    first = _publish(sample_content, output)
    assert first.returncode == 0, first.stderr
    before = _snapshot(output)

    csv = sample_content / "policy" / "yl-2024-5-fj1.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + f"2,联系人,{MOBILE}\n", encoding="utf-8")
    blocked = _publish(sample_content, output)
    assert blocked.returncode == 1
    assert f"禁止发布 personal-data: content/policy/yl-2024-5-fj1.csv:3: {MASKED_MOBILE}" in blocked.stderr
    assert _snapshot(output) == before
    assert not (tmp_path / "output.next").exists()


def _backdate(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (HOUR_AGO, HOUR_AGO))


def test_unchanged_attachments_are_not_read_again(inspect, sample_content, tmp_path):
    policy(sample_content, "leak", 40, ["leak.pdf"])
    attachment = add(sample_content, "policy/leak.pdf", pdf([[f"tel {MOBILE}"]]))
    _backdate(sample_content)
    settings = {"CACHE_PATH": str(tmp_path / "cache")}
    expected = [("block", f"第1页：{MASKED_MOBILE}", "content/policy/leak.pdf", 0)]
    assert found(inspect(sample_content, **settings), "personal-data") == expected

    # Same size and mtime: the cached findings stand, so the file was not read again.
    size = attachment.stat().st_size
    attachment.write_bytes(b"%PDF" + b"x" * (size - 4))
    os.utime(attachment, (HOUR_AGO, HOUR_AGO))
    assert found(inspect(sample_content, **settings), "personal-data") == expected

    os.utime(attachment, None)  # now it counts as changed
    damaged = found(inspect(sample_content, **settings), "personal-data")
    assert [(f[0], f[2]) for f in damaged] == [("warning", "content/policy/leak.pdf")]


def test_many_files_are_read_in_workers_with_the_same_findings(inspect, sample_content):
    for number in range(40):  # past PARALLEL_MIN_FILES, with the sources
        add(sample_content, f"files/list-{number:02d}.csv", f"序号,电话\n1,{MOBILE if number == 7 else '无'}\n")
    serial, forked = (found(inspect(sample_content, GAZETTE_WORKERS=workers), "personal-data") for workers in (1, 2))
    assert serial == forked == [("block", MASKED_MOBILE, "content/files/list-07.csv", 2)]
