"""What every API router shares: documented problem responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemOut"}}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem documents with these statuses."""
    text = {
        400: "Malformed request",
        401: "Not signed in (missing, wrong or revoked token)",
        403: "Not allowed for this person",
        404: "No such thing, or not visible to this person",
        409: "Conflicts with existing records",
        422: "Invalid input, or refused by the council's rules",
        429: "Too many attempts",
    }
    return {s: {"description": text.get(s, "Problem"), "content": _PROBLEM} for s in statuses}


STANDARD = problems(400, 401, 403, 404, 422)
"""The problems any authenticated endpoint may answer with."""
WRITE = problems(400, 401, 403, 404, 409, 422)
"""The problems an endpoint that changes something may answer with."""

PathId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A numeric id")]
"""An id in a URL path (fits a 32-bit database integer)."""
