"""server layer of soviets: the JSON API and the pages (see docs/architecture.md).

``create_app`` is imported on first use, so that importing a small module of
this package (e.g. :mod:`soviets.server.security`) does not load the web stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soviets.server.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from soviets.server.app import create_app

        return create_app
    raise AttributeError(f"module 'soviets.server' has no attribute {name!r}")
