"""``soviets demo``: found a small federation and run it through a whole planning period.

Everything goes through the same services as real use: councils and votes
through :mod:`soviets.governance`, the inventory, plan and agreements through
:mod:`soviets.ledger`. The economy is the worked example
``examples/two-regions`` when it can be found (or any economy given with
``--example``), else a small built-in valley. Each territorial council gets
three residents and each workplace council one worker (who also lives in a
region); all demo members have the password ``demo``. The whole demo is one
transaction: if a step fails nothing is left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

import soviets
from soviets.cli.app import app, console, print_json
from soviets.cli.ledger import DB_HELP, shown
from soviets.errors import SovietsError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from soviets.economy import Economy
    from soviets.ledger.models import Agreement

# The economy model, SQLAlchemy, the ledger and the governance services are
# imported inside the functions that use them, so that starting ``soviets``
# (``--help``, ``version``) stays quick.

DEMO_PASSWORD = "demo"
NAMES = tuple(
    [
        "Rosa",
        "Nestor",
        "Alexandra",
        "Emiliano",
        "Louise",
        "Buenaventura",
        "Clara",
        "Errico",
        "Lucy",
        "Voltairine",
        "Peter",
        "Sylvia",
        "Joe",
        "Ida",
        "Mikhail",
        "Emma",
        "Antonio",
        "Federica",
        "Ricardo",
        "Teresa",
        "Gustav",
        "Mercedes",
        "Pavel",
        "Lola",
    ]
)


def builtin_economy() -> Economy:
    """A valley of one village, a farm, a mill-bakery and a wood-workshop."""
    from soviets.economy import Council, Economy, Good, Need, Process

    return Economy.from_records(
        goods=[
            Good("grain", "t"),
            Good("bread", "t"),
            Good("furniture", "piece"),
            Good("land", "ha", "primary", 40.0),
        ],
        councils=[
            Council("valley", "federation"),
            Council("village", "territorial", "valley"),
            Council("farm", "workplace", "village"),
            Council("bakery", "workplace", "village"),
            Council("workshop", "workplace", "village"),
        ],
        processes=[
            Process("grow", "farm", 20.0, {"grain": 1.0, "land": -0.5}, capacity=60.0),
            Process("bake", "bakery", 30.0, {"bread": 1.0, "grain": -0.8}),
            Process("build", "workshop", 6.0, {"furniture": 1.0}),
        ],
        needs=[Need("village", "bread", 50.0), Need("village", "furniture", 80.0, "normal")],
        name="built-in valley",
    )


def find_example() -> Path | None:
    """``examples/two-regions`` here or in the source checkout soviets runs from."""
    for root in (Path.cwd(), Path(soviets.__file__).resolve().parents[2]):
        folder = root / "examples" / "two-regions"
        if (folder / "goods.csv").is_file():
            return folder
    return None


@dataclass
class DemoResult:
    """What the demo made (ids and figures), for the summary and for tests."""

    url: str
    economy: str
    period: str
    federation: str
    people: list[dict[str, Any]] = field(default_factory=list)
    needs_approved: int = 0
    delegates: int = 0
    plan_id: int = 0
    objective_hours: float | None = None
    agreements: int = 0
    accepted: int = 0
    federation_vote: dict[str, Any] = field(default_factory=dict)
    delivery: dict[str, Any] = field(default_factory=dict)
    booking: dict[str, Any] = field(default_factory=dict)
    events: int = 0
    head_hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, password=DEMO_PASSWORD)


class _Demo:
    """The demo's steps on one session; ``say`` reports each step."""

    def __init__(
        self, s: Session, eco: Economy, homes: dict[str, str | None], say: Callable[[str], None]
    ) -> None:
        from soviets.server.security import hash_password

        self.s, self.eco, self.homes, self.say = s, eco, homes, say
        self.ids: dict[str, int] = {}
        self.members: dict[str, list[int]] = {}  # council -> people, first is its coordinator
        self.names: dict[int, str] = {}
        # One argon2 hash for every demo account: they all share the published password,
        # and hashing it once keeps the demo quick (argon2 is slow on purpose).
        self.password_hash = hash_password(DEMO_PASSWORD)

    # -- people and councils ------------------------------------------------------------------
    def person(self, home: list[str]) -> int:
        from soviets.ledger.models import Person

        n = len(self.names)
        name = NAMES[n % len(NAMES)] + ("" if n < len(NAMES) else f" {n // len(NAMES) + 1}")
        p = Person(
            name=name,
            email=f"{name.lower().replace(' ', '')}@demo.example",
            password_hash=self.password_hash,
        )
        self.s.add(p)
        self.s.flush()
        self.names[p.id] = name
        for council in home:
            self.members.setdefault(council, []).append(p.id)
        return p.id

    def found(self, federation: str) -> None:
        from soviets.governance import councils, founding

        eco = self.eco
        regions = [c.name for c in eco.councils if c.kind == "territorial"]
        if not regions:
            raise SovietsError("the demo economy needs at least one territorial council")
        for region in regions:
            for _ in range(3):
                self.person([region])
        for c in eco.councils:
            if c.kind == "workplace":
                home = self.homes.get(c.name)
                home = home if home in regions else regions[0]
                self.person([c.name, home])
        organiser = self.members[regions[0]][0]
        self.say(
            f"{len(self.names)} people: three residents of each territorial council and one "
            f"worker for each workplace council (password '{DEMO_PASSWORD}')"
        )
        founders = [c for c in eco.councils if c.kind != "federation"]
        for c in founders:
            row = councils.create_council(self.s, organiser, name=c.name, kind=c.kind)
            row.hours_available = c.hours_available
            row.declared_members = c.members
            self.ids[c.name] = row.id
            for k, person in enumerate(self.members[c.name]):
                if person != organiser:
                    role = "coordinator" if k == 0 else "member"
                    founding.invite_founder(self.s, organiser, row.id, person, role=role)
                    founding.confirm(self.s, person, row.id)  # each confirms
        for c in founders:  # each council's own vote lets its coordinator bring it in
            voters = [organiser, *(m for m in self.members[c.name] if m != organiser)]
            self.vote(c.name, voters, "change_rules", "Found the federation",
                      {"rules": {"federation.join": "coordinator"}})  # fmt: skip
        fed = councils.create_federation(
            self.s,
            organiser,
            name=federation,
            member_council_ids=[self.ids[c.name] for c in founders],
        )
        self.ids[federation] = fed.id
        for c in founders:  # each workplace enters its region (its parent in the example)
            place = self.homes.get(c.name)
            if c.kind == "workplace" and place in regions:
                self.place(c.name, place, organiser)
        for c in founders:
            if organiser not in self.members[c.name]:
                councils.leave_council(self.s, organiser, self.ids[c.name])
        self.say(
            f"{self.names[organiser]} founded {len(founders)} councils and the federation "
            f"'{federation}' of all of them, then left the councils she does not work or live in"
        )

    def place(self, council: str, region: str, organiser: int) -> None:
        """The region's vote admits the council, the council's own vote takes the admission."""
        voters = {
            name: [organiser, *(m for m in self.members[name] if m != organiser)]
            for name in (council, region)
        }
        admitted = self.vote(region, voters[region], "admit_to_region", f"Admit {council}",
                             {"council_id": self.ids[council]})  # fmt: skip
        joined = self.vote(council, voters[council], "join_region", f"Join {region}",
                           {"admission_id": admitted.id})  # fmt: skip
        if joined.outcome != "accepted":
            raise SovietsError(f"'{council}' could not join the region '{region}': {joined.result}")

    # -- votes ------------------------------------------------------------------------------------
    def vote(
        self,
        council: str,
        voters: list[int],
        kind: str,
        title: str,
        payload: dict[str, Any],
        no: int = 0,
    ) -> Any:
        from soviets.governance import ballots, proposals

        proposer = voters[0]
        p = proposals.create_proposal(
            self.s, proposer, self.ids[council], kind=kind, title=title, payload=payload
        )
        proposals.open_proposal(self.s, proposer, p.id)
        for k, voter in enumerate(voters):
            ballots.cast_ballot(self.s, voter, p.id, "no" if k >= len(voters) - no else "yes")
        return proposals.close_and_count(self.s, proposer, p.id)


