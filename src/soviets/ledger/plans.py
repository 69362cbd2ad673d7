"""Plans in the ledger: run the planner on the ledger's economy, store, adopt.

Adoption turns a plan into supply agreements. The plan says how much each
process runs, not who delivers to whom, so :func:`allocate` derives that:
each good's supply is shared among its users in proportion. For good ``g``,
let ``S[g, s]`` be what council ``s`` supplies (outputs x activity of its
processes, plus its stock of ``g`` when the economy has stocks),
``S[g] = sum_s S[g, s]``, and ``U[g, u]`` what council ``u`` uses: inputs x
activity of its processes (intermediate use by workplace councils) plus the
needs of territorial council ``u`` that the plan meets. Then ``s`` delivers to
``u``

    q[s, u, g] = U[g, u] * S[g, s] / S[g]        (s != u)

so every user gets its share from every supplier in the suppliers'
proportions, and no supplier gives more than it has (a plan never uses more
than is made and in stock: ``sum_u U[g, u] <= S[g]``). A council's use of its
own supply needs no agreement. Quantities below ``1e-9 * max(1, S[g])`` are
dropped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.economy import Economy
from soviets.ledger.economy import build_economy, held_goods
from soviets.ledger.errors import Conflict, NotAllowed, NotFound
from soviets.ledger.inventory import get_council
from soviets.ledger.models import Agreement, AgreementRefusal, Council, Good, PlanRecord
from soviets.ledger.needs import get_period
from soviets.ledger.types import utcnow
from soviets.planning.result import Plan, PlanMode

TOLERANCE = 1e-9


def supply(
    economy: Economy, activity: np.ndarray, held: sp.spmatrix | None = None
) -> sp.csr_matrix:
    """What each council has of each good in a plan (goods x councils): outputs x activity
    of its processes, plus ``held``, its stock."""
    x = sp.diags(np.asarray(activity, dtype=float))
    made = economy.outputs @ x @ _by_council(economy)
    if held is not None:
        made = made + held
    made = sp.csr_matrix(made)
    made.eliminate_zeros()
    return made


def _by_council(economy: Economy) -> sp.csr_matrix:
    n = economy.n_processes
    return sp.csr_matrix(
        (np.ones(n), (np.arange(n), economy.process_council)), shape=(n, len(economy.councils))
    )


def allocate(
    economy: Economy,
    activity: np.ndarray,
    need_met: np.ndarray,
    held: sp.spmatrix | None = None,
    invested: sp.spmatrix | None = None,
) -> list[dict[str, Any]]:
    """Supplier -> receiver deliveries that carry out a plan (see the module docstring).

    ``held`` (goods x councils) is the stock each council holds; ``invested``
    (goods x councils) what each council takes into its capital (a use, like
    inputs; multi-period plans). Returns records ``{"supplier", "receiver",
    "good", "quantity"}`` sorted by good, supplier and receiver names.
    """
    n_councils = len(economy.councils)
    made = supply(economy, activity, held)
    x = sp.diags(np.asarray(activity, dtype=float))
    used = (economy.inputs @ x @ _by_council(economy)).tocsr()
    final = sp.csr_matrix(
        (np.asarray(need_met, dtype=float), (economy.need_good, economy.need_council)),
        shape=(economy.n_goods, n_councils),
    )
    used = used + final
    if invested is not None:
        used = used + invested
    used = sp.csr_matrix(used)
    total = np.asarray(made.sum(axis=1)).ravel()
    records = []
    for g in np.flatnonzero(total > 0):
        lo, hi = made.indptr[g], made.indptr[g + 1]
        suppliers, amounts = made.indices[lo:hi], made.data[lo:hi]
        lo, hi = used.indptr[g], used.indptr[g + 1]
        users, uses = used.indices[lo:hi], used.data[lo:hi]
        quantities = np.outer(amounts / total[g], uses)
        threshold = TOLERANCE * max(1.0, total[g])
        for i, s in enumerate(suppliers):
            for k, u in enumerate(users):
                if s != u and quantities[i, k] > threshold:
                    records.append(
                        {
                            "supplier": economy.councils[s].name,
                            "receiver": economy.councils[u].name,
                            "good": economy.good_names[g],
                            "quantity": float(quantities[i, k]),
                        }
                    )
    records.sort(key=lambda r: (r["good"], r["supplier"], r["receiver"]))
    return records


def mode_of(record: PlanRecord) -> PlanMode | None:
    """The mode a stored one-period plan was made in (None: a multi-year plan, which
    has an objective instead)."""
    mode = record.result.get("mode")
    return "labour-budget" if mode == "labour-budget" else "min-labour" if mode else None


def proposed_record(
    period_id: int,
    federation_id: int,
    result: Plan,
    data: dict[str, Any],
    allocation: list[dict[str, Any]],
) -> PlanRecord:
    """A new plan record, status ``proposed``: ``result`` with its JSON form ``data`` and
    the supply ``allocation`` between councils (not yet added to a session)."""
    return PlanRecord(
        period_id=period_id,
        federation_id=federation_id,
        status="proposed",
        solver=result.solver,
        plan_status=result.status,
        objective_hours=data["objective_hours"],
        certificate=data["certificate"],
        activity=data["activity"],
        council_hours=data["council_hours"],
        result=data,
        allocation=allocation,
    )


def proposed_agreement(
    record: PlanRecord,
    item: dict[str, Any],
    councils: dict[str, int],
    goods: dict[str, int],
    share: float = 1.0,
) -> Agreement:
    """The proposed agreement of ``record`` for one item of an allocation (supplier,
    receiver and good by name, quantity), ``share`` of its quantity; ``councils`` and
    ``goods`` map names to ids."""
    return Agreement(
        plan_id=record.id,
        period_id=record.period_id,
        supplier_council_id=councils[item["supplier"]],
        receiver_council_id=councils[item["receiver"]],
        good_id=goods[item["good"]],
        quantity=item["quantity"] * share,
        status="proposed",
    )


def run_plan(session: Session, period: str, federation_id: int, **options: Any) -> PlanRecord:
    """Plan ``period`` for the federation's councils and store the plan (status proposed).

    ``options`` go to :func:`soviets.planning.plan` (e.g. ``mode``).
    """
    from soviets.planning import plan as solve

    federation = get_council(session, federation_id)
    if federation.kind != "federation":
        raise NotAllowed(f"council '{federation.name}' is not a federation")
    per = get_period(session, period)
    economy = build_economy(session, per.name, federation.id)
    result = solve(economy, **options)
    data = result.to_dict()
    feasible = result.status != "infeasible"
    held = _held_matrix(session, economy)
    allocation = allocate(economy, result.activity, result.need_met, held) if feasible else []
    record = proposed_record(per.id, federation.id, result, data, allocation)
    session.add(record)
    session.flush()
    return record


def _held_matrix(session: Session, economy: Economy) -> sp.csr_matrix:
    """The stocks of the economy's councils as a goods x councils matrix."""
    ids = dict(session.execute(select(Council.name, Council.id)).all())
    index = {ids[c.name]: k for k, c in enumerate(economy.councils)}
    goods = dict(session.execute(select(Good.id, Good.name)).all())
    rows, cols, vals = [], [], []
    for (good_id, council_id), q in held_goods(session, list(index)).items():
        rows.append(economy.good_index[goods[good_id]])
        cols.append(index[council_id])
        vals.append(q)
    shape = (economy.n_goods, len(economy.councils))
    return sp.csr_matrix((vals, (rows, cols)), shape=shape)


