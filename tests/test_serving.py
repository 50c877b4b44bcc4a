"""What browsers, crawlers and nginx get: root icons, robots.txt, the sitemap, the 404 page, the shipped nginx config.

One build of the sample site with the inspection report and one item per list page (so
columns and catalogue facets have archive pages), served by a real nginx with
docs/deploy/gazette-site.conf and gazette-headers.conf. In CI a missing nginx fails the test.
"""

from __future__ import annotations

import grp
import gzip
import http.client
import os
import pwd
import re
import shutil
import socket
import struct
import subprocess
import time
import urllib.robotparser
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, build

PORTAL = "https://www.binhai.gov.cn"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DEPLOY = ROOT / "docs" / "deploy"
NOINDEX = re.compile(r'<meta name="robots" content="[^"]*\bnoindex\b')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("serving")
    content = base / "content"
    shutil.copytree(SAMPLE, content)
    result = build(content, base / "output", INSPECTION_ENABLED=True, INSPECTION_TODAY="2024-05-10",
                   DEFAULT_PAGINATION=1)
    assert result.returncode == 0, result.stderr
    return result.output


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_favicon_ico_and_touch_icon_are_at_the_root_and_linked(site):
    data = (site / "favicon.ico").read_bytes()
    assert data == (ROOT / "themes/gazette/root/favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for n in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * n:22 + 16 * n])
        assert (planes, bits) == (1, 32)
        assert png_size(data[offset:offset + length]) == (width, height)
        sizes.append(width)
    assert sizes == [16, 32, 48]
    assert png_size((site / "apple-touch-icon.png").read_bytes()) == (180, 180)
    for page in ("index.html", "zcwj/2024/yl-2024-5/index.html", "404.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">' in html
        assert '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in html


def longest_match_allows(robots: str, path: str) -> bool:
    """Google's reading (RFC 9309): the longest matching rule of the `*` group wins, Allow on a tie."""
    rules, group = [], False
    for line in robots.splitlines():
        field, _, value = line.partition(":")
        field, value = field.strip().lower(), value.strip()
        if field == "user-agent":
            group = value == "*"
        elif group and field in ("allow", "disallow") and value:
            pattern = ".*".join(map(re.escape, value.removesuffix("$").split("*"))) + ("$" if value.endswith("$") else "")
            rules.append((len(value), field == "allow", pattern))
    matching = [(length, allow) for length, allow, pattern in rules if re.match(pattern, path)]
    return max(matching, default=(0, True))[1]


def test_robots_txt_keeps_every_crawler_out_of_the_report_and_in_the_pages(site):
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    first_match = urllib.robotparser.RobotFileParser()  # Python's parser, like Baidu, takes the first match
    first_match.parse(robots.splitlines())
    for path in ("/inspection/", "/inspection/index.html", "/inspection/report.json"):
        assert not first_match.can_fetch("Baiduspider", PORTAL + path), path
        assert not longest_match_allows(robots, path), path
    for path in ("/", "/zcwj/2024/yl-2024-5/", "/zfxxgk/year/2024/", "/hdhy/tjsj/", "/sitemap.xml", "/favicon.ico"):
        assert first_match.can_fetch("Baiduspider", PORTAL + path), path
        assert longest_match_allows(robots, path), path
    assert first_match.site_maps() == [f"{PORTAL}/sitemap.xml"]


def test_robots_txt_without_rules_allows_everything():
    from seo.seo import robots_txt

    robots = robots_txt({"SEO_ROBOTS_DISALLOW": [], "PORTAL_URL": PORTAL})
    assert robots == f"User-agent: *\nDisallow:\n\nSitemap: {PORTAL}/sitemap.xml\n"
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(robots.splitlines())
    assert parser.can_fetch("*", f"{PORTAL}/inspection/") and longest_match_allows(robots, "/inspection/")


def test_every_page_is_in_the_sitemap_or_marked_noindex(site):
    listed = {loc.text for loc in ET.fromstring((site / "sitemap.xml").read_bytes()).iter(f"{SITEMAP_NS}loc")}
    pages = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        pages[f"{PORTAL}/{rel.removesuffix('index.html')}"] = path.read_text(encoding="utf-8")
    noindex = {url for url, html in pages.items() if NOINDEX.search(html)}
    assert noindex == {f"{PORTAL}/404.html", f"{PORTAL}/inspection/"}
    assert listed == set(pages) - noindex
    # those the hand-made list used to leave out: reply statistics, catalogue facets, archive pages
    for path in ("hdhy/tjsj/", "zfxxgk/year/2024/", "zfxxgk/validity/effective/", "zcwj/page/1/",
                 "zfxxgk/topic/31142548/", "feeds/", "search/"):
        assert f"{PORTAL}/{path}" in listed, path


def test_404_page_is_not_indexed_and_names_no_address(site):
    html = (site / "404.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html and 'property="og:url"' not in html


# --- the shipped nginx configuration, served by a real nginx -----------------------------------------

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy",
                    "Strict-Transport-Security", "X-Frame-Options")


def nginx_binary() -> str:
    """The system nginx; in CI its absence fails the test instead of skipping it."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(p, os.X_OK)), None)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed; CI must install it (.ci/run does)")
    pytest.skip("nginx is not installed (apt-get install -y nginx)")


def mime_types(nginx: str) -> str:
    """nginx's own mime.types, beside the nginx.conf it was built with."""
    info = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr
    conf = re.search(r"--conf-path=(\S+)", info)
    path = Path(conf[1]).parent / "mime.types" if conf else Path("/etc/nginx/mime.types")
    assert path.is_file(), f"no mime.types beside nginx's configuration ({path})"
    return str(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shipped_headers() -> dict[str, str]:
    """The `/*` block of docs/deploy/_headers, the policy nginx must send too."""
    block = (DEPLOY / "_headers").read_text(encoding="utf-8").split("\n/*\n", 1)[1].split("\n\n", 1)[0]
    return dict(line.strip().split(": ", 1) for line in block.splitlines())


@pytest.fixture(scope="module")
def nginx(site, tmp_path_factory):
    binary = nginx_binary()
    prefix = tmp_path_factory.mktemp("nginx")
    snippets = prefix / "conf" / "snippets"
    snippets.mkdir(parents=True)
    for name in ("gazette-site.conf", "gazette-headers.conf"):
        shutil.copy(DEPLOY / name, snippets / name)
    # As root (CI), workers would switch to an unprivileged user that cannot read pytest's 0700 folders.
    user = (f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
            if os.geteuid() == 0 else "")
    temps = " ".join(f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    port = free_port()
    conf = prefix / "conf" / "nginx.conf"
    conf.write_text(f"""{user}
worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 64; }}
http {{
    include {mime_types(binary)};
    default_type application/octet-stream;
    access_log off;
    {temps}
    server {{
        listen 127.0.0.1:{port};
        root {site};
        include snippets/gazette-site.conf;
    }}
}}
""", encoding="utf-8")
    check = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    stderr = prefix / "stderr.log"
    with stderr.open("w") as err:
        proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        for _ in range(100):
            if proc.poll() is not None:
                pytest.fail(f"nginx stopped: {stderr.read_text()} {(prefix / 'error.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(port: int, path: str, compressed: bool = True) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if compressed else {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return response.status, response.headers, body


# path, status, Content-Type, gzipped when asked, the file whose bytes it serves
RESPONSES = [
    ("/", 200, "text/html; charset=utf-8", True, "index.html"),
    ("/zcwj/2024/yl-2024-5/", 200, "text/html; charset=utf-8", True, "zcwj/2024/yl-2024-5/index.html"),
    ("/inspection/", 200, "text/html; charset=utf-8", True, "inspection/index.html"),
    ("/inspection/report.json", 200, "application/json; charset=utf-8", True, "inspection/report.json"),
    ("/feeds/", 200, "text/html; charset=utf-8", True, "feeds/index.html"),
    ("/feeds/zcwj.xml", 200, "application/rss+xml; charset=utf-8", True, "feeds/zcwj.xml"),
    ("/feeds/zcwj.atom.xml", 200, "application/atom+xml; charset=utf-8", True, "feeds/zcwj.atom.xml"),
    ("/sitemap.xml", 200, "text/xml; charset=utf-8", True, "sitemap.xml"),
    ("/robots.txt", 200, "text/plain; charset=utf-8", True, "robots.txt"),
    ("/theme/css/gazette.css", 200, "text/css; charset=utf-8", True, "theme/css/gazette.css"),
    ("/theme/img/favicon.svg", 200, "image/svg+xml; charset=utf-8", True, "theme/img/favicon.svg"),
    ("/search-index/zh-cn/index.json", 200, "application/json; charset=utf-8", True, "search-index/zh-cn/index.json"),
    ("/search-index/zh-cn/d/0.bin?v=1", 200, "application/octet-stream", True, "search-index/zh-cn/d/0.bin"),
    ("/favicon.ico", 200, "image/x-icon", False, "favicon.ico"),
    ("/apple-touch-icon.png", 200, "image/png", False, "apple-touch-icon.png"),
    ("/no/such/page/", 404, "text/html; charset=utf-8", True, "404.html"),
    ("/inspection/gone.html", 404, "text/html; charset=utf-8", True, "404.html"),
]


@pytest.mark.parametrize(("path", "status", "content_type", "gzipped", "file"), RESPONSES,
                         ids=[row[0] for row in RESPONSES])
def test_nginx_serves_with_every_security_header(site, nginx, path, status, content_type, gzipped, file):
    code, headers, body = get(nginx, path)
    assert code == status
    assert headers["Content-Type"] == content_type
    assert body == (site / file).read_bytes()
    assert (headers.get("Content-Encoding") == "gzip") == gzipped
    expected = shipped_headers()
    assert sorted(expected) == sorted(SECURITY_HEADERS)
    assert {name: headers.get(name) for name in SECURITY_HEADERS} == expected
    # (a missing report file is the site's 404 page, noindex by its own tag)
    assert (headers.get("X-Robots-Tag") == "noindex, nofollow") == (path.startswith("/inspection/") and code == 200)


def test_nginx_compresses_only_when_asked_and_caches_theme_and_search_files(nginx):
    code, headers, _ = get(nginx, "/sitemap.xml", compressed=False)
    assert code == 200 and "Content-Encoding" not in headers
    assert headers["Server"] == "nginx"  # no version
    assert get(nginx, "/feeds/zcwj.xml")[1]["Vary"] == "Accept-Encoding"
    for path in ("/theme/css/gazette.css", "/favicon.ico"):
        assert get(nginx, path)[1]["Cache-Control"] == "max-age=604800"
    # search.js asks for the index's files with ?v=<version>, named by index.json: that one file is
    # asked for again each time, so a publish is seen at once.
    assert get(nginx, "/search-index/zh-cn/index.json")[1]["Cache-Control"] == "no-cache"


def test_shipped_server_block_takes_everything_from_the_snippets():
    """A location or add_header in nginx.conf itself would serve pages without the security headers."""
    conf = re.sub(r"#.*", "", (DEPLOY / "nginx.conf").read_text(encoding="utf-8"))
    assert "include snippets/gazette-site.conf;" in conf
    assert "add_header" not in conf and "location" not in conf
    site_conf = re.sub(r"#.*", "", (DEPLOY / "gazette-site.conf").read_text(encoding="utf-8"))
    # every location with an add_header of its own includes the headers again
    for block in re.findall(r"location[^{]*\{[^{}]*\}", site_conf):
        if "add_header" in block:
            assert "include snippets/gazette-headers.conf;" in block, block
