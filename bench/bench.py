"""make bench: build the same synthetic corpus with Gazette and with stock Pelican, and compare.

    python bench/bench.py [--sizes 1000 10000] [--keep DIR]

Gazette builds with publishconf.py and every plugin on (inspection included), from an
empty cache; stock Pelican builds the same documents with its default settings and
theme. Then Gazette rebuilds after editing one document's body, after adding one (the
newest), after changing one title, again with no change, and into an empty output folder
with the cache kept (as CI and `make publish` build).
Prints wall time, peak memory (PSS of the build and its worker processes together,
sampled every 50 ms, less often while a sample is slow), documents per second and the
ratio. Then it searches the largest site as a phone on a slow network would (phone_search.py):
thirty queries, time, bytes, precision and recall.
Nothing here runs in `make test`: timings belong in a benchmark, not in assertions.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIX = [("policy", 40), ("interpretation", 15), ("news", 20), ("notice", 10), ("reply", 5),
       ("consultation", 5), ("dataset", 5)]
WORDS = ("政府 信息 公开 政策 文件 解读 工作 推进 落实 加强 完善 建设 服务 管理 群众 企业 发展 改革 规范 "
         "监督 保障 机制 制度 网站 平台 数据 安全 民生 教育 医疗 养老 住房 交通 环境 营商 审批 办理 "
         "事项 标准 流程 部门 单位 区县 街道 社区 责任 考核 评估 统筹 协调 创新 数字 智慧 治理").split()


def sentence(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))) + "。"


def body(rng: random.Random) -> str:
    """About 3-4 KB of Chinese Markdown with headings, a list and a table."""
    parts = []
    for section in ("一", "二", "三", "四"):
        parts.append(f"## {section}、{''.join(rng.choice(WORDS) for _ in range(4))}\n")
        parts.append("".join(sentence(rng) for _ in range(rng.randint(4, 6))) + "\n")
    parts.append("\n".join(f"{i}. {sentence(rng)}" for i in range(1, 5)) + "\n")
    parts.append("| 项目 | 责任单位 | 完成时限 |\n|---|---|---|\n" + "\n".join(
        f"| {rng.choice(WORDS)}{rng.choice(WORDS)} | {rng.choice(WORDS)}部门 | 2026年{rng.randint(1, 12)}月 |"
        for _ in range(4)) + "\n")
    return "\n".join(parts)


@dataclass
class Doc:
    type: str
    slug: str
    year: int
    date: str
    title: str
    body: str
    doc_no: str = ""


def plan(n: int, seed: int = 20261122) -> list[Doc]:
    rng = random.Random(seed)
    kinds = [t for t, weight in MIX for _ in range(weight)]
    docs = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        year = 2018 + i % 8  # all in the past: a future date would hold the document back
        date = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d} {8 + i % 10:02d}:{i % 60:02d}"
        title = "关于" + "".join(rng.choice(WORDS) for _ in range(5)) + "的通知"
        docs.append(Doc(kind, f"d{i:05d}", year, date, title, body(rng),
                        f"滨政发〔{year}〕{i}号" if kind == "policy" else ""))
    return docs


def write_gazette(docs: list[Doc], root: Path) -> None:
    (root / "_data").mkdir(parents=True)
    policies = [d for d in docs if d.type == "policy"]
    # The demo's site.yaml, its 政府信息公开规定 one of this corpus's policies (the demo's is not here: a
    # broken link, which an office would fix, and which makes a cluster build its portal every time).
    site = (ROOT / "tests" / "demo" / "content" / "_data" / "site.yaml").read_text(encoding="utf-8")
    rules = re.search(r"^  rules: (\S+)$", site, re.M)
    assert rules, "bench: the demo's site.yaml names no disclosure rules page any more"
    site = site.replace(rules.group(0), f"  rules: /zcwj/{policies[0].year}/{policies[0].slug}/")
    (root / "_data" / "site.yaml").write_text(site, encoding="utf-8")
    # The demo's static pages, so the footer's links (政府信息公开指南 …) resolve.
    shutil.copytree(ROOT / "tests" / "demo" / "content" / "pages", root / "pages")
    for i, doc in enumerate(docs):
        header = [f"title: {doc.title}", f"date: {doc.date}"]
        if doc.type == "policy":
            header += [f"doc_no: {doc.doc_no}", "issuer: 滨海市人民政府", f"written_date: {doc.date[:10]}",
                       "topic: 综合政务\\政务公开", "department: szfb"]
        elif doc.type == "interpretation":
            header += [f"interprets: {policies[i % len(policies)].doc_no}", "form: text"]
        elif doc.type == "reply":
            header += ["question: 请问相关政策如何办理？", f"received: {doc.date[:10]}", f"replied: {doc.date[:10]}"]
        elif doc.type == "consultation":
            header += [f"opens: {doc.date}", f"closes: {doc.year}-12-31 17:00", "outcome: 已采纳部分意见。"]
        elif doc.type == "dataset":
            header += [f"files: [{{file: {doc.slug}.csv, format: CSV}}]"]
        folder = root / doc.type / str(doc.year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{doc.slug}.md").write_text("---\n" + "\n".join(header) + "\n---\n" + doc.body, encoding="utf-8")
        if doc.type == "dataset":
            (folder / f"{doc.slug}.csv").write_text("区,数值\n东区,1\n", encoding="utf-8")


def write_stock(docs: list[Doc], root: Path) -> None:
    for doc in docs:
        folder = root / doc.type / str(doc.year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{doc.slug}.md").write_text(
            f"Title: {doc.title}\nDate: {doc.date}\nCategory: {doc.type}\nSlug: {doc.slug}\n\n{doc.body}",
            encoding="utf-8")


def _tree(root: int) -> list[int]:
    """The process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size of the processes together: shared pages are counted once."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak memory in MB of it and its workers together)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        # Reading a large process's smaps_rollup walks its page tables: at 100,000 documents a sample
        # takes longer than 50 ms, and sampling back to back slowed the build it measures several
        # times over. So the pause is at least four times the last sample's cost.
        nonlocal peak
        while not stop.is_set():
            began = time.perf_counter()
            peak = max(peak, _pss_mb(_tree(proc.pid)))
            stop.wait(max(0.05, 4 * (time.perf_counter() - began)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:  # what went wrong, without the progress lines of the builds that went right
        noise = ("fast_build:", "rendered the same", "Done:", "pages and", "and 0 draft", "minify:", "cluster: ")
        lines = [line for line in err.decode(errors="replace").splitlines() if not line.startswith(noise)]
        sys.stderr.write("\n".join(lines)[-5000:] + "\n")
        raise SystemExit(f"bench: {' '.join(cmd[:4])} … failed")
    return wall, peak


def gazette_cmd(content: Path, out: Path, *settings: str) -> list[str]:
    """Publish settings, every plugin and the inspection on; the cache lives beside the corpus."""
    cache = content.parent / "cache"
    return [sys.executable, "-m", "pelican", str(content), "-o", str(out), "-s", str(ROOT / "publishconf.py"),
            "-e", "INSPECTION_ENABLED=true", f'PATH="{content}"', f'CACHE_PATH="{cache}"',
            'GAZETTE_BUILD_TIME="2026-11-22 12:00"', *settings]


def stock_cmd(content: Path, out: Path, work: Path) -> list[str]:
    conf = work / "stockconf.py"
    conf.write_text('SITENAME = "Stock"\nTIMEZONE = "Asia/Shanghai"\nDEFAULT_LANG = "zh"\nPLUGINS = []\n',
                    encoding="utf-8")
    return [sys.executable, "-m", "pelican", str(content), "-o", str(out), "-s", str(conf)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="keep the corpora and outputs here")
    parser.add_argument("--no-phone", dest="phone", action="store_false",
                        help="skip searching the largest site on a throttled phone (needs Chromium)")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="gazette-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        docs = plan(n)
        gz, st = work / f"gazette-{n}", work / f"stock-{n}"
        shutil.rmtree(gz, ignore_errors=True)
        shutil.rmtree(st, ignore_errors=True)
        write_gazette(docs, gz / "content")
        write_stock(docs, st / "content")
        stock = timed(stock_cmd(st / "content", st / "output", st), work)
        cold = timed(gazette_cmd(gz / "content", gz / "output"), work)  # no cache yet
        edited = next((gz / "content" / "news").rglob("*.md"))
        edited.write_text(edited.read_text(encoding="utf-8").replace("## 一、", "## 一、（修订）", 1), encoding="utf-8")
        one = timed(gazette_cmd(gz / "content", gz / "output"), work)
        # What every merge does: a new document, newest of all (yet not after the build time, which
        # would hold it back unpublished), then a changed title.
        (gz / "content" / "news" / "bench-new.md").write_text(
            "---\ntitle: 基准测试新增的一条工作动态\ndate: 2026-11-21 09:00\n---\n新增正文。\n", encoding="utf-8")
        added = timed(gazette_cmd(gz / "content", gz / "output"), work)
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("title: ", "title: （更正）", 1), encoding="utf-8")
        retitled = timed(gazette_cmd(gz / "content", gz / "output"), work)
        none = timed(gazette_cmd(gz / "content", gz / "output"), work)
        shutil.rmtree(gz / "output")
        fresh = timed(gazette_cmd(gz / "content", gz / "output"), work)
        rows.append((n, stock, cold, one, added, retitled, none, fresh))
        print(f"bench: {n} documents done", file=sys.stderr)
    phone = search_on_a_phone(work / f"gazette-{args.sizes[-1]}", args.sizes[-1]) if args.phone else ""
    print(f"\n{'documents':>9} | {'stock s':>7} {'MB':>5} {'docs/s':>6} | {'gazette s':>9} {'MB':>5} {'docs/s':>6} | "
          f"{'ratio':>5} | {'edit one s':>10} | {'add one s':>9} | {'retitle s':>9} | {'no change s':>11} | "
          f"{'empty output s':>14} {'MB':>5}")
    for n, (s_wall, s_mem), (g_wall, g_mem), one, added, retitled, none, (fresh, fresh_mem) in rows:
        print(f"{n:>9} | {s_wall:>7.1f} {s_mem:>5.0f} {n / s_wall:>6.0f} | {g_wall:>9.1f} {g_mem:>5.0f} "
              f"{n / g_wall:>6.0f} | {g_wall / s_wall:>5.2f} | {one[0]:>10.1f} | {added[0]:>9.1f} | "
              f"{retitled[0]:>9.1f} | {none[0]:>11.1f} | {fresh:>14.1f} {fresh_mem:>5.0f}")
    if len(rows) > 1:
        (n1, _, (g1, _), *_), (n2, _, (g2, _), *_) = rows[0], rows[-1]
        print(f"scaling: {n2 / n1:.0f}x documents took {g2 / g1:.1f}x the time (linear would be {n2 / n1:.0f}x)")
    print("targets (issue #12) at 10,000 documents: cold ratio <= 1.0, peak memory <= 1024 MB, "
          "add-one rebuild <= 5 s")
    if phone:
        print(phone)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def search_on_a_phone(gz: Path, n: int) -> str:
    """Build the site once more for loopback (no absolute SITEURL) and search it on a throttled phone."""
    import phone_search

    if not shutil.which("chromium") and not shutil.which("chromium-browser"):
        return "\nsearch on a phone: skipped, chromium is not installed (apt-get install -y chromium)"
    out = gz / "phone"
    built = subprocess.run(gazette_cmd(gz / "content", out, 'SITEURL=""'), capture_output=True, text=True)
    if built.returncode:
        return f"\nsearch on a phone: the build failed: {built.stderr[-2000:]}"
    lines = []
    for cpu in (1, 4):
        lines.append(f"\nsearch on a phone ({n:,} documents; {phone_search.RTT_MS} ms RTT, "
                     f"{phone_search.DOWN_BYTES_PER_S * 8 / 1e6:.1f} Mbit/s; CPU slowed {cpu}x; "
                     "target (issue #13): every query <= 2 s and <= 200 KB, precision and recall >= 0.95)")
        lines.append(phone_search.report(phone_search.run(out, phone_search.queries(out), cpu=cpu)))
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
