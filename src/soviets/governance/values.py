"""The one place for what a number, a name, a text or a time may be in any input.

The JSON API's bodies (``server/schemas.py``), proposal payloads
(``governance/effects.py``) and the page forms (through :func:`form_quantity`
and :func:`form_text`) use these, so the same value is refused the same way
everywhere, on every database:

- numbers are strict: ``true`` is not 1 and ``"5"`` is not 5; they are finite;
- a quantity is exactly 0 or between :data:`MIN_QUANTITY` and
  :data:`MAX_QUANTITY` in magnitude (no ``1e-320``, no ``2**63``);
- text has no control characters (no NUL: PostgreSQL cannot store it); a
  one-line name has no line breaks or tabs either; lengths are bounded;
- a time is an ISO 8601 string (not a number of seconds) between the years
  :data:`FIRST_YEAR` and :data:`LAST_YEAR`.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

from soviets.governance.errors import InputError

MAX_QUANTITY = 1e12
"""The largest quantity (or amount of hours) the service accepts."""
MIN_QUANTITY = 1e-9
"""The smallest non-zero magnitude of a quantity: anything smaller is a mistake."""
FIRST_YEAR = 2000
LAST_YEAR = 2200
ALLOWED_IN_TEXT = "\n\r\t"
"""The only control characters a multi-line text may hold."""


def _refuse(kind: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, context)


def quantity_problem(value: float, *, signed: bool = False, zero: bool = True) -> str | None:
    """What is wrong with ``value`` as a quantity, or ``None`` when nothing is."""
    if not math.isfinite(value):
        return "must be a finite number"
    if value < 0 and not signed:
        return "must not be negative"
    if value == 0:
        return None if zero else "must be more than 0"
    if abs(value) < MIN_QUANTITY:
        return f"must be 0 or at least {MIN_QUANTITY:g} in size"
    if abs(value) > MAX_QUANTITY:
        return f"must be at most {MAX_QUANTITY:g}"
    return None


def _checker(*, signed: bool, zero: bool) -> Callable[[float], float]:
    def check(value: float) -> float:
        problem = quantity_problem(value, signed=signed, zero=zero)
        if problem:
            raise _refuse("quantity", "{problem}", problem=problem)
        return value

    return check


Quantity = Annotated[
    float,
    Strict(),
    Field(
        allow_inf_nan=False,
        json_schema_extra={"exclusiveMinimum": 0, "maximum": MAX_QUANTITY},
    ),
    AfterValidator(_checker(signed=False, zero=False)),
]
"""A positive quantity: more than 0, at least MIN_QUANTITY, at most MAX_QUANTITY."""
Amount = Annotated[
    float,
    Strict(),
    Field(allow_inf_nan=False, json_schema_extra={"minimum": 0, "maximum": MAX_QUANTITY}),
    AfterValidator(_checker(signed=False, zero=True)),
]
"""A quantity that may also be exactly 0 (hours, capacities, stock events)."""
Flow = Annotated[
    float,
    Strict(),
    Field(
        allow_inf_nan=False,
        json_schema_extra={"minimum": -MAX_QUANTITY, "maximum": MAX_QUANTITY},
    ),
    AfterValidator(_checker(signed=True, zero=True)),
]
"""A signed quantity (a process flow: + made, - used)."""
Share = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
"""A fraction from 0 to 1 (quorum, floor)."""
Flag = Annotated[bool, Strict()]
"""``true`` or ``false``, nothing else."""


def text_problem(value: str, *, one_line: bool) -> str | None:
    """What is wrong with ``value`` as text, or ``None``: control characters are refused."""
    for char in value:
        if unicodedata.category(char) == "Cc" and (one_line or char not in ALLOWED_IN_TEXT):
            return f"must not contain the control character U+{ord(char):04X}"
    return None


def _line(value: str) -> str:
    problem = text_problem(value, one_line=True)
    if problem:
        raise _refuse("text", "{problem}", problem=problem)
    return value


Name = Annotated[str, Strict(), Field(min_length=1, max_length=200), AfterValidator(_line)]
"""A name: one line, 1 to 200 characters, no control characters."""


def _not_a_number(value: object) -> object:
    if isinstance(value, (int, float)):
        raise _refuse("when", "must be an ISO 8601 date and time, not a number")
    return value


def _in_years(value: Any) -> Any:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise _refuse(
            "when",
            "must be between the years {first} and {last}",
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return value


When = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_in_years)]
"""A date and time as ISO 8601 text (no zone: UTC), between FIRST_YEAR and LAST_YEAR."""
Day = Annotated[date, BeforeValidator(_not_a_number), AfterValidator(_in_years)]
"""A day as ISO 8601 text (``2027-01-31``), between FIRST_YEAR and LAST_YEAR."""


def form_quantity(text: str, field: str, *, signed: bool = False, zero: bool = True) -> float:
    """A quantity typed into a page form, under the rules of :func:`quantity_problem`;
    else an :class:`InputError` naming ``field``."""
    try:
        value = float(text.strip())
    except ValueError:
        raise InputError(f"must be a number, got '{text[:50]}'", field=field) from None
    problem = quantity_problem(value, signed=signed, zero=zero)
    if problem:
        raise InputError(f"{problem}, got '{text[:50]}'", field=field)
    return value


def form_text(value: str, field: str, *, one_line: bool = True) -> str:
    """A text typed into a page form if it has no forbidden control characters; else an
    :class:`InputError` naming ``field``."""
    problem = text_problem(value, one_line=one_line)
    if problem:
        raise InputError(problem, field=field)
    return value
