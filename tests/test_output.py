"""Every output file goes through one writer, which removes what the site no longer has (issue #12).

`make html` builds into the same output folder run after run. A document deleted since the
last build takes its page, its attachment, its column's feed and its search record with it;
a file someone put into the output by hand, or changed there after the build wrote it, stays.
The record of what a build wrote is not a cache: a build without the cache removes as well.
Files are removed when the build ends; the inspection, which reads the output before that,
does not count them (`make check` inspects the output folder of `make html`).
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import build
from searchindex import read


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def report(root: Path) -> dict:
    return json.loads((root / "inspection" / "report.json").read_text(encoding="utf-8"))


def search_records(root: Path) -> bytes:
    """The URLs of every document in the search index."""
    return " ".join("/" + row[0] for row in read(root).results).encode("utf-8")


def test_a_deleted_document_takes_its_files_with_it_and_hand_made_files_stay(sample_content, tmp_path):
    output = tmp_path / "output"
    first = build(sample_content, output)
    assert first.returncode == 0, first.stderr
    gone = {"sjkf/2024/population/index.html", "sjkf/2024/population/population.csv", "feeds/sjkf.xml"}
    assert gone <= files(output) and b"/sjkf/2024/population/" in search_records(output)
    theme = (output / "theme/css/gazette.css").stat().st_mtime_ns
    (output / "notes.txt").write_text("put here by hand", encoding="utf-8")
    (output / "feeds/sjkf.atom.xml").write_text("edited by hand", encoding="utf-8")

    # The only document of the 数据开放 column, with the data file it publishes beside its page.
    (sample_content / "dataset" / "population.md").unlink()
    (sample_content / "dataset" / "population.csv").unlink()
    inspect = {"INSPECTION_ENABLED": True, "INSPECTION_TODAY": "2024-05-10"}
    second = build(sample_content, output, GAZETTE_CACHE=False, **inspect)
    assert second.returncode == 0, second.stderr

    left = files(output)
    assert not gone & left
    assert not (output / "sjkf/2024").exists()  # folders it leaves empty go too
    assert "sjkf/index.html" in left  # the column itself is still in site.yaml
    assert (output / "notes.txt").read_text(encoding="utf-8") == "put here by hand"
    assert (output / "feeds/sjkf.atom.xml").read_text(encoding="utf-8") == "edited by hand"
    assert "/sjkf/2024/population/" not in (output / "sitemap.xml").read_text(encoding="utf-8")
    assert b"/sjkf/2024/population/" not in search_records(output)
    assert (output / "theme/css/gazette.css").stat().st_mtime_ns == theme  # an unchanged file is not rewritten
    # A clean build of the same content writes exactly what is left, besides the two hand-made files.
    clean = build(sample_content, tmp_path / "clean" / "output", **inspect)
    assert clean.returncode == 0, clean.stderr
    assert left - {"notes.txt", "feeds/sjkf.atom.xml"} == files(clean.output)
    assert report(output) == report(clean.output)  # the deleted page was not inspected


def test_a_written_file_changed_by_hand_is_written_again_at_the_same_size(sample_content, tmp_path):
    """The writer skips bytes it wrote last build by their digest, but only while the file is untouched."""
    output = tmp_path / "output"
    assert build(sample_content, output).returncode == 0
    robots = output / "robots.txt"
    index_json = next((output / "search-index").glob("*/index.json"))
    kept = {path: path.read_bytes() for path in (robots, index_json)}
    untouched = sorted((output / "search-index").rglob("m/*.json"))[0]
    untouched_mtime = untouched.stat().st_mtime_ns
    for path, data in kept.items():
        path.write_bytes(data.swapcase())  # same size, other bytes
    again = build(sample_content, output)
    assert again.returncode == 0, again.stderr
    for path, data in kept.items():
        assert path.read_bytes() == data, path
    assert untouched.stat().st_mtime_ns == untouched_mtime  # and what nobody touched is not rewritten
