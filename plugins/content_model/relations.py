"""Links computed between documents: policies and their interpretations, both ways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .problems import Problems
from .reader import HELD
from .schema import VALIDITY


def _key(text: str) -> str:
    """Compare document numbers ignoring spaces and bracket look-alikes."""
    table = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "（": "〔", "）": "〕",
                           "【": "〔", "】": "〕"})
    return "".join(text.split()).translate(table)


def resolver(policies: list[Any]) -> Callable[[str], tuple[Any, str]]:
    """Find a policy by its doc_no or slug: (policy, "") or (None, why it matches none)."""
    by_doc_no = {d.doc_no: d for d in policies}
    by_slug = {d.slug: d for d in policies}
    by_loose = {_key(d.doc_no): d for d in policies}
    held = {m.get("doc_no"): path for path, m in HELD.items() if m.get("type") == "policy"}
    held.update({m.get("slug"): path for path, m in HELD.items() if m.get("type") == "policy"})

    def find(ref: str) -> tuple[Any, str]:
        policy = by_doc_no.get(ref) or by_slug.get(ref)
        if policy is not None:
            return policy, ""
        loose = by_loose.get(_key(ref))
        if ref in held:
            return None, "is not published yet (draft, review or embargo)"
        if loose is not None:
            return None, f"matches no policy; did you mean '{loose.doc_no}' with 〔〕?"
        return None, "matches no policy in this site (use a policy's doc_no or slug)"

    return find


# Types whose `interprets` makes them a policy's interpretation: an interview is one in the form 访谈.
INTERPRETING = ("interpretation", "interview")


def link_interpretations(docs: list[Any], problems: Problems) -> None:
    """Set policy.interpretations and interpretation.policies; report dangling references."""
    policies = [d for d in docs if d.type == "policy"]
    find = resolver(policies)
    for policy in policies:
        policy.interpretations = []
    for doc in docs:
        if doc.type not in INTERPRETING:
            continue
        doc.policies = []
        for ref in getattr(doc, "interprets", None) or []:
            policy, why = find(ref)
            if policy is None:
                problems.error(doc.source_path, "interprets", f"'{ref}' {why} (解读文件)")
                continue
            if policy not in doc.policies:
                doc.policies.append(policy)
                policy.interpretations.append(doc)
    for policy in policies:
        policy.interpretations.sort(key=lambda d: (d.date, d.source_path))


# field -> (Chinese label, attribute on the older policy, attribute on the newer)
LIFECYCLE = {"amends": ("修改文件", "amended_by", "amended_docs"),
             "repeals": ("废止文件", "repealed_by", "repealed_docs")}


def link_lifecycle(policies: list[Any], problems: Problems) -> None:
    """Link policies that amend or repeal others both ways, and let the older one's validity follow.

    A policy repealed by a published one becomes 已废止 (unless 已失效 already); one amended by a
    published one becomes 已修改 if it was 有效. Its validity_date, when not written, is the newer
    policy's 生效日期, else its publish date. A validity written by hand is otherwise kept.
    """
    find = resolver(policies)
    for policy in policies:
        for _label, older, newer in LIFECYCLE.values():
            setattr(policy, older, [])
            setattr(policy, newer, [])
    for policy in policies:
        for name, (label, older, newer) in LIFECYCLE.items():
            for ref in getattr(policy, name, None) or []:
                target, why = find(ref)
                if target is policy:
                    target, why = None, "is this policy itself"
                if target is None:
                    problems.error(policy.source_path, name, f"'{ref}' {why} ({label})")
                elif target not in getattr(policy, newer):
                    getattr(policy, newer).append(target)
                    getattr(target, older).append(policy)
    for policy in policies:
        for _label, older, newer in LIFECYCLE.values():  # oldest first, whatever order they were read in
            getattr(policy, older).sort(key=lambda d: (d.date, d.source_path))
            getattr(policy, newer).sort(key=lambda d: (d.date, d.source_path))
        by = policy.repealed_by or (policy.amended_by if policy.validity == "effective" else [])
        if not by or policy.validity == "expired":
            continue
        _set(policy, "validity", "repealed" if policy.repealed_by else "amended")
        _set(policy, "validity_label", VALIDITY[policy.validity])
        _set(policy, "is_current", False)
        if not getattr(policy, "validity_date", None):
            _set(policy, "validity_date", getattr(by[0], "effective_date", None) or by[0].date.date())


def _set(doc: Any, name: str, value: Any) -> None:
    setattr(doc, name, value)
    doc.metadata[name] = value


def link_topics(docs: list[Any], column_order: list[str]) -> None:
    """Give each topic its documents (those whose keywords include a word it collects, published by its last
    day), grouped by column in the site's column order, newest first; and each such document its topics."""
    topics = [d for d in docs if d.type == "topic"]
    for doc in docs:
        doc.topics = []
    order = {column: n for n, column in enumerate(column_order)}
    for topic in topics:
        words = set(topic.collects)
        ends = getattr(topic, "ends", None)  # what came after a topic ended is no part of it
        members = [d for d in docs if d.type != "topic" and d.in_default_lang == topic.in_default_lang
                   and words & set(getattr(d, "keywords", None) or []) and (ends is None or d.date.date() <= ends)]
        members.sort(key=lambda d: (d.date, d.url), reverse=True)
        groups: dict[str, list[Any]] = {}
        for member in members:
            groups.setdefault(getattr(member, "column", "") or "", []).append(member)
            member.topics.append(topic)
        topic.members = members
        topic.member_groups = sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))
