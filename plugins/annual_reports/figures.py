"""The reports' figures the repository already holds, counted from the published documents.

A year's figures count only documents public by the day its reports were (or will be) published:
a document added later does not rewrite a report already out.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gazette.workdays import day, workdays_between

GONE = ("repealed", "expired")  # no longer in force: 本年废止 counts both



def _in(year: int, value: Any) -> bool:
    return value is not None and day(value).year == year


def policy_counts(policies: list[Any], year: int) -> dict[str, list[int]]:
    """Table 二's first block: per class (规章, 行政规范性文件), [本年制发, 本年废止, 现行有效] at the year's end."""
    end = dt.date(year, 12, 31)
    counts = {"rule": [0, 0, 0], "normative": [0, 0, 0]}
    for doc in policies:
        row = counts.get(doc.doc_class)
        if row is None:
            continue
        gone_on = _gone_on(doc)
        row[0] += _in(year, doc.written_date)
        row[1] += gone_on is not None and gone_on.year == year
        row[2] += doc.written_date <= end and (gone_on is None or gone_on > end)
    return counts


def _gone_on(doc: Any) -> dt.date | None:
    """The day a repealed or expired policy stopped being in force (its validity_date, else its last update)."""
    if doc.validity not in GONE:
        return None
    return day(doc.validity_date or getattr(doc, "modified", None) or doc.date)


def _by_column(docs: list[Any], columns: list[Any]) -> list[tuple[str, int]]:
    """(column name, how many of docs it lists), in the site's column order."""
    return [(c.name, sum(getattr(d, "column", None) == c.id for d in docs)) for c in columns]


def _average(days: list[int]) -> Decimal | None:
    """Average working days to one decimal, as the form prints them; None with nothing answered."""
    return (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"), ROUND_HALF_UP) if days else None


def site_figures(docs: list[Any], columns: list[Any], year: int, *, search: bool, multilingual: bool
                 ) -> dict[str, Any]:
    """The website report's computed items (schema.WEBSITE_FORM, `computed=True`) and the per-column counts.

    docs are the site's documents in its own language; whether it has pages in others is `multilingual`.
    """
    published = [d for d in docs if _in(year, d.date)]
    by_type: dict[str, list[Any]] = {}
    for doc in published:
        by_type.setdefault(doc.type, []).append(doc)

    def count(*types: str) -> int:
        return sum(len(by_type.get(t, [])) for t in types)

    interpretations = [d for d in published if d.type == "interpretation"
                       or (d.type == "interview" and getattr(d, "interprets", None))]
    forms = {form: sum(d.form == form for d in interpretations) for form in ("text", "graphic", "video", "interview")}
    replies = [d for d in docs if d.type == "reply"]
    answered = [d for d in replies if _in(year, getattr(d, "replied", None))]
    days = [workdays_between(d.received, d.replied) for d in answered]
    consultations = [d for d in docs if d.type == "consultation" and _in(year, d.opens)]
    topics = [d for d in docs if d.type == "topic" and day(d.date).year <= year
              and (getattr(d, "ends", None) is None or d.ends.year >= year)]
    return {
        "posts": len(published),
        "posts_overview": count("page", "org", "leader"),
        "posts_news": count("news", "notice"),
        "posts_disclosure": count("policy", "interpretation"),
        "interpretations": len(interpretations),
        "interpretation_materials": forms["text"],
        "interpretation_products": forms["graphic"] + forms["video"] + forms["interview"],
        "messages": sum(_in(year, d.received) for d in replies),
        "messages_done": len(answered),
        "messages_days": _average(days),
        "messages_public": count("reply"),
        "surveys": len(consultations),
        "survey_results": sum(bool(getattr(d, "outcome", None)) for d in consultations),
        "topics": len(topics),
        "topics_new": sum(_in(year, d.date) for d in topics),
        "interviews": sum(d.type == "interview" and _in(year, d.interview_time) for d in docs),
        "search_service": search,
        "multilingual": multilingual,
        # Beyond the form: what each column published, and interpretations by form.
        "by_column": _by_column(published, columns),
        "by_form": forms,
    }
