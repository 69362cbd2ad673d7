"""Bounds of a federation decision, and the local values member councils adapt within them.

A federation proposal to be ratified may declare, per named field, what a
member council may choose for itself (``bounds`` in its payload):

* a range of numbers: ``{"min": 0.8, "max": 1.2, "unit": "share of the plan"}``;
* a range of dates: ``{"from": "2031-01-01", "to": "2031-03-31"}``;
* a list of allowed variants: ``{"choices": ["organic", "conventional"]}``.

A council's ``adapt_decision`` vote names values for some of these fields;
:func:`check_value` refuses a value outside its field's bounds with a message
that says the bounds. These functions only check shapes and values; the
database is not read.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from soviets.governance.errors import InputError

FIELD = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
QUANTITY_SHARE = "quantity_share"
"""The field an ``adopt_plan`` decision's executor reads: the share of the planned
quantities a council receives under the plan's supply agreements (1 = as planned)."""
Bounds = dict[str, dict[str, Any]]


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"needs a number, got {value!r}", field=where)
    return float(value)


def _date(value: Any, where: str) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InputError(f"needs a date such as 2031-01-31, got {value!r}", field=where) from None


def _one(name: str, spec: Any, kind: str) -> dict[str, Any]:
    where = f"payload.bounds.{name}"
    if not FIELD.match(name):
        raise InputError(
            "a bounded field's name is 1 to 50 lower-case letters, digits or _", field=where
        )
    if not isinstance(spec, dict):
        raise InputError('bounds are an object such as {"min": 0.8, "max": 1.2}', field=where)
    keys = set(spec)
    if keys in ({"min", "max"}, {"min", "max", "unit"}):
        low, high = _number(spec["min"], f"{where}.min"), _number(spec["max"], f"{where}.max")
        if low > high:
            raise InputError(f"min {low:g} is above max {high:g}", field=where)
        out: dict[str, Any] = {"min": low, "max": high}
        if "unit" in spec:
            out["unit"] = str(spec["unit"]).strip()[:50]
        if name == QUANTITY_SHARE and (kind != "adopt_plan" or low <= 0):
            raise InputError(
                "quantity_share bounds an adopt_plan decision, with min > 0", field=where
            )
        return out
    if keys == {"from", "to"}:
        first, last = _date(spec["from"], f"{where}.from"), _date(spec["to"], f"{where}.to")
        if first > last:
            raise InputError(f"from {first} is after to {last}", field=where)
        return {"from": first, "to": last}
    if keys == {"choices"}:
        choices = spec["choices"]
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) and c.strip() for c in choices)
        ):
            raise InputError("choices is a list of one or more names", field=f"{where}.choices")
        names = [c.strip() for c in choices]
        if len(set(names)) != len(names):
            raise InputError("a choice is listed twice", field=f"{where}.choices")
        return {"choices": names}
    raise InputError(
        'bounds are a range {"min", "max"} (with an optional "unit"), a date range '
        '{"from", "to"} or a list {"choices"}',
        field=where,
    )


def check_bounds(kind: str, raw: Any) -> Bounds:
    """The normalised bounds of a decision of ``kind`` (:class:`InputError` naming the field)."""
    if not isinstance(raw, dict) or not raw:
        raise InputError("bounds name one or more fields", field="payload.bounds")
    return {name: _one(name, raw[name], kind) for name in sorted(raw)}


def check_value(name: str, spec: dict[str, Any], value: Any) -> Any:
    """``value`` for the bounded field ``name``, normalised; refused outside the bounds."""
    where = f"payload.values.{name}"
    if "min" in spec:
        number = _number(value, where)
        if not spec["min"] <= number <= spec["max"]:
            raise InputError(
                f"{number:g} is outside the federation's bounds for {name}: {describe_spec(spec)}",
                field=where,
            )
        return number
    if "from" in spec:
        day = _date(value, where)
        if not spec["from"] <= day <= spec["to"]:
            raise InputError(
                f"{day} is outside the federation's bounds for {name}: {describe_spec(spec)}",
                field=where,
            )
        return day
    if value not in spec["choices"]:
        raise InputError(f"{value!r} is not allowed for {name}: {describe_spec(spec)}", field=where)
    return value


def describe_spec(spec: dict[str, Any]) -> str:
    """The bounds in plain words, with their unit."""
    if "min" in spec:
        unit = f" {spec['unit']}" if spec.get("unit") else ""
        return f"from {spec['min']:g} to {spec['max']:g}{unit}"
    if "from" in spec:
        return f"a date from {spec['from']} to {spec['to']}"
    return "one of " + ", ".join(spec["choices"])
