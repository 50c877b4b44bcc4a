"""Media (MIME) types of the files a portal publishes, from a fixed table.

Python's mimetypes reads the machine's /etc/mime.types, so the same file could get another
type on another machine (and .xlsx, .docx or .ofd none at all); a build must give the same
bytes everywhere (STYLE.md 12).
"""

from __future__ import annotations

import os

MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "txt": "text/plain",
    "json": "application/json",
    "geojson": "application/geo+json",
    "jsonld": "application/ld+json",
    "xml": "application/xml",
    "rdf": "application/rdf+xml",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
    "ofd": "application/ofd",  # GB/T 33190, the Chinese fixed-layout format of official documents
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed",
    "gz": "application/gzip",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
}
# Format names editors write instead of an extension.
ALIASES = {"excel": "xlsx", "word": "docx", "text": "txt"}
UNKNOWN = "application/octet-stream"


def media_type(filename: str, fmt: str = "") -> str:
    """The media type of a file: from the format an editor gave (CSV, XLSX…), else from its extension."""
    for given in (fmt.strip().lower().lstrip("."), os.path.splitext(filename)[1].lower().lstrip(".")):
        name = ALIASES.get(given, given)
        if name in MEDIA_TYPES:
            return MEDIA_TYPES[name]
    return UNKNOWN
