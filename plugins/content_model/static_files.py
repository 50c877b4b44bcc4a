"""Which files of the content folder reach the site as they are, and how they are copied.

Only regular files inside the content folder are ever published: a symbolic link, a file
reached through `..` or a save path outside the output folder is refused with a
one-line error. Files a browser would run as part of the portal (HTML, SVG with script)
are refused too. Files are copied by the build's Output (gazette/output.py): through a
temporary name renamed into place, so a full disk or a killed build never leaves half a
file where the old one was; only when the bytes differ, so an unchanged file keeps its
mtime; and recorded, so an attachment the site no longer has is removed from the output.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from typing import Any

import gazette.output

from .links import file_problem, inside

logger = logging.getLogger(__name__)

# The theme's folder of files served at the site's root rather than under THEME_STATIC_DIR.
THEME_ROOT = "root"
# Pages and scripts that would run on the portal's own address if published as files.
ACTIVE_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml", ".xht", ".js", ".mjs", ".swf", ".svgz"}
# What makes an SVG image run script or show other pages when opened on its own.
_SVG_ACTIVE = re.compile(rb"<\s*(script|foreignObject|iframe|embed|object)\b|\son[a-z]+\s*=|javascript\s*:"
                         rb"|<!ENTITY", re.I)


def symlinks(root: str) -> list[str]:
    """Every symbolic link under root (hidden folders such as .git are not published and not searched).

    scandir knows each entry's type from the folder listing: no extra system call per file.
    """
    found, folders = [], [root]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    found.append(entry.path)
                elif entry.is_dir():
                    folders.append(entry.path)
    return sorted(found)


def refusal(source: str) -> str | None:
    """Why a file of the content folder may not be published as it is, or None if it may."""
    ext = os.path.splitext(source)[1].lower()
    if ext in ACTIVE_EXTENSIONS:
        return (f"{ext} files are not published as they are: they could run scripts on the portal "
                "(write the page as Markdown with a YAML header, or attach a PDF)")
    if ext == ".svg":
        with open(source, "rb") as fh:
            match = _SVG_ACTIVE.search(fh.read())
        if match:
            what = match.group(1).decode() if match.group(1) else match.group(0).decode().strip()
            return f"SVG image contains '{what}', which could run script; save it again without it or use PNG"
    return None


def _copy_tree(source: str, target: str, ignores: list[str]) -> None:
    """Pelican's utils.copy for theme assets, file by file through the Output, following no links."""
    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in ignores)

    if ignored(os.path.basename(source)):
        return
    if os.path.isfile(source):
        gazette.output.current().copy(source, target)
        return
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not ignored(d))
        for name in sorted(files):
            if not ignored(name):
                path = os.path.join(folder, name)
                gazette.output.current().copy(path, os.path.join(target, os.path.relpath(path, source)))


def copy_atomically(static: Any) -> None:
    """Make a StaticGenerator copy content files, theme assets and the theme's root files through the Output.

    Pelican's own copies write in place (shutil.copy2), which leaves a truncated file on a
    full disk, and with STATIC_CHECK_IF_MODIFIED skip files nobody would then record as
    part of the site; these methods are the only places it decides and copies (the instance
    attributes shadow them for this build only). The Output skips unchanged files itself.
    """
    def copy_staticfile(item: Any) -> None:
        source = os.path.join(static.path, item.source_path)
        output = gazette.output.current()
        place = output.link if static.settings["STATIC_CREATE_LINKS"] else output.copy
        if place(source, item.save_as):
            logger.info("Copying %s to %s", item.source_path, item.save_as)

    def copy_paths(paths: list[str], source: str, destination: str, output_path: str,
                   final_path: str | None = None) -> None:
        for path in paths:  # the theme's static folders, as StaticGenerator._copy_paths lays them out
            source_path = os.path.join(source, path)
            if final_path:
                target = os.path.join(output_path, destination, final_path,
                                      os.path.basename(path) if os.path.isfile(source_path) else "")
            else:
                target = os.path.join(output_path, destination, path)
            _copy_tree(source_path, os.path.normpath(target), static.settings["IGNORE_FILES"])

    generate_output = static.generate_output

    def generate_output_and_root(writer: Any) -> None:
        generate_output(writer)
        # Files browsers ask for at the site's root whatever a page links (favicon.ico,
        # apple-touch-icon.png): the theme's root/ folder, beside static/.
        _copy_tree(os.path.join(static.theme, THEME_ROOT), static.output_path, static.settings["IGNORE_FILES"])

    static._file_update_required = lambda item: True
    static._link_or_copy_staticfile = copy_staticfile
    static._copy_paths = copy_paths
    static.generate_output = generate_output_and_root


def refuse(static: Any, report: Any) -> None:
    """Drop every candidate file that may not be published, reporting each: report(path, message)."""
    kept = []
    for item in static.staticfiles:
        source = os.path.join(static.path, item.source_path)
        # Pelican adds every file a body links to; links.check_body has reported those outside
        # content/, and the symlink scan every link, so only drop them here.
        if file_problem(source, static.path) or not os.path.isfile(source):
            logger.debug("content_model: not publishing %s", source)
            continue
        why = refusal(source)
        if why:
            report(source, why)
        else:
            kept.append(item)
    static.staticfiles[:] = kept


def install(static: Any, report: Any) -> None:
    """Check where each file goes now that attachments have moved beside their pages; copy atomically."""
    for item in static.staticfiles:
        if not inside(os.path.join(static.output_path, item.save_as), static.output_path):
            report(os.path.join(static.path, item.source_path),
                   f"would be written outside the output folder (as {item.save_as}); link it from its own folder")
    copy_atomically(static)