def run_demo(url: str, example: Path | None, say: Callable[[str], None]) -> DemoResult:
    """Run the whole demo on the database at ``url`` (migrated first; it must hold no councils)."""
    from sqlalchemy import func, select

    from soviets.economy import Council, Economy
    from soviets.formats import load_economy
    from soviets.ledger import migrate
    from soviets.ledger.db import make_engine, session_factory, transaction
    from soviets.ledger.models import Council as CouncilRow

    revision = migrate.upgrade(url)
    say(f"database {shown(url)} at revision {revision}")
    example = example or find_example()
    eco = load_economy(example) if example else builtin_economy()
    feds = [c.name for c in eco.councils if c.kind == "federation"]
    federation = feds[0] if feds else "federation"
    eco_councils = [c for c in eco.councils if c.kind != "federation"]
    homes = {c.name: c.parent for c in eco_councils}
    eco = Economy.from_records(
        goods=eco.goods_records(),
        councils=[Council(federation, "federation")]
        + [Council(c.name, c.kind, federation, c.members, c.hours_available) for c in eco_councils],
        processes=eco.process_records(),
        needs=eco.need_records(),
        stocks={g: float(q) for g, q in zip(eco.good_names, eco.stocks, strict=True) if q > 0},
        name=eco.name,
    )
    say(
        f"economy '{eco.name}': {eco.n_goods} goods, {len(eco.councils)} councils, "
        f"{eco.n_processes} processes, {eco.n_needs} needs"
    )
    year = datetime.now(UTC).year
    period = str(year)
    result = DemoResult(url=shown(url), economy=eco.name, period=period, federation=federation)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as s:
            if s.scalar(select(func.count()).select_from(CouncilRow)):
                raise SovietsError(
                    f"the database {shown(url)} already has councils: give the demo a fresh "
                    "--db, e.g. --db sqlite:///demo.sqlite"
                )
            _steps(_Demo(s, eco, homes, say), federation, period, year, result)
    finally:
        engine.dispose()
    return result


