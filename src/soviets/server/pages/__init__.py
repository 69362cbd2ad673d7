"""Routers of the server-rendered pages (plain forms; they work without JavaScript)."""

from fastapi import APIRouter

from soviets.server.pages import (
    accounts,
    assemblies,
    bookings,
    briefing,
    councils,
    discussion,
    docs,
    frontier,
    home,
    inventory,
    needs,
    plans,
    proposals,
    rounds,
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
    discussion.router,
    needs.router,
    plans.router,
    frontier.router,
    rounds.router,
    inventory.router,
    bookings.router,
    assemblies.router,
    briefing.router,
]
