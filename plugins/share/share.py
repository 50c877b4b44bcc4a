"""Share links for Chinese and international platforms, without third-party scripts.

Each target is one registered function (STYLE.md 5); SHARE_TARGETS and
SHARE_TARGETS_EN choose which appear and in what order. Templates call the
`share_links` Jinja filter on a page's URL, so only pages that are rendered pay for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from pelican import signals

from gazette.settings import Setting, Table
from gazette.urls import public_url


@dataclass(frozen=True)
class ShareLink:
    id: str
    label: str
    url: str  # empty for targets rendered specially (WeChat QR, Web Share, copy)


Target = Callable[[str, str], ShareLink]
TARGETS: dict[str, Target] = {}


def share_target(target_id: str) -> Callable[[Target], Target]:
    """Register a share target: a function (page_url, title) -> ShareLink."""

    def wrap(func: Target) -> Target:
        TARGETS[target_id] = func
        return func

    return wrap


@share_target("weibo")
def _weibo(url: str, title: str) -> ShareLink:
    return ShareLink("weibo", "微博", "https://service.weibo.com/share/share.php?"
                     + urlencode({"url": url, "title": title}))


@share_target("qzone")
def _qzone(url: str, title: str) -> ShareLink:
    return ShareLink("qzone", "QQ空间", "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?"
                     + urlencode({"url": url, "title": title}))


@share_target("wechat")
def _wechat(url: str, title: str) -> ShareLink:
    # WeChat has no web share URL: the template shows the page's QR code instead.
    return ShareLink("wechat", "微信", "")


@share_target("email")
def _email(url: str, title: str) -> ShareLink:
    return ShareLink("email", "邮件", f"mailto:?subject={quote(title)}&body={quote(title + ' ' + url)}")


@share_target("email_en")
def _email_en(url: str, title: str) -> ShareLink:
    return ShareLink("email", "Email", f"mailto:?subject={quote(title)}&body={quote(title + ' ' + url)}")


@share_target("x")
def _x(url: str, title: str) -> ShareLink:
    return ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title}))


@share_target("facebook")
def _facebook(url: str, title: str) -> ShareLink:
    return ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?"
                     + urlencode({"u": url}))


@share_target("linkedin")
def _linkedin(url: str, title: str) -> ShareLink:
    return ShareLink("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?"
                     + urlencode({"url": url}))


@share_target("copy")
def _copy(url: str, title: str) -> ShareLink:
    return ShareLink("copy", "复制链接", url)


@share_target("native")
def _native(url: str, title: str) -> ShareLink:
    # Web Share API button; share.js reveals it only where navigator.share exists.
    return ShareLink("native", "分享", url)


SETTINGS = Table("share", "SHARE_", [
    Setting("SHARE_ENABLED", True, "Share links under every document."),
    Setting("SHARE_TARGETS", ["wechat", "weibo", "qzone", "email", "copy", "native"],
            "Share targets on Chinese pages, in order (names from the registry in share.py).", items=str),
    Setting("SHARE_TARGETS_EN", ["x", "facebook", "linkedin", "email_en", "copy", "native"],
            "Share targets on English pages.", items=str),
])


class ShareSettingsError(ValueError):
    """SHARE_TARGETS names a target that does not exist."""


def links_for(settings: dict[str, Any], url: str, title: str, lang: str) -> list[ShareLink]:
    """The configured share links for one page, in order."""
    if not settings["SHARE_ENABLED"]:
        return []
    key = "SHARE_TARGETS" if lang.startswith("zh") else "SHARE_TARGETS_EN"
    return [TARGETS[t](url, title) for t in settings[key]]


def configure(pelican: Any) -> None:
    settings = pelican.settings
    for key in ("SHARE_TARGETS", "SHARE_TARGETS_EN"):
        unknown = [t for t in settings[key] if t not in TARGETS]
        if unknown:
            raise ShareSettingsError(f"share: {key} has unknown target {unknown[0]!r}; "
                                     f"known: {', '.join(TARGETS)}")
    def share_filter(url: str, title: str, lang: str = settings["DEFAULT_LANG"]) -> list[ShareLink]:
        return links_for(settings, public_url(settings, url), title, lang)

    settings.setdefault("JINJA_FILTERS", {})["share_links"] = share_filter


def register() -> None:
    # initialized: validate settings and add the filter before Jinja environments exist.
    signals.initialized.connect(configure)
