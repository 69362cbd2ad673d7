"""Routers of the server-rendered pages (plain forms; they work without JavaScript)."""

from fastapi import APIRouter

from soviets.server.pages import (
    accounts,
    bookings,
    councils,
    docs,
    home,
    inventory,
    needs,
    plans,
    proposals,
    signin,
)

ROUTERS: list[APIRouter] = [
    signin.router,
    accounts.router,
    docs.router,
    home.router,
    councils.router,
    proposals.router,
    needs.router,
    plans.router,
    inventory.router,
    bookings.router,
]
