"""``soviets db ...`` and ``soviets ledger ...``: the database and the common ledger."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from soviets.cli.app import app, console, print_json
from soviets.errors import SovietsError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# SQLAlchemy and the ledger are imported inside the functions that use them,
# so that starting ``soviets`` (``--help``, ``version``) stays quick.

db_app = typer.Typer(help="Set up and migrate the council database.", no_args_is_help=True)
ledger_app = typer.Typer(help="The common inventory, needs, plans and agreements.",
                         no_args_is_help=True)  # fmt: skip
app.add_typer(db_app, name="db")
app.add_typer(ledger_app, name="ledger")

DB_HELP = "Database URL (default: $SOVIETS_DB or a SQLite file in your data folder)."


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def ledger_session(url: str | None) -> Iterator[Session]:
    """A transaction on a database that is at the newest schema."""
    from soviets.ledger import migrate
    from soviets.ledger.db import default_url, make_engine, session_factory, transaction

    url = url or default_url()
    migrate.require_current(url)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def council_id(session: Session, name: str) -> int:
    """The id of the council called ``name``."""
    from sqlalchemy import select

    from soviets.ledger.errors import NotFound
    from soviets.ledger.models import Council

    found = session.scalar(select(Council.id).where(Council.name == name))
    if found is None:
        raise NotFound(f"no council named '{name}'")
    return found


@db_app.command("upgrade")
def db_upgrade(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Create the database or migrate it to the newest schema."""
    from soviets.ledger import migrate
    from soviets.ledger.db import default_url

    url = db or default_url()
    revision = migrate.upgrade(url)
    console.print(
        f"database {escape(shown(url))} is at revision {revision}", highlight=False, soft_wrap=True
    )


@ledger_app.command("verify")
def ledger_verify(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    head: str | None = typer.Option(
        None, "--head", help="A head you kept (SEQ:HASH or HASH, from 'soviets ledger head')."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check the hash chain and replay it against the tables; exit code 1 when anything was
    tampered with."""
    from soviets.ledger import chain

    if head is not None:
        try:
            chain.parse_kept_head(head)
        except ValueError as exc:
            raise SovietsError(f"--head: {exc}") from None
    with ledger_session(db) as session:
        report = chain.verify(session, kept_head=head)
    if as_json:
        print_json(report.to_dict())
    elif report.ok:
        kept = " (contains the head you kept)" if head else ""
        console.print(
            f"ledger intact: {report.events} events and {report.records} records, "
            f"head {report.head_seq}:{report.head_hash}{kept}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(
            f"ledger NOT intact: {len(report.problems)} problem(s)", highlight=False, soft_wrap=True
        )
        for p in report.problems:
            where = "" if p.seq is None else f"entry {p.seq}: "
            console.print(f"- {where}[{p.kind}] {p.message}", highlight=False,
                          soft_wrap=True, markup=False)  # fmt: skip
    if not report.ok:
        raise typer.Exit(1)


@ledger_app.command("head")
def ledger_head(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the head as JSON."),
) -> None:
    """Print the chain's head (SEQ:HASH): keep it, and check later with 'verify --head'."""
    from soviets.ledger import chain

    with ledger_session(db) as session:
        seq, digest = chain.head(session)
    if as_json:
        print_json({"seq": seq, "hash": digest, "head": f"{seq}:{digest}"})
    else:
        console.print(f"{seq}:{digest}", highlight=False, soft_wrap=True)


@ledger_app.command("economy")
def ledger_economy(
    period: str = typer.Argument(..., help="The planning period, e.g. 2030."),
    out: Path = typer.Argument(..., help="Folder to write the economy's CSV tables to."),
    federation: str | None = typer.Option(
        None, "--federation", help="Only this federation and the councils below it."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Write the period's economy (approved needs only) as an economy folder of CSV tables."""
    from soviets.formats import write_economy_folder
    from soviets.ledger.economy import build_economy

    with ledger_session(db) as session:
        fed = council_id(session, federation) if federation else None
        economy = build_economy(session, period, fed)
    folder = write_economy_folder(economy, out)
    console.print(
        f"wrote {escape(str(folder))}: {economy.n_goods} goods, {len(economy.councils)} councils, "
        f"{economy.n_processes} processes, {economy.n_needs} needs",
        highlight=False,
        soft_wrap=True,
    )


@ledger_app.command("progress")
def ledger_progress(
    period: str = typer.Argument(..., help="The planning period, e.g. 2030."),
    today: str | None = typer.Option(None, "--today", help="Judge lateness on this day."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """Agreements of a period: delivered against agreed, and what is late."""
    from soviets.ledger import agreements

    day = _date(today) if today else None
    with ledger_session(db) as session:
        rows = agreements.progress(session, period, today=day)
    if as_json:
        print_json({"period": period, "agreements": [r.to_dict() for r in rows]})
        return
    table = Table(title=f"Agreements of {escape(period)}")
    for column in ("#", "supplier", "receiver", "good", "agreed", "delivered", "status", "late"):
        table.add_column(
            column, justify="right" if column in ("#", "agreed", "delivered") else "left"
        )
    for r in rows:
        table.add_row(
            str(r.agreement_id), escape(r.supplier), escape(r.receiver),
            escape(f"{r.good} ({r.unit})" if r.unit else r.good), f"{r.agreed:,.4g}",
            f"{r.delivered:,.4g}", r.status, "[red]late[/red]" if r.late else "",
        )  # fmt: skip
    console.print(table)
    late = sum(r.late for r in rows)
    console.print(f"{len(rows)} agreements, {late} late", highlight=False, soft_wrap=True)


@ledger_app.command("inventory")
def ledger_inventory(
    council: str | None = typer.Option(None, "--council", help="Only this council's resources."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the resources as JSON."),
) -> None:
    """Resources held in common, by council."""
    from sqlalchemy import select

    from soviets.ledger import inventory
    from soviets.ledger.models import Council

    with ledger_session(db) as session:
        cid = council_id(session, council) if council else None
        names = dict(session.execute(select(Council.id, Council.name)).all())
        rows: list[dict[str, Any]] = [
            {"id": r.id, "council": names[r.holder_council_id], "name": r.name, "kind": r.kind,
             "quantity": r.quantity, "unit": r.unit}
            for r in inventory.holdings(session, cid)
        ]  # fmt: skip
    if as_json:
        print_json({"resources": rows})
        return
    table = Table(title="Inventory")
    for column in ("#", "council", "resource", "kind", "quantity"):
        table.add_column(column, justify="right" if column in ("#", "quantity") else "left")
    for r in rows:
        table.add_row(
            str(r["id"]), escape(r["council"]), escape(r["name"]), r["kind"],
            escape(f"{r['quantity']:,.4g} {r['unit']}".strip()),
        )  # fmt: skip
    console.print(table)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SovietsError(f"--today must be a date like 2030-12-31, got '{text}'") from None
