"""Share links and share cards for Chinese and international platforms, without third-party scripts.

Each target is one registered function (STYLE.md 5); SHARE_TARGETS and
SHARE_TARGETS_EN choose which appear and in what order. Templates call the
`share_links` Jinja filter on a page's URL, so only pages that are rendered pay for them.

Every page gets a raster share image (WeChat, Weibo and QQ show no SVG): a document's own
`image`, else site.yaml's `share_image`, else the theme's card (SHARE_IMAGE_DEFAULT).
Documents carry it as `share_image`, other pages read the context's `share_image`;
templates print the Open Graph and Twitter tags and hand its URL to Weibo and QZone.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from content_model.images import image_size, raster_type
from pelican import signals

import gazette.build
from gazette.settings import Setting, Table
from gazette.urls import public_url


@dataclass(frozen=True)
class ShareLink:
    id: str
    label: str
    url: str  # empty for targets rendered specially (WeChat QR, Web Share, copy)


@dataclass(frozen=True)
class ShareImage:
    """The picture of a page's share card, as the Open Graph tags give it."""

    url: str  # absolute, on the portal's public address
    width: int
    height: int
    type: str  # image/png or image/jpeg
    alt: str
    card: str  # Twitter card: summary_large_image for wide pictures, else summary


Target = Callable[[str, str, str], ShareLink]
TARGETS: dict[str, Target] = {}


def share_target(target_id: str) -> Callable[[Target], Target]:
    """Register a share target: a function (page_url, title, image_url) -> ShareLink."""

    def wrap(func: Target) -> Target:
        TARGETS[target_id] = func
        return func

    return wrap


def _query(**params: str) -> str:
    return urlencode({key: value for key, value in params.items() if value})


@share_target("weibo")
def _weibo(url: str, title: str, image: str) -> ShareLink:
    return ShareLink("weibo", "微博", "https://service.weibo.com/share/share.php?"
                     + _query(url=url, title=title, pic=image))


@share_target("qzone")
def _qzone(url: str, title: str, image: str) -> ShareLink:
    return ShareLink("qzone", "QQ空间", "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?"
                     + _query(url=url, title=title, pics=image))


@share_target("wechat")
def _wechat(url: str, title: str, image: str) -> ShareLink:
    # WeChat has no web share URL: the template shows the page's QR code instead.
    return ShareLink("wechat", "微信", "")


@share_target("email")
def _email(url: str, title: str, image: str) -> ShareLink:
    return ShareLink("email", "邮件", f"mailto:?subject={quote(title)}&body={quote(title + ' ' + url)}")


@share_target("email_en")
def _email_en(url: str, title: str, image: str) -> ShareLink:
    return ShareLink("email", "Email", f"mailto:?subject={quote(title)}&body={quote(title + ' ' + url)}")


@share_target("x")
def _x(url: str, title: str, image: str) -> ShareLink:
    return ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title}))


@share_target("facebook")
def _facebook(url: str, title: str, image: str) -> ShareLink:
    return ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?"
                     + urlencode({"u": url}))


@share_target("linkedin")
def _linkedin(url: str, title: str, image: str) -> ShareLink:
    return ShareLink("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?"
                     + urlencode({"url": url}))


@share_target("copy")
def _copy(url: str, title: str, image: str) -> ShareLink:
    return ShareLink("copy", "复制链接", url)


@share_target("native")
def _native(url: str, title: str, image: str) -> ShareLink:
    # Web Share API button; share.js reveals it only where navigator.share exists.
    return ShareLink("native", "分享", url)


SETTINGS = Table("share", "SHARE_", [
    Setting("SHARE_ENABLED", True, "Share links under every document."),
    Setting("SHARE_TARGETS", ["wechat", "weibo", "qzone", "email", "copy", "native"],
            "Share targets on Chinese pages, in order (names from the registry in share.py).", items=str),
    Setting("SHARE_TARGETS_EN", ["x", "facebook", "linkedin", "email_en", "copy", "native"],
            "Share targets on English pages.", items=str),
    Setting("SHARE_IMAGE_DEFAULT", "img/share.png", "Share card picture for sites whose site.yaml gives no "
            "`share_image`: a PNG or JPEG in the theme's static folder; empty for none."),
])
# The theme's card, themes/gazette/static/img/share.png, was made from share-card.svg beside the theme's
# templates with `chromium --headless --no-sandbox --hide-scrollbars --window-size=1200,630
# --screenshot=static/img/share.png share-card.svg` (no Pillow or CJK font needed; run it again after a change).

