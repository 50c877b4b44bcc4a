"""Links computed between documents: policies and their interpretations, both ways."""

from __future__ import annotations

from typing import Any

from .problems import Problems
from .reader import HELD


def _key(text: str) -> str:
    """Compare document numbers ignoring spaces and bracket look-alikes."""
    table = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "（": "〔", "）": "〕",
                           "【": "〔", "】": "〕"})
    return "".join(text.split()).translate(table)


def link_interpretations(docs: list[Any], problems: Problems) -> None:
    """Set policy.interpretations and interpretation.policies; report dangling references."""
    policies = [d for d in docs if d.type == "policy"]
    by_doc_no = {d.doc_no: d for d in policies}
    by_slug = {d.slug: d for d in policies}
    by_loose = {_key(d.doc_no): d for d in policies}
    held = {m.get("doc_no"): path for path, m in HELD.items() if m.get("type") == "policy"}
    held.update({m.get("slug"): path for path, m in HELD.items() if m.get("type") == "policy"})
    for policy in policies:
        policy.interpretations = []
    for doc in docs:
        if doc.type != "interpretation":
            continue
        doc.policies = []
        for ref in doc.interprets:
            policy = by_doc_no.get(ref) or by_slug.get(ref)
            if policy is None:
                loose = by_loose.get(_key(ref))
                if ref in held:
                    why = "is not published yet (draft, review or embargo)"
                elif loose is not None:
                    why = f"matches no policy; did you mean '{loose.doc_no}' with 〔〕?"
                else:
                    why = "matches no policy in this site (use a policy's doc_no or slug)"
                problems.error(doc.source_path, "interprets", f"'{ref}' {why} (解读文件)")
                continue
            if policy not in doc.policies:
                doc.policies.append(policy)
                policy.interpretations.append(doc)
    for policy in policies:
        policy.interpretations.sort(key=lambda d: (d.date, d.source_path))