def _steps(d: _Demo, federation: str, period: str, year: int, result: DemoResult) -> None:
    """The demo's steps, in order, each reported with ``d.say``."""
    d.found(federation)
    regions = [c.name for c in d.eco.councils if c.kind == "territorial"]
    organiser = d.members[regions[0]][0]
    _open_ledger(d, period, year, regions, organiser)
    _approve_needs(d, period, regions, result)
    _elect_delegates(d, federation, year, result)
    rows, delegates = _adopt_plan(d, federation, period, result)
    result.federation_vote = _weighted_vote(d, federation, delegates)
    _accept_agreements(d, rows, result)
    _deliver_first(d, rows, result)
    _book_car(d, regions[0], organiser, result)
    _verify(d, result)
    _list_people(d, result)


def _open_ledger(d: _Demo, period: str, year: int, regions: list[str], organiser: int) -> None:
    """Open the planning period and record the economy's opening inventory and needs."""
    from soviets.ledger import needs
    from soviets.ledger.importer import import_economy

    needs.create_period(d.s, name=period, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31))
    made = import_economy(
        d.s,
        d.eco,
        period=period,
        councils=d.ids,
        actor_id=organiser,
        mandate="opening inventory recorded when the councils were founded",
        registrars={r: d.members[r][0] for r in regions},
    )
    held = ", ".join(f"{g} by {c}" for g, c in made.stocks.items()) or "none"
    d.say(
        f"ledger: {made.goods} goods, {made.processes} processes, {made.means_of_production} "
        f"means of production giving capacity; stocks held: {held}; "
        f"{made.needs} needs registered for {period}"
    )