def get_plan(session: Session, plan_id: int) -> PlanRecord:
    """The stored plan with this id, or :class:`NotFound`."""
    record = session.get(PlanRecord, plan_id)
    if record is None:
        raise NotFound(f"no plan with id {plan_id}")
    return record


def adopt_plan(
    session: Session,
    *,
    plan_id: int,
    proposal_id: int,
    receiver_shares: dict[int, float] | None = None,
) -> list[Agreement]:
    """Adopt a stored plan (its federation's vote passed) and create its supply agreements.

    Each agreement starts ``proposed`` and needs the consent of both councils
    (:mod:`soviets.ledger.agreements`). ``receiver_shares`` (council id -> share)
    scales the planned quantities a council receives: its local adaptation of the
    federation's decision.
    """
    record = session.get(PlanRecord, plan_id, with_for_update=True)
    if record is None:
        raise NotFound(f"no plan with id {plan_id}")
    if record.status == "adopted":
        raise Conflict(f"plan {plan_id} is already adopted")
    if record.plan_status == "infeasible":
        raise Conflict(f"plan {plan_id} is infeasible and cannot be adopted")
    # one adopted plan per federation and period; a revision (the rest of the period
    # re-planned) is adopted over its adopted plan, at most one per plan
    revised = record.revises_plan_id
    if (
        revised is not None
        and session.scalar(select(PlanRecord.status).where(PlanRecord.id == revised)) != "adopted"
    ):
        raise Conflict(f"plan {plan_id} revises plan {revised}, which is not adopted")
    other = session.scalar(
        select(PlanRecord.id).where(
            PlanRecord.period_id == record.period_id,
            PlanRecord.federation_id == record.federation_id,
            PlanRecord.status == "adopted",
            PlanRecord.revises_plan_id.is_(None)
            if revised is None
            else PlanRecord.revises_plan_id == revised,
        )
    )
    if other is not None:
        what = "this federation and period" if revised is None else f"plan {revised}"
        raise Conflict(f"plan {other} is already adopted for {what}")
    if record.solver == "federated":
        return _adopt_round(session, record, proposal_id)
    record.status = "adopted"
    record.adopted_at = utcnow()
    record.proposal_id = proposal_id
    councils = dict(session.execute(select(Council.name, Council.id)).all())
    goods = dict(session.execute(select(Good.name, Good.id)).all())
    agreements = []
    for item in record.allocation:
        missing = [k for k, table in (("supplier", councils), ("receiver", councils),
                                      ("good", goods)) if item[k] not in table]  # fmt: skip
        if missing:
            raise Conflict(
                f"plan {plan_id} names {missing[0]} '{item[missing[0]]}', no longer in the ledger"
            )
        share = (receiver_shares or {}).get(councils[item["receiver"]], 1.0)
        agreement = proposed_agreement(record, item, councils, goods, share)
        session.add(agreement)
        agreements.append(agreement)
    session.flush()
    return agreements


def _adopt_round(session: Session, record: PlanRecord, proposal_id: int) -> list[Agreement]:
    """Adopt a federated round's plan: its agreements (the protocol's own, proposed to both
    councils when the round ran) stay as they are; refused while one of them is refused
    (the round must be re-planned first)."""
    refused = session.scalar(
        select(AgreementRefusal.agreement_id)
        .join(Agreement, Agreement.id == AgreementRefusal.agreement_id)
        .where(Agreement.plan_id == record.id)
    )
    if refused is not None:
        raise Conflict(
            f"agreement {refused} of plan {record.id} was refused: re-plan the round first"
        )
    record.status = "adopted"
    record.adopted_at = utcnow()
    record.proposal_id = proposal_id
    session.flush()
    return list(
        session.scalars(
            select(Agreement).where(Agreement.plan_id == record.id).order_by(Agreement.id)
        )
    )
