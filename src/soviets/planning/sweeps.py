"""The least-labour plan without capacities by sweeps, on the CPU or a GPU.

It applies where the fast path does (:func:`soviets.planning.fast.not_applicable`:
one good per process, nothing scarce but labour, min-labour mode) and there
are no stocks. Per unit of output (:func:`soviets.planning.constrained_oracle.layout`)
process ``p`` makes one unit of good ``g(p)`` with ``c_p`` hours and ``B_p``
of the produced goods. Every step is a sparse matrix-vector product or a
row-wise operation on the ``goods x K`` table of processes per good, written
once against an array namespace ``xp``: numpy (default), CuPy or PyTorch.

1. Labour values by value iteration ``v <- min_p (c_p + B_p . v)`` per good,
   from ``v = 0``. Hours are never negative, so the iterates only grow, and
   every iterate satisfies ``v <= T(v)``: it is dual feasible, and
   ``d . v`` is a lower bound on the hours of any plan at every sweep.
2. Quantities of the cheapest process of every good by the monotone
   iteration ``z <- d + B_chosen z`` from ``z = d``.
3. Certificate: primal ``c . x`` (hours of the plan), dual ``d . v``, and
   their relative gap. Both iterations stop when the largest change is at
   most ``tol`` times the largest entry, so the plan meets every need to
   within that relative error.
"""

from __future__ import annotations

import importlib
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.planning.constrained_oracle import layout
from soviets.planning.fast import not_applicable
from soviets.planning.result import Certificate

BACKENDS: tuple[str, ...] = ("numpy", "cupy", "torch")
SWEEP_TOL = 1e-13
MAX_SWEEPS = 20_000
_PACKAGES = {"cupy": "cupy (pip install cupy-cuda12x or cupy-cuda13x)", "torch": "torch"}


@dataclass(eq=False)
class Prepared:
    """An economy laid out for sweeps, on the host (see :func:`prepare`).

    Process index ``P`` (one past the last) stands for "no process": it
    costs ``inf``, uses nothing and fills the unused slots of ``slots``.
    """

    economy: Economy
    goods: np.ndarray  # economy index of each produced good (n)
    out: np.ndarray  # output per unit of activity, real processes
    cost: np.ndarray  # hours per unit of output, inf where a process may not run (P + 1)
    labour: np.ndarray  # hours per unit of output, 0 for "no process" (P + 1)
    good_of: np.ndarray  # produced good made by each process (P + 1)
    slots: np.ndarray  # processes of each good (n x K)
    row_base: np.ndarray  # offset of each good's row in the flattened slots (n)
    inputs: sp.csr_matrix  # produced goods used per unit of output (n x (P + 1))
    inputs_t: sp.csr_matrix  # its transpose
    demand: np.ndarray  # needs per produced good (n)
    seconds: float  # time taken to prepare it


@dataclass(eq=False)
class SweepResult:
    """The plan by sweeps: labour ``values`` per good, ``activity`` per process.

    ``seconds`` is the time of the sweeps alone on the backend's device;
    ``transfer_seconds`` that of moving the economy to it (a GPU backend
    moves ``inputs_t`` and transposes it there) and the results back (about
    0 for numpy).
    """

    values: np.ndarray
    activity: np.ndarray
    primal: float
    dual: float
    gap: float
    sweeps: int
    seconds: float
    transfer_seconds: float
    backend: str

    @property
    def certificate(self) -> Certificate:
        return Certificate(primal=self.primal, dual=self.dual)


def unavailable(backend: str) -> str | None:
    """Why ``backend`` cannot run here (a missing package or GPU), or None if it can."""
    if backend not in BACKENDS:
        return f"unknown backend '{backend}': choose one of {', '.join(BACKENDS)}"
    if backend == "numpy":
        return None
    try:
        mod = importlib.import_module(backend)
    except ImportError:
        return f"backend '{backend}' needs the package {_PACKAGES[backend]}, which is not installed"
    try:
        found = (
            mod.cuda.runtime.getDeviceCount() > 0 if backend == "cupy" else mod.cuda.is_available()
        )
    except Exception:  # noqa: BLE001 - any CUDA error means no usable GPU
        found = False
    return None if found else f"backend '{backend}' needs a CUDA GPU, and none was found"


def solve_uncapacitated(
    eco: Economy, *, backend: str = "numpy", tol: float = SWEEP_TOL
) -> SweepResult:
    """The least-labour plan of ``eco`` by sweeps on ``backend`` (module docstring).

    Raises :class:`ModelError` if the backend cannot run here (naming the
    missing package), if the economy has capacities, limits, stocks or joint
    production, or if the values do not settle (an unproductive economy).
    """
    return sweep(prepare(eco), backend=backend, tol=tol)


