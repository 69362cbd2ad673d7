"""Routers of the server-rendered pages (plain forms; they work without JavaScript)."""

from fastapi import APIRouter

from soviets.server.pages import (
    accounts,
    assemblies,
    bookings,
    councils,
    docs,
    home,
    inventory,
    needs,
    plans,
    proposals,
    signin,
    signin_links,
)

ROUTERS: list[APIRouter] = [
    signin.router,
    signin_links.router,
    accounts.router,
    docs.router,
    home.router,
    councils.router,
    proposals.router,
    needs.router,
    plans.router,
    inventory.router,
    bookings.router,
    assemblies.router,
]
