"""A council's archive: every decision and every approved minutes, paginated and searchable,
and the minutes exported as Markdown or PDF.

Search is a portable case-insensitive substring search (SQL ``LIKE`` on
lowercased text, the same on SQLite and PostgreSQL): every word of the query
must occur in a decision's title or text, or in the minutes' text or their
assembly's title. No full-text index is used: an archive holds a council's
own records, thousands of rows at most, which a scan reads in milliseconds,
and the results are the same on both databases.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from soviets.governance import authz, proposals
from soviets.governance.assemblies import view_assembly
from soviets.governance.errors import InputError, NotFound
from soviets.ledger.models import Assembly, Minutes, Proposal

PAGE_SIZE = 20
"""Rows per page of the archive."""
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
"""A Unicode font for PDF exports where one is installed (else PDF's Latin-1 Helvetica)."""


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the page number (from 1), and the total of rows."""

    rows: list[Any]
    page: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, -(-self.total // self.size))


def _words(query: str | None) -> list[str]:
    text = (query or "").strip().lower()
    if len(text) > 200:
        raise InputError("the search is longer than 200 characters", field="q")
    return text.split()


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(word: str, *columns: Any) -> ColumnElement[bool]:
    return or_(*(func.lower(c).like(_like(word), escape="\\") for c in columns))


def _page(session: Session, stmt: Select[Any], page: int) -> Page:
    if page < 1:
        raise InputError("pages are numbered from 1", field="page")
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return Page(rows, page, total)


def decisions(
    session: Session, actor_id: int | None, council_id: int, *, q: str = "", page: int = 1
) -> Page:
    """The council's closed proposals (every outcome), the latest decided first."""
    authz.require_read(session, actor_id, council_id)
    proposals.close_due(session, council_id=council_id)
    stmt = select(Proposal).where(Proposal.council_id == council_id, Proposal.status == "closed")
    words = _words(q)
    if words:
        stmt = stmt.where(and_(*(_matches(w, Proposal.title, Proposal.body) for w in words)))
    return _page(session, stmt.order_by(Proposal.closed_at.desc(), Proposal.id.desc()), page)


def minutes(
    session: Session, actor_id: int | None, council_id: int, *, q: str = "", page: int = 1
) -> Page:
    """The council's approved minutes with their assemblies, the latest assembly first."""
    authz.require_read(session, actor_id, council_id)
    stmt = (
        select(Minutes)
        .join(Assembly, Assembly.id == Minutes.assembly_id)
        .where(Minutes.council_id == council_id, Minutes.status == "approved")
    )
    words = _words(q)
    if words:
        stmt = stmt.where(and_(*(_matches(w, Minutes.text, Assembly.title) for w in words)))
    return _page(session, stmt.order_by(Assembly.starts_at.desc(), Minutes.id.desc()), page)


def _readable_minutes(session: Session, actor_id: int | None, assembly_id: int) -> Any:
    view = view_assembly(session, actor_id, assembly_id)
    if view.minutes is None:
        raise NotFound(f"assembly #{assembly_id} has no minutes")
    return view


def minutes_markdown(session: Session, actor_id: int | None, assembly_id: int) -> str:
    """The minutes of a readable assembly as a Markdown document (with who was present)."""
    view = _readable_minutes(session, actor_id, assembly_id)
    a, m = view.assembly, view.minutes
    where = ", ".join(x for x in (a.place, a.link) if x)
    status = (
        f"approved by proposal #{m.approved_by} on {m.approved_at:%Y-%m-%d %H:%M} UTC"
        if m.status == "approved"
        else "draft, not approved"
    )
    present = [p.name for p in view.attendance if p.present]
    lines = [
        f"# Minutes: {a.title}",
        "",
        f"- Council: {view.council.name}",
        f"- Date: {a.starts_at:%Y-%m-%d %H:%M} UTC",
        f"- Where: {where}",
        f"- Chair: {view.chair}; secretary: {view.secretary}",
        f"- Present ({len(present)} members): {', '.join(present) or 'nobody recorded'}",
        f"- Status: {status}",
        "",
        "## Agenda",
        "",
    ]
    for item in view.agenda:
        title = item.proposal.title if item.proposal is not None else item.item.title
        ref = f" (proposal #{item.proposal.id})" if item.proposal is not None else ""
        lines.append(f"{item.item.position}. {title}{ref}")
    lines += ["", "## Minutes", "", m.text, ""]
    return "\n".join(lines)


def minutes_pdf(session: Session, actor_id: int | None, assembly_id: int) -> bytes:
    """The minutes of a readable assembly as a PDF (the Markdown document, set in type)."""
    from fpdf import FPDF

    text = minutes_markdown(session, actor_id, assembly_id)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    font = next((p for p in FONT_PATHS if os.path.exists(p)), None)
    family = "Helvetica"
    if font is not None:
        pdf.add_font("Body", "", font)
        family = "Body"
    else:  # the core fonts have Latin-1 only
        text = text.encode("latin-1", "replace").decode("latin-1")
    pdf.add_page()
    pdf.set_title(text.splitlines()[0].lstrip("# "))
    for line in text.splitlines():
        level = len(line) - len(line.lstrip("#"))
        if 0 < level <= 3 and line[level : level + 1] == " ":
            pdf.set_font(family, size=(18, 15, 13)[level - 1])
            pdf.multi_cell(0, 9, line[level + 1 :], new_x="LMARGIN", new_y="NEXT")
        elif line.strip():
            pdf.set_font(family, size=11)
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(3)
    return bytes(pdf.output())