def prepare(eco: Economy) -> Prepared:
    """Check ``eco`` and lay it out per unit of output for :func:`sweep` (host arrays)."""
    start = time.perf_counter()
    reason = not_applicable(eco, "min-labour")
    produced = ~eco.good_primary
    stocked = np.flatnonzero(produced & (eco.stocks > 0))
    if reason is None and stocked.size:
        reason = f"good '{eco.good_names[stocked[0]]}' has a stock"
    if reason is not None:
        raise ModelError(
            f"the sweeps do not apply: {reason} (use soviets.planning.constrained.solve)"
        )
    lay = layout(eco)
    if lay.n == 0:
        raise ModelError("the sweeps need at least one produced good")
    n_proc = lay.n_proc
    none = n_proc  # the "no process" index
    cost = np.append(np.where(lay.cap > 0, lay.labour, np.inf), np.inf)
    slots = np.where(lay.slots < 0, none, lay.slots)
    usable = np.isfinite(cost[slots]).any(axis=1)
    if not usable.all():
        g = int(lay.goods[np.flatnonzero(~usable)[0]])
        raise ModelError(f"no process may make good '{eco.good_names[g]}'")
    b = lay.inputs.tocsr()
    inputs = sp.csr_matrix((b.data, b.indices, b.indptr), shape=(lay.n, n_proc + 1))
    bt = lay.inputs_t
    inputs_t = sp.csr_matrix(
        (bt.data, bt.indices, np.append(bt.indptr, bt.indptr[-1])), shape=(n_proc + 1, lay.n)
    )
    return Prepared(
        economy=eco,
        goods=lay.goods,
        out=lay.out,
        cost=cost,
        labour=np.append(lay.labour, 0.0),
        good_of=np.append(lay.good_of, 0),
        slots=slots,
        row_base=np.arange(lay.n, dtype=np.int64) * slots.shape[1],
        inputs=inputs,
        inputs_t=inputs_t,
        demand=eco.demand[lay.goods].astype(float),
        seconds=time.perf_counter() - start,
    )


def sweep(prep: Prepared, *, backend: str = "numpy", tol: float = SWEEP_TOL) -> SweepResult:
    """Values, quantities and certificate of a prepared economy on ``backend``."""
    be = array_backend(backend)
    start = time.perf_counter()
    dev = _Device(be, prep)
    be.sync()
    moved = time.perf_counter()
    v, chosen, n_values = _values(be, dev, tol)
    x, n_quantities = _quantities(be, dev, chosen, tol)
    primal, dual = be.host(be.xp.stack([(dev.labour * x).sum(), (dev.demand * v).sum()])).tolist()
    done = time.perf_counter()
    v_host, x_host = be.host(v), be.host(x)
    back = time.perf_counter() - done
    eco = prep.economy
    values = np.zeros(eco.n_goods)
    values[prep.goods] = v_host
    n_real = prep.out.size
    return SweepResult(
        values=values,
        activity=x_host[:n_real] / prep.out,
        primal=primal,
        dual=dual,
        gap=Certificate(primal=primal, dual=dual).gap,
        sweeps=n_values + n_quantities,
        seconds=done - moved,
        transfer_seconds=moved - start + back,
        backend=backend,
    )


# ----------------------------------------------------------------------- sweeps
def _values(be: _Numpy, dev: _Device, tol: float) -> tuple[Any, Any, int]:
    """Value iteration from 0: (values, chosen process per good, sweeps)."""
    v = be.zeros(dev.demand.shape[0])
    for n in range(1, MAX_SWEEPS + 1):
        slot_cost = (dev.cost + be.spmv(dev.inputs_t, v))[dev.slots]
        new = be.rowmin(slot_cost)
        settled = _settled(be, new, v, tol)
        v = new
        if settled:
            chosen = dev.slots.reshape(-1)[dev.row_base + be.rowargmin(slot_cost)]
            return v, chosen, n
    raise ModelError(
        f"the labour values did not settle in {MAX_SWEEPS} sweeps: "
        "the economy may not be productive (use soviets.planning.central.solve)"
    )


def _quantities(be: _Numpy, dev: _Device, chosen: Any, tol: float) -> tuple[Any, int]:
    """Output per process of the chosen processes, ``z = d + B_chosen z``: (output, sweeps)."""
    select = be.zeros(dev.cost.shape[0])
    select[chosen] = 1.0
    z = dev.demand
    for n in range(1, MAX_SWEEPS + 1):
        new = dev.demand + be.spmv(dev.inputs, select * z[dev.good_of])
        settled = _settled(be, new, z, tol)
        z = new
        if settled:
            return select * z[dev.good_of], n
    raise ModelError(f"the quantities did not settle in {MAX_SWEEPS} sweeps")


