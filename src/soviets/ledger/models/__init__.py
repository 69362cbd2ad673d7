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
from soviets.ledger.models.briefing import (
    DecisionSeen,
    DigestSent,
    FeedToken,
    MailChoice,
    Notice,
)
from soviets.ledger.models.discussion import Comment, CommentVersion
from soviets.ledger.models.governance import (
    Adaptation,
    Amendment,
    Ballot,
    BallotMark,
    CouncilRule,
    Delegate,
    Elector,
    Mandate,
    Proposal,
    ProposalOption,
    Ratification,
    RatificationSeat,
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
from soviets.ledger.models.rounds import AgreementRefusal, ProductionRecord, ProtocolMessage

__all__ = [
    "AgreementRefusal",
    "ProductionRecord",
    "ProtocolMessage",
    "AgendaItem",
    "Assembly",
    "Attendance",
    "Minutes",
    "Adaptation",
    "Agreement",
    "Amendment",
    "AgreementAcceptance",
    "ApiToken",
    "Ballot",
    "BallotMark",
    "Booking",
    "Comment",
    "CommentVersion",
    "Council",
    "DecisionSeen",
    "DigestSent",
    "FeedToken",
    "MailChoice",
    "Notice",
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
    "Ratification",
    "RatificationSeat",
    "ResetRequest",
    "SignInLink",
    "Resource",
    "SecretBallot",
    "SecretMark",
    "SignInAttempt",
    "Voted",
    "WebSession",
]
from soviets.ledger import kept as _kept  # noqa: E402, F401  (councils and people stay loaded)
from soviets.ledger import records as _records  # noqa: E402, F401  (chains tracked rows)
