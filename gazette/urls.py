"""The portal's public address, shared by every plugin that prints absolute URLs."""

from __future__ import annotations

from typing import Any


def public_url(settings: dict[str, Any], url: str) -> str:
    """Absolute public address of a site-relative URL: PORTAL_URL, else SITEURL."""
    base = (settings.get("PORTAL_URL") or settings.get("SITEURL") or "").rstrip("/")
    return f"{base}/{url.lstrip('/')}"
