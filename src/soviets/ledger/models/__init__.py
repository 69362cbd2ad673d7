"""ORM models of the ledger. Importing this package registers every table on ``Base``."""

from soviets.ledger.models.people import Council, CouncilLink, Membership, Person

__all__ = ["Council", "CouncilLink", "Membership", "Person"]
