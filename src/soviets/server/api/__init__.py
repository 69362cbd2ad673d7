"""Routers of the JSON API, one per resource (all mounted under ``/api``)."""

from fastapi import APIRouter

from soviets.server.api import (
    accounts,
    agreements,
    assemblies,
    ballots,
    bookings,
    councils,
    delegates,
    founding,
    inventory,
    members,
    memberships,
    needs,
    plans,
    processes,
    proposals,
    signin_links,
    tokens,
)

ROUTERS: list[APIRouter] = [
    tokens.router,
    signin_links.router,
    accounts.router,
    members.router,
    councils.router,
    memberships.router,
    founding.router,
    delegates.router,
    proposals.router,
    ballots.router,
    inventory.router,
    needs.router,
    processes.router,
    plans.router,
    agreements.router,
    bookings.router,
    assemblies.router,
]
