"""Interactive API documentation at ``/docs``: Swagger UI served from this site's own files.

The assets come from the ``swagger-ui-bundle`` package (mounted at
``/docs/assets``) and the start-up code from ``/static/docs.js``, so the
strict Content-Security-Policy (``script-src 'self'``, no inline script) holds.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soviets.server.templating import TEMPLATES

router = APIRouter()


@router.get("/docs")
def docs(request: Request) -> Response:
    """Swagger UI pointed at ``/openapi.json``."""
    return TEMPLATES.TemplateResponse(request, "docs.html", {})