def _approve_needs(d: _Demo, period: str, regions: list[str], result: DemoResult) -> None:
    """Each territorial council votes on its needs (one member votes no)."""
    from soviets.ledger import needs

    for region in regions:
        p = d.vote(
            region,
            d.members[region],
            "approve_needs",
            f"Our needs for {period}",
            {"period": period},
            no=1,
        )
        count = len(needs.needs_of(d.s, period=period, council_id=d.ids[region], status="approved"))
        result.needs_approved += count
        d.say(
            f"{region} voted on its needs (proposal #{p.id}, {len(d.members[region]) - 1} yes, "
            f"1 no): {p.outcome}, "
            f"{count} needs approved"
        )


def _elect_delegates(d: _Demo, federation: str, year: int, result: DemoResult) -> None:
    """Every member council elects its delegate with a mandate on adopting the plan."""
    term = datetime.combine(date(year, 12, 31), time(23, 59), tzinfo=UTC).isoformat()
    for c in d.eco.councils:
        if c.kind == "federation":
            continue
        stance = "yes" if c.kind == "territorial" else "free"
        voters = d.members[c.name]
        d.vote(
            c.name,
            voters,
            "elect_delegate",
            f"Our delegate to {federation}",
            {
                "person_id": voters[0],
                "federation_id": d.ids[federation],
                "term_ends_at": term,
                "mandates": [{"proposal_kind": "adopt_plan", "vote": stance}],
            },
        )
        result.delegates += 1
    d.say(
        f"each of the {result.delegates} councils elected its delegate to {federation}, with an "
        "imperative mandate on adopting the plan: 'yes' from territorial councils, "
        "'free' from workplaces"
    )


def _adopt_plan(
    d: _Demo, federation: str, period: str, result: DemoResult
) -> tuple[list[Agreement], list[int]]:
    """Run the plan and let the delegates adopt it (a vote against a mandate is refused).

    Returns the supply agreements the adopted plan proposed, and the delegates.
    """
    from sqlalchemy import select

    from soviets.governance import ballots, proposals
    from soviets.ledger import plans
    from soviets.ledger.models import Agreement

    s = d.s
    record = plans.run_plan(s, period, d.ids[federation])
    result.plan_id, result.objective_hours = record.id, record.objective_hours
    d.say(
        f"plan #{record.id} ({record.solver}, {record.plan_status}): "
        f"{record.objective_hours:,.1f} hours of work, certificate gap "
        f"{record.certificate['gap']:.2g}; {len(record.allocation)} deliveries between councils"
    )
    delegates = [d.members[c.name][0] for c in d.eco.councils if c.kind != "federation"]
    proposer = delegates[0]
    adopt = proposals.create_proposal(
        s,
        proposer,
        d.ids[federation],
        kind="adopt_plan",
        title=f"Adopt plan #{record.id}",
        payload={"plan_id": record.id},
    )
    proposals.open_proposal(s, proposer, adopt.id)
    try:
        with s.begin_nested():
            ballots.cast_ballot(s, proposer, adopt.id, "no")
    except SovietsError as refused:
        d.say(
            f"{d.names[proposer]} tried to vote 'no' against her council's mandate: "
            f"refused ({refused})"
        )
    for delegate in delegates:
        ballots.cast_ballot(s, delegate, adopt.id, "yes")
    proposals.close_and_count(s, proposer, adopt.id)
    rows = list(
        s.scalars(select(Agreement).where(Agreement.plan_id == record.id).order_by(Agreement.id))
    )
    result.agreements = len(rows)
    d.say(
        f"{federation} voted on proposal #{adopt.id} ({len(delegates)} delegates, all yes): "
        f"{adopt.outcome}; plan #{record.id} adopted, {len(rows)} supply agreements proposed"
    )
    return rows, delegates


