"""Routers of the server-rendered pages (plain forms; they work without JavaScript)."""

from fastapi import APIRouter

from soviets.server.pages import (
    bookings,
    councils,
    home,
    inventory,
    needs,
    plans,
    proposals,
    signin,
)

ROUTERS: list[APIRouter] = [
    signin.router,
    home.router,
    councils.router,
    proposals.router,
    needs.router,
    plans.router,
    inventory.router,
    bookings.router,
]
