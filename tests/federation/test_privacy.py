"""No council can read another's private data: only messages cross, as bytes."""

from __future__ import annotations

import struct
import types

import numpy as np

from soviets.economy import Economy
from soviets.federation import plan_federated
from soviets.federation import runtime as rt
from soviets.federation.agents import Agent, make_agent
from soviets.federation.directory import Papers, split_economy
from soviets.federation.messages import decode, field_names

PRIVATE_FIELDS = ("labour", "flows", "inputs", "members", "hours_available", "recipe")


def _reachable(root: object) -> list[object]:
    """Objects reachable from ``root`` through containers, instances and closures
    (modules, classes and function globals are shared code, not data)."""
    seen: set[int] = set()
    out: list[object] = []
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (types.ModuleType, type)):
            continue
        seen.add(id(obj))
        out.append(obj)
        if isinstance(obj, types.FunctionType):
            todo.extend(c.cell_contents for c in obj.__closure__ or ())
            todo.extend(obj.__defaults__ or ())
        elif isinstance(obj, types.MethodType):
            todo.append(obj.__self__)
            todo.append(obj.__func__)
        elif isinstance(obj, types.CellType):
            todo.append(obj.cell_contents)
        elif isinstance(obj, dict):
            todo.extend(obj.keys())
            todo.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            todo.extend(obj)
        elif isinstance(obj, np.ndarray):
            if obj.base is not None:
                todo.append(obj.base)
        elif hasattr(obj, "__dict__") or hasattr(obj, "__slots__"):
            for name in getattr(obj, "__slots__", ()):
                if hasattr(obj, name):
                    todo.append(getattr(obj, name))
            todo.extend(getattr(obj, "__dict__", {}).values())
    return out


def test_agent_offers_nothing_but_message_handling(chain):
    directory, papers = split_economy(chain)
    agent = make_agent(papers[0], directory)
    assert isinstance(agent, Agent)
    # besides its messages, it hands back only its own memory for the next period
    assert [a for a in dir(agent) if not a.startswith("_")] == ["memory", "name", "step"]
    assert not hasattr(agent, "__dict__")  # slots only: nothing can be hung on it


def test_no_agent_reaches_another_agents_papers(chain):
    directory, papers = split_economy(chain)
    agents = [make_agent(p, directory) for p in papers]
    private = {
        p.council: {id(getattr(p, f)) for f in ("labour", "in_coef", "in_good", "need_qty")}
        for p in papers
    }
    for agent, own in zip(agents, papers, strict=True):
        reach = _reachable(agent)
        ids = {id(o) for o in reach}
        assert not any(isinstance(o, Economy) for o in reach)
        for other in papers:
            if other.council == own.council:
                continue
            assert not (private[other.council] & ids), (agent.name, other.council)
            assert not any(o is other for o in reach if isinstance(o, Papers))
        assert not any(isinstance(o, Agent) and o is not agent for o in reach)


def test_only_bytes_cross_and_they_hold_no_private_data(chain, monkeypatch):
    sent: list[bytes] = []
    original = rt.ShardHost.step

    def spy(self, round_no, segments, down=()):
        segments = list(segments)
        assert all(isinstance(s, bytes) for s in segments)  # the host gets bytes only
        out, n = original(self, round_no, segments, down)
        assert all(isinstance(data, bytes) for _, data in out)
        sent.extend(data for _, data in out)
        return out, n

    monkeypatch.setattr(rt.ShardHost, "step", spy)
    fed = plan_federated(chain)
    assert fed.status == "optimal" and sent
    allowed = field_names()
    blob = b"".join(sent)
    for data in sent:
        _, _, batch = decode(data)
        for kind, cols in batch.items():
            assert set(cols) - {"from"} <= allowed, kind
    for name in PRIVATE_FIELDS:
        assert name.encode() not in blob
    # no recipe coefficient ever leaves its council, and labour per unit only ever
    # shows as the offer of a unit (all of its cost: equal to the labour when no
    # input has a price yet)
    coefs = {-q for p in chain.process_records() for q in p.flows.values() if q < 0}
    for c in chain.councils:
        assert struct.pack("<d", float(c.members or 0.5)) not in blob
        assert struct.pack("<d", float(c.hours_available or 0.5)) not in blob
    for coef in coefs:
        assert struct.pack("<d", coef) not in blob, coef
    labour = set(chain.labour.tolist())
    for data in sent:
        _, _, batch = decode(data)
        for kind, cols in batch.items():
            for name, values in cols.items():
                if (kind, name) != ("offer", "price") and values.dtype == np.float64:
                    assert not labour & set(values.tolist()), (kind, name)