def _accept_agreements(d: _Demo, rows: list[Agreement], result: DemoResult) -> None:
    """The parties vote to let their coordinators accept agreements, who then accept them."""
    from soviets.governance import planning_service

    names = {v: k for k, v in d.ids.items()}
    parties = sorted({c for a in rows for c in (a.supplier_council_id, a.receiver_council_id)})
    for council_id in parties:
        d.vote(names[council_id], d.members[names[council_id]], "change_rules",
               "Our coordinator accepts the plan's agreements",
               {"rules": {"agreement.accept": "coordinator"}})  # fmt: skip
    for a in rows:
        for council_id in (a.supplier_council_id, a.receiver_council_id):
            coordinator = d.members[names[council_id]][0]
            planning_service.accept_agreement(d.s, coordinator, a.id, council_id)
        result.accepted += a.status == "accepted"
    d.say(
        f"each of the {len(parties)} councils voted to let its coordinator accept the plan's "
        f"agreements; {result.accepted} of {len(rows)} accepted by both councils"
    )


def _deliver_first(d: _Demo, rows: list[Agreement], result: DemoResult) -> None:
    """A worker produces and delivers the first agreement (one to people, if any)."""
    from sqlalchemy import select

    from soviets.governance import planning_service
    from soviets.governance import stock as commons_stock
    from soviets.ledger.models import Resource

    names = {v: k for k, v in d.ids.items()}
    kinds = {c.name: c.kind for c in d.eco.councils}
    to_people = [a for a in rows if kinds[names[a.receiver_council_id]] == "territorial"]
    if not rows:
        return
    first = (to_people or rows)[0]
    s = d.s
    supplier = names[first.supplier_council_id]
    worker = d.members[supplier][0]
    stock = s.scalar(
        select(Resource).where(
            Resource.holder_council_id == first.supplier_council_id,
            Resource.good_id == first.good_id,
            Resource.kind == "consumer_good",
        )
    )
    if stock is None:
        stock = commons_stock.create_resource(
            s,
            worker,
            first.supplier_council_id,
            name=first.good.name,
            kind="consumer_good",
            unit=first.good.unit,
            good_id=first.good_id,
        )
    commons_stock.record_production(
        s, worker, stock.id, quantity=first.quantity, note=f"for agreement #{first.id}"
    )
    planning_service.deliver(s, worker, first.id, quantity=first.quantity)
    result.delivery = {
        "agreement_id": first.id,
        "supplier": supplier,
        "receiver": names[first.receiver_council_id],
        "good": first.good.name,
        "quantity": first.quantity,
        "status": first.status,
    }
    d.say(
        f"{d.names[worker]} of {supplier} produced {first.quantity:,.4g} {first.good.unit} "
        f"of {first.good.name} and delivered it to {result.delivery['receiver']}: "
        f"agreement #{first.id} {first.status}"
    )


def _book_car(d: _Demo, region: str, organiser: int, result: DemoResult) -> None:
    """The region buys a shared car and a member books it for tomorrow morning."""
    from soviets.governance import stock as commons_stock
    from soviets.ledger import bookings

    s = d.s
    car = commons_stock.create_resource(
        s, organiser, d.ids[region], name="car", kind="shared_good", unit="car"
    )
    commons_stock.record_event(
        s, organiser, car.id, action="raise", quantity=1.0, reason="car-share bought by the council"
    )
    booker = d.members[region][1]
    start = datetime.combine(date.today() + timedelta(days=1), time(9), tzinfo=UTC)
    booking = bookings.book(
        s, resource_id=car.id, person_id=booker, starts_at=start, ends_at=start + timedelta(hours=3)
    )
    result.booking = {
        "resource": "car",
        "council": region,
        "person": d.names[booker],
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
    }
    d.say(f"{d.names[booker]} booked {region}'s shared car for {start:%Y-%m-%d} 09:00-12:00 UTC")