def _settled(be: _Numpy, new: Any, old: Any, tol: float) -> bool:
    """Largest change at most ``tol`` times the largest entry (one transfer to the host)."""
    change, scale = be.host(be.xp.stack([abs(new - old).max(), abs(new).max()])).tolist()
    return change <= tol * max(1.0, scale)


# --------------------------------------------------------------------- backends
class _Numpy:
    """The operations the sweeps need beyond arithmetic and indexing, on numpy."""

    name = "numpy"

    def __init__(self) -> None:
        self.xp: Any = np

    def put(self, a: np.ndarray) -> Any:
        return a

    def sparse(self, m: sp.csr_matrix) -> Any:
        return m

    def transposed(self, m: Any, host: sp.csr_matrix) -> Any:
        """``m`` transposed, in CSR (``host``: the same, already on the host)."""
        return host

    def host(self, a: Any) -> np.ndarray:
        return np.asarray(a)

    def zeros(self, n: int) -> Any:
        return self.xp.zeros(n)

    def spmv(self, m: Any, v: Any) -> Any:
        return m @ v

    def rowmin(self, a: Any) -> Any:
        return a.min(axis=1)

    def rowargmin(self, a: Any) -> Any:
        return a.argmin(axis=1)

    def sync(self) -> None:
        return None


class _Cupy(_Numpy):
    name = "cupy"

    def __init__(self) -> None:
        import cupy
        import cupyx.scipy.sparse

        self.xp = cupy
        self._csr = cupyx.scipy.sparse.csr_matrix

    def put(self, a: np.ndarray) -> Any:
        return self.xp.asarray(a)

    def sparse(self, m: sp.csr_matrix) -> Any:
        parts = (m.data, m.indices.astype(np.int32), m.indptr.astype(np.int32))
        out = self._csr(tuple(self.xp.asarray(p) for p in parts), shape=m.shape)
        out.has_canonical_format = m.has_canonical_format  # spares a slow check on the GPU
        return out

    def transposed(self, m: Any, host: sp.csr_matrix) -> Any:
        out = m.T.tocsr()
        out.has_canonical_format = True  # the conversion sorts the indices
        return out

    def host(self, a: Any) -> np.ndarray:
        return self.xp.asnumpy(a)

    def sync(self) -> None:
        self.xp.cuda.Device().synchronize()


class _Torch(_Numpy):
    name = "torch"

    def __init__(self) -> None:
        import torch

        self.xp = torch
        self._dev = torch.device("cuda")

    def put(self, a: np.ndarray) -> Any:
        return self.xp.as_tensor(a, device=self._dev)

    def sparse(self, m: sp.csr_matrix) -> Any:
        t = self.xp
        crow, col = (
            t.as_tensor(p.astype(np.int32), device=self._dev) for p in (m.indptr, m.indices)
        )
        val = t.as_tensor(m.data, device=self._dev)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Sparse CSR tensor support is in beta")
            warnings.filterwarnings("ignore", "Sparse invariant checks")
            return t.sparse_csr_tensor(crow, col, val, size=m.shape, check_invariants=False)

    def transposed(self, m: Any, host: sp.csr_matrix) -> Any:
        return m.t().to_sparse_csr()

    def host(self, a: Any) -> np.ndarray:
        return a.cpu().numpy()

    def zeros(self, n: int) -> Any:
        return self.xp.zeros(n, dtype=self.xp.float64, device=self._dev)

    def rowmin(self, a: Any) -> Any:
        return a.amin(dim=1)

    def rowargmin(self, a: Any) -> Any:
        return a.argmin(dim=1)

    def sync(self) -> None:
        self.xp.cuda.synchronize()


def array_backend(name: str) -> _Numpy:
    """The array operations of backend ``name``; ModelError if it cannot run here."""
    why = unavailable(name)
    if why is not None:
        raise ModelError(why)
    return {"numpy": _Numpy, "cupy": _Cupy, "torch": _Torch}[name]()


class _Device:
    """The arrays of a :class:`Prepared` economy on a backend's device."""

    def __init__(self, be: _Numpy, prep: Prepared) -> None:
        self.cost = be.put(prep.cost)
        self.labour = be.put(prep.labour)
        self.good_of = be.put(prep.good_of)
        self.slots = be.put(prep.slots)
        self.row_base = be.put(prep.row_base)
        self.demand = be.put(prep.demand)
        self.inputs_t = be.sparse(prep.inputs_t)
        self.inputs = be.transposed(self.inputs_t, prep.inputs)
