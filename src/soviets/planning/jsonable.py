"""Numbers for JSON, which has no infinity and no NaN.

Two helpers, two meanings: :func:`json_number` turns one float (or None) into
a JSON number or ``null``; :func:`json_safe` does the same for every float
inside nested dicts, lists and tuples.
"""

from __future__ import annotations

import math
from typing import Any


def json_number(x: float | None) -> float | None:
    """``x`` as a plain float, or None when it is missing, infinite or NaN.

    >>> json_number(1.5), json_number(float("inf")), json_number(None)
    (1.5, None, None)
    """
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def json_safe(data: Any) -> Any:
    """``data`` with every non-finite float, however deep, as None.

    >>> json_safe({"a": [1.0, float("nan")], "b": (float("-inf"), "x")})
    {'a': [1.0, None], 'b': [None, 'x']}
    """
    if isinstance(data, float):
        return json_number(data)
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(v) for v in data]
    return data
