"""Values computed from an item's fields at build time, one function per content type."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from .schema import AUDIENCES, DOC_CLASSES, FORMS, FREQUENCIES, VALIDITY

Problem = tuple[str, str]  # (field, message)
Derive = Callable[[dict[str, Any], dt.datetime], list[Problem] | None]
DERIVE: dict[str, Derive] = {}


def derive(type_name: str) -> Callable[[Derive], Derive]:
    """Register the computed values of one content type."""

    def wrap(func: Derive) -> Derive:
        DERIVE[type_name] = func
        return func

    return wrap


@derive("policy")
def _policy(meta: dict[str, Any], now: dt.datetime) -> None:
    meta["validity_label"] = VALIDITY[meta["validity"]]
    meta["is_current"] = meta["validity"] == "effective"
    if not meta.get("doc_class"):
        meta["doc_class"] = class_of(meta["doc_no"])
    meta["doc_class_label"] = DOC_CLASSES[meta["doc_class"]]


def class_of(doc_no: str) -> str:
    """规章 are numbered as orders (令), 行政规范性文件 carry 规 before the year (规〔2025〕); the rest is other."""
    if "令" in doc_no:
        return "rule"
    return "normative" if re.search(r"规\s*〔", doc_no) else "other"


@derive("interpretation")
def _interpretation(meta: dict[str, Any], now: dt.datetime) -> None:
    meta["form_label"] = FORMS[meta["form"]]


@derive("interview")
def _interview(meta: dict[str, Any], now: dt.datetime) -> None:
    meta["form"] = "interview"  # as an interpretation: 访谈 (schema.FORMS)
    meta["form_label"] = FORMS["interview"]


@derive("dataset")
def _dataset(meta: dict[str, Any], now: dt.datetime) -> None:
    frequency = meta.get("update_frequency")
    meta["update_frequency_label"] = FREQUENCIES[frequency] if frequency else ""


def tel(phone: str | None) -> str:
    """A tel: link for the first number in a phone text (`022-12345678（工作日）`), or ""."""
    number = re.search(r"\+?\d[\d-]{2,}\d", phone or "")
    return "tel:" + number[0].replace("-", "") if number else ""


@derive("service")
def _service(meta: dict[str, Any], now: dt.datetime) -> None:
    meta["audience_label"] = AUDIENCES[meta["audience"]]
    meta["phone_tel"] = tel(meta.get("phone"))


@derive("org")
def _org(meta: dict[str, Any], now: dt.datetime) -> None:
    meta["phone_tel"] = tel(meta.get("phone"))
    meta["unit_rows"] = [_unit(text) for text in meta.get("units") or []]


def _unit(text: str) -> tuple[str, str]:
    """An internal department as (name, duty), from `办公室：负责机关日常运转`; without a colon, no duty."""
    name, *duty = re.split(r"[:：]", text, maxsplit=1)
    return name.strip(), (duty[0].strip() if duty else "")


@derive("topic")
def _topic(meta: dict[str, Any], now: dt.datetime) -> list[Problem] | None:
    ends = meta.get("ends")
    meta["archived"] = ends is not None and now.date() > ends
    if ends is not None and ends < meta["date"].date():
        return [("ends", f"{ends} is before the topic's date {meta['date']:%Y-%m-%d} (结束日期 must not precede "
                         "发布日期)")]
    return None


CONSULTATION_STATES = {"upcoming": "未开始", "open": "征集中", "closed": "已结束"}


@derive("consultation")
def _consultation(meta: dict[str, Any], now: dt.datetime) -> None:
    if meta["closes"] < meta["opens"]:
        return [("closes", f"{meta['closes']:%Y-%m-%d %H:%M} is before opens "
                 f"{meta['opens']:%Y-%m-%d %H:%M} (截止时间 must follow 开始时间)")]
    state = "upcoming" if now < meta["opens"] else "open" if now <= meta["closes"] else "closed"
    meta["state"] = state
    meta["state_label"] = CONSULTATION_STATES[state]
    return None


@derive("reply")
def _reply(meta: dict[str, Any], now: dt.datetime) -> None:
    asker = meta.get("asker")
    meta["asker_display"] = (asker[0] + "**") if asker else "网友"
    meta["reply_state_label"] = "已答复" if meta.get("replied") else "办理中"
    if meta.get("replied") and meta["replied"] < meta["received"]:
        return [("replied", f"{meta['replied']} is before received {meta['received']} "
                 "(答复日期 must not precede 来信日期)")]
    return None


def apply(type_name: str, meta: dict[str, Any], now: dt.datetime) -> list[Problem]:
    """Add the computed values for one item; return problems between its fields."""
    return (DERIVE[type_name](meta, now) or []) if type_name in DERIVE else []
