"""Draw root/favicon.ico and root/apple-touch-icon.png from static/img/favicon.svg; run after changing the SVG.

    .venv/bin/python themes/gazette/make_icons.py

Browsers and WeChat's in-app browser ask for /favicon.ico whatever a page links, and
phones for /apple-touch-icon.png; the theme's root/ folder is copied to the site's root
(plugins/content_model/static_files.py). The files are committed: a build never draws them.
Chromium (the system one, through Playwright, as the tests drive it) renders the SVG at
each size, so small sizes are drawn from the vector, not scaled down from a large bitmap.
The ICO holds PNG images (16, 32, 48 px), which every browser since IE 7 reads.
"""

from __future__ import annotations

import base64
import shutil
import struct
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

THEME = Path(__file__).resolve().parent
ICO_SIZES = (16, 32, 48)
TOUCH_SIZE = 180  # iPhone home screen at 3x
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def ico(pngs: list[tuple[int, bytes]]) -> bytes:
    """An ICO file holding these (size, PNG bytes) images."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in pngs:
        # width and height 0 mean 256; no palette; 1 plane; 32 bits per pixel
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def render(page: object, svg: str, size: int) -> bytes:
    """The SVG drawn as a size × size PNG with a transparent background."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(f'<html><body style="margin:0"><img src="data:image/svg+xml;base64,{data}" '
                     f'width="{size}" height="{size}" style="display:block"></body></html>')
    page.wait_for_function("document.images[0].complete")
    return page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})


def main() -> None:
    svg = (THEME / "static" / "img" / "favicon.svg").read_text(encoding="utf-8")
    # iOS fills a touch icon's transparent corners with black and rounds the corners itself.
    square = svg.replace(' rx="6"', "")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("make_icons: chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(device_scale_factor=1)
        pngs = [(size, render(page, svg, size)) for size in ICO_SIZES]
        touch = render(page, square, TOUCH_SIZE)
        browser.close()
    root = THEME / "root"
    root.mkdir(exist_ok=True)
    (root / "favicon.ico").write_bytes(ico(pngs))
    (root / "apple-touch-icon.png").write_bytes(touch)
    print(f"make_icons: wrote {root / 'favicon.ico'} ({', '.join(f'{s}px' for s in ICO_SIZES)}) and "
          f"{root / 'apple-touch-icon.png'} ({TOUCH_SIZE}px)")


if __name__ == "__main__":
    main()