def _verify(d: _Demo, result: DemoResult) -> None:
    """Verify the ledger's hash chain (the demo fails if it does not verify)."""
    from soviets.ledger import chain

    d.s.flush()
    report = chain.verify(d.s)
    if not report.ok:
        raise SovietsError(f"the demo ledger does not verify: {report.problems[0].message}")
    result.events, result.head_hash = report.events, report.head_hash
    d.say(f"ledger verified: {report.events} hash-chained events, head {report.head_hash[:16]}...")


def _list_people(d: _Demo, result: DemoResult) -> None:
    """The demo's people with their e-mail and councils, for signing in."""
    from soviets.ledger.models import Person

    where: dict[int, list[str]] = {}
    for council, people in d.members.items():
        for p in people:
            where.setdefault(p, []).append(council)
    for pid, name in d.names.items():
        person = d.s.get(Person, pid)
        result.people.append(
            {"name": name, "email": person.email if person else "", "councils": where.get(pid, [])}
        )


def _weighted_vote(d: _Demo, federation: str, delegates: list[int]) -> dict[str, Any]:
    """A federation vote where the workplaces' delegates say yes and the territorial councils'
    no: counted by the federation's rule (``double``: councils and members both needed)."""
    from soviets.governance import ballots, proposals

    s, eco = d.s, d.eco
    kinds = [c.kind for c in eco.councils if c.kind != "federation"]
    proposer = delegates[kinds.index("workplace")] if "workplace" in kinds else delegates[0]
    p = proposals.create_proposal(
        s,
        proposer,
        d.ids[federation],
        kind="general",
        title="Hold the federation's assemblies at the workplaces",
    )
    proposals.open_proposal(s, proposer, p.id)
    for delegate, kind in zip(delegates, kinds, strict=True):
        ballots.cast_ballot(s, delegate, p.id, "yes" if kind == "workplace" else "no")
    closed = proposals.close_and_count(s, proposer, p.id)
    result = closed.result_data or {}
    members = result.get("members") or {}
    summary = {
        "proposal_id": closed.id,
        "weighting": closed.weighting,
        "outcome": closed.outcome,
        "councils": result["tally"]["tallies"],
        "members": members.get("tally", {}).get("tallies"),
        "reason": result["reason"],
    }
    by = summary["members"] or {}
    d.say(
        f"{federation} voted on proposal #{closed.id} (workplace delegates yes, territorial "
        f"delegates no): councils {summary['councils']['yes']} yes to "
        f"{summary['councils']['no']} no; members represented {by.get('yes', 0):,} yes to "
        f"{by.get('no', 0):,} no; counted '{closed.weighting}': {closed.outcome}"
    )
    return summary


@app.command()
def demo(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    example: Path | None = typer.Option(
        None,
        "--example",
        help="Economy to found the councils from (default: examples/two-regions).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Found a small federation, vote, plan, agree, deliver and book, and show each step."""
    from soviets.ledger.db import default_url

    url = db or default_url()
    steps: list[str] = []

    def say(line: str) -> None:
        steps.append(line)
        if not as_json:
            console.print(
                f"[bold]{len(steps):>2}.[/bold] {escape(line)}", highlight=False, soft_wrap=True
            )

    result = run_demo(url, example, say)
    if as_json:
        print_json(result.to_dict() | {"steps": steps})
        return
    table = Table(title=f"Demo members (password: {DEMO_PASSWORD})")
    for column in ("name", "email", "councils"):
        table.add_column(column)
    for p in result.people:
        table.add_row(escape(p["name"]), escape(p["email"]), escape(", ".join(p["councils"])))
    console.print(table)
    console.print(
        f"next: soviets serve --db {escape(result.url)} and sign in as "
        f"{escape(result.people[0]['email'])} with password '{DEMO_PASSWORD}'",
        highlight=False,
        soft_wrap=True,
    )
