"""ORM models of the ledger. Importing this package registers every table on ``Base``."""

from soviets.ledger.models.assemblies import AgendaItem, Assembly, Attendance, Minutes
from soviets.ledger.models.auth import (
    ApiToken,
    Invitation,
    PasswordReset,
    ResetRequest,
    SignInAttempt,
    SignInLink,
    WebSession,
)
from soviets.ledger.models.bookings import Booking
from soviets.ledger.models.governance import (
    Ballot,
    BallotMark,
    CouncilRule,
    Delegate,
    Elector,
    Mandate,
    Proposal,
    ProposalOption,
    SecretBallot,
    SecretMark,
    Voted,
)
from soviets.ledger.models.inventory import LedgerEvent, LedgerHead, LedgerRecord, Resource
from soviets.ledger.models.people import Council, CouncilLink, Membership, Person
from soviets.ledger.models.planning import (
    Agreement,
    AgreementAcceptance,
    Good,
    Need,
    Period,
    PlanRecord,
    Process,
    ProcessFlow,
)

__all__ = [
    "AgendaItem",
    "Assembly",
    "Attendance",
    "Minutes",
    "Agreement",
    "AgreementAcceptance",
    "ApiToken",
    "Ballot",
    "BallotMark",
    "Booking",
    "Council",
    "CouncilLink",
    "CouncilRule",
    "Delegate",
    "Elector",
    "Good",
    "Invitation",
    "LedgerEvent",
    "LedgerHead",
    "LedgerRecord",
    "Mandate",
    "Membership",
    "Need",
    "PasswordReset",
    "Period",
    "Person",
    "PlanRecord",
    "Process",
    "ProcessFlow",
    "Proposal",
    "ProposalOption",
    "ResetRequest",
    "SignInLink",
    "Resource",
    "SecretBallot",
    "SecretMark",
    "SignInAttempt",
    "Voted",
    "WebSession",
]
from soviets.ledger import records as _records  # noqa: E402, F401  (chains tracked rows)