# Wider than this (width / height), a picture is shown large (Twitter's summary_large_image).
WIDE = 1.5


class ShareSettingsError(ValueError):
    """SHARE_TARGETS names a target that does not exist, or SHARE_IMAGE_DEFAULT no PNG or JPEG."""


def links_for(settings: dict[str, Any], url: str, title: str, lang: str, image: str = "") -> list[ShareLink]:
    """The configured share links for one page, in order; image is the share card's absolute URL."""
    if not settings["SHARE_ENABLED"]:
        return []
    key = "SHARE_TARGETS" if lang.startswith("zh") else "SHARE_TARGETS_EN"
    return [TARGETS[t](url, title, image) for t in settings[key]]


def card_image(url: str, width: int, height: int, media_type: str, alt: str) -> ShareImage:
    """A share card picture; wide ones get the large Twitter card."""
    card = "summary_large_image" if width >= 300 and width >= WIDE * height else "summary"
    return ShareImage(url, width, height, media_type, alt, card)


def theme_image(settings: dict[str, Any]) -> tuple[str, int, int, str] | None:
    """(site-relative URL, width, height, type) of the theme's default card, or None if there is none."""
    name = settings["SHARE_IMAGE_DEFAULT"].strip("/")
    if not name:
        return None
    path = os.path.join(settings["THEME"], "static", name)
    kind, size = raster_type(path), image_size(path)
    if kind is None or not size:
        raise ShareSettingsError(f"share: SHARE_IMAGE_DEFAULT: {path} is not a PNG or JPEG file; "
                                 "name one in the theme's static folder, or set it to '' for none")
    return f"{settings['THEME_STATIC_DIR']}/{name}", size[0], size[1], kind


def configure(pelican: Any) -> None:
    settings = pelican.settings
    for key in ("SHARE_TARGETS", "SHARE_TARGETS_EN"):
        unknown = [t for t in settings[key] if t not in TARGETS]
        if unknown:
            raise ShareSettingsError(f"share: {key} has unknown target {unknown[0]!r}; "
                                     f"known: {', '.join(TARGETS)}")
    theme_image(settings)  # fail at start-up, not halfway through a build

    def share_filter(url: str, title: str, lang: str = settings["DEFAULT_LANG"], image: str = "") -> list[ShareLink]:
        return links_for(settings, public_url(settings, url), title, lang, image)

    settings.setdefault("JINJA_FILTERS", {})["share_links"] = share_filter


def attach(generators: list[Any]) -> None:
    """Give every document its share card picture, and the other pages the site's."""
    settings = generators[0].settings
    context = generators[0].context
    site = gazette.build.current().site["site"]
    ref, theme = site.get("share_image"), theme_image(settings)
    default = None
    if ref is not None:
        default = card_image(public_url(settings, ref.url), ref.width, ref.height, ref.media_type,
                              ref.alt or site.get("name", ""))
    elif theme is not None:
        default = card_image(public_url(settings, theme[0]), *theme[1:], site.get("name", ""))
    context["share_image"] = default
    # English pages describe the site's picture by the site's English name, where site.yaml gives one.
    english = dataclasses.replace(default, alt=site["name_en"]) if default and site.get("name_en") else default
    for doc in context.get("published_documents", []):
        ref = getattr(doc, "image", None)
        if ref is None:
            doc.share_image = default if doc.lang.startswith("zh") else english
        else:
            doc.share_image = card_image(public_url(settings, ref.url), ref.width, ref.height, ref.media_type,
                                         ref.alt or doc.title)


def register() -> None:
    # initialized: validate settings and add the filter before Jinja environments exist.
    signals.initialized.connect(configure)
    # all_generators_finalized: content_model has placed the images; nothing is rendered yet.
    signals.all_generators_finalized.connect(attach)
