"""A proposal's discussion: comments and threaded replies, their versions, and hiding.

* Everyone who may read the proposal's council reads its discussion
  (:func:`soviets.governance.authz.can_read`); only its insiders take part
  (members, and for a federation its delegates and the members of its member
  councils: :func:`soviets.governance.authz.is_insider`).
* Each comment is marked as an argument ``for`` or ``against`` the proposal, a
  ``question`` or a ``note``; a reply belongs to a comment of the same proposal.
* Its author may edit it: every version is kept (``comment_versions``) and the
  page says it was edited and shows the history.
* Its author may withdraw it; others may hide it only as the council's rule
  ``discussion.hide`` says (``coordinator``, the default: a coordinator of the
  council, giving a reason; ``author``: nobody but the author; ``vote``: the
  council, by accepting a ``hide_comment`` proposal, :func:`propose_hiding`). A
  hidden comment keeps its trace: who hid it (or proposed the vote that did), the
  decision, when and why; its text is no longer shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz, rules
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.governance.execution import Payload, register_executor
from soviets.ledger.models import Comment, CommentVersion, Council, Person, Proposal
from soviets.ledger.models.discussion import STANCES

MAX_BODY = 10_000
MAX_REASON = 500


@dataclass
class CommentView:
    """A comment as shown: its text only while it is not hidden, and its replies."""

    id: int
    proposal_id: int
    parent_id: int | None
    author_id: int
    author: str
    stance: str
    body: str | None
    revision: int
    created_at: datetime
    edited_at: datetime | None
    hidden_at: datetime | None
    hidden_by: str | None
    hidden_reason: str | None
    replies: list[CommentView] = field(default_factory=list)
    hidden_by_proposal: int | None = None
    """The council's ``hide_comment`` decision that hid it (``hidden_by`` proposed it)."""

    @property
    def withdrawn(self) -> bool:
        """Hidden by its own author (not by a vote the author proposed)."""
        return (
            self.hidden_at is not None
            and self.hidden_by_proposal is None
            and self.hidden_by == self.author
        )


def _proposal(session: Session, actor_id: int | None, proposal_id: int) -> tuple[Proposal, Council]:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    return proposal, authz.require_read(session, actor_id, proposal.council_id)


def _comment(session: Session, actor_id: int | None, comment_id: int) -> tuple[Comment, Council]:
    comment = session.get(Comment, comment_id, with_for_update=True)
    if comment is None:
        raise NotFound(f"no comment #{comment_id}")
    _, council = _proposal(session, actor_id, comment.proposal_id)
    return comment, council


def _require_insider(session: Session, actor_id: int, council: Council) -> None:
    if not authz.is_insider(session, actor_id, council):
        raise Forbidden(
            f"only members of council '{council.name}' (for a federation: of its member "
            "councils) take part in its discussions"
        )


def _stance(stance: str) -> str:
    if stance not in STANCES:
        raise InputError(
            f"unknown stance {stance!r} (one of: {', '.join(STANCES)})", field="stance"
        )
    return stance


def _body(body: str) -> str:
    text = str(body or "").strip()
    if not text or len(text) > MAX_BODY:
        raise InputError(f"a comment needs a text of 1 to {MAX_BODY} characters", field="body")
    return text


def _version(comment: Comment, at: datetime) -> CommentVersion:
    """The comment as it now reads, as one version of its history."""
    return CommentVersion(
        comment_id=comment.id,
        revision=comment.revision,
        stance=comment.stance,
        body=comment.body,
        written_at=at,
    )


def add_comment(
    session: Session,
    actor_id: int,
    proposal_id: int,
    *,
    stance: str,
    body: str,
    parent_id: int | None = None,
    now: datetime | None = None,
) -> Comment:
    """Comment on a proposal (or reply to one of its comments), as one of its council's
    insiders."""
    at = authz.moment(now)
    _, council = _proposal(session, actor_id, proposal_id)
    _require_insider(session, actor_id, council)
    stance, text = _stance(stance), _body(body)
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal_id:
            raise InputError(
                f"comment #{parent_id} is not a comment on proposal #{proposal_id}",
                field="parent_id",
            )
    comment = Comment(
        proposal_id=proposal_id,
        parent_id=parent_id,
        author_id=actor_id,
        stance=stance,
        body=text,
        revision=1,
        created_at=at,
    )
    session.add(comment)
    session.flush()
    session.add(_version(comment, at))
    session.flush()
    return comment


def edit_comment(
    session: Session,
    actor_id: int,
    comment_id: int,
    *,
    body: str,
    stance: str | None = None,
    now: datetime | None = None,
) -> Comment:
    """Change one's own comment; the earlier versions stay in its history."""
    at = authz.moment(now)
    comment, council = _comment(session, actor_id, comment_id)
    if comment.author_id != actor_id:
        raise Forbidden(f"only its author may edit comment #{comment_id}")
    _require_insider(session, actor_id, council)
    if comment.hidden_at is not None:
        raise Conflict(f"comment #{comment_id} is hidden: it can no longer be edited")
    text = _body(body)
    new_stance = comment.stance if stance is None else _stance(stance)
    if text == comment.body and new_stance == comment.stance:
        return comment
    comment.body, comment.stance = text, new_stance
    comment.revision += 1
    comment.edited_at = at
    session.add(_version(comment, at))
    session.flush()
    return comment


def hide_mode(session: Session, council_id: int) -> str:
    """Who besides its author may hide a comment: ``coordinator``, ``author`` (nobody) or
    ``vote`` (the council, by a ``hide_comment`` proposal)."""
    return rules.get_rule(session, council_id, rules.HIDE) or rules.DEFAULT_TEXT[rules.HIDE]


def may_hide(session: Session, actor_id: int | None, comment: Comment, council: Council) -> bool:
    """Whether the actor may hide (or, as its author, withdraw) the comment now."""
    if actor_id is None or comment.hidden_at is not None:
        return False
    if comment.author_id == actor_id:
        return authz.is_insider(session, actor_id, council)
    if hide_mode(session, council.id) != "coordinator" or council.kind == "federation":
        return False
    membership = authz.open_membership(session, actor_id, council.id)
    return membership is not None and membership.role == "coordinator"


def hide_comment(
    session: Session,
    actor_id: int,
    comment_id: int,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> Comment:
    """Hide a comment: its author withdraws it, or a moderator the council's rules name hides
    it with a reason. Who, when and why stay visible; the text no longer is."""
    at = authz.moment(now)
    comment, council = _comment(session, actor_id, comment_id)
    if comment.hidden_at is not None:
        raise Conflict(f"comment #{comment_id} is already hidden")
    if not may_hide(session, actor_id, comment, council):
        mode = hide_mode(session, council.id)
        who = {
            "coordinator": "a coordinator",
            "vote": "only the council's vote (a hide_comment proposal) or its author",
        }.get(mode, "nobody but its author")
        raise Forbidden(
            f"by the rules of council '{council.name}' (discussion.hide = {mode}) {who} "
            f"may hide comment #{comment_id}"
        )
    why = str(reason or "").strip()
    if comment.author_id == actor_id and not why:
        why = "withdrawn by its author"
    if not why or len(why) > MAX_REASON:
        raise InputError(f"give a reason of 1 to {MAX_REASON} characters", field="reason")
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = at, actor_id, why
    session.flush()
    return comment


def propose_hiding(
    session: Session,
    actor_id: int,
    comment_id: int,
    *,
    reason: str,
    now: datetime | None = None,
) -> Proposal:
    """Draft the council's ``hide_comment`` vote on a comment (rule ``discussion.hide = vote``).

    Any voter of the comment's council may draft it (its proposer, like any draft, opens
    it); accepted, the comment is hidden with the proposer, the decision and the reason
    in its place.
    """
    from soviets.governance import proposals  # proposals imports this module (its executor)

    comment, council = _comment(session, actor_id, comment_id)
    title = f"Hide comment #{comment.id} on proposal #{comment.proposal_id}"
    return proposals.create_proposal(
        session,
        actor_id,
        council.id,
        kind="hide_comment",
        title=title,
        body=str(reason or "").strip(),
        payload={"comment_id": comment.id, "reason": str(reason or "").strip()},
        now=now,
    )


def _validate_hiding(
    session: Session, council: Council, payload: Payload, now: datetime
) -> Payload:
    """A ``hide_comment`` payload: a shown comment on one of this council's proposals, and
    the council's rule leaves hiding to its vote."""
    mode = hide_mode(session, council.id)
    if mode != "vote":
        raise Conflict(
            f"by the rules of council '{council.name}' (discussion.hide = {mode}) comments are "
            "not hidden by a vote; change the rule to 'vote' first"
        )
    comment_id = payload["comment_id"]
    comment = session.get(Comment, comment_id)
    proposal = None if comment is None else session.get(Proposal, comment.proposal_id)
    if comment is None or proposal is None or proposal.council_id != council.id:
        raise InputError(
            f"no comment #{comment_id} on a proposal of council '{council.name}'",
            field="payload.comment_id",
        )
    if comment.hidden_at is not None:
        raise Conflict(f"comment #{comment_id} is already hidden")
    reason = str(payload["reason"]).strip()
    if not reason:
        raise InputError(f"give a reason of 1 to {MAX_REASON} characters", field="payload.reason")
    return {"comment_id": comment_id, "reason": reason}


def _hide_by_vote(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    comment = session.get(Comment, payload["comment_id"])
    if comment is None or comment.hidden_at is not None:  # hidden (withdrawn) meanwhile
        return
    comment.hidden_at, comment.hidden_by = now, proposal.created_by
    comment.hidden_reason, comment.hidden_by_proposal = payload["reason"], proposal.id
    session.flush()


register_executor("hide_comment", _hide_by_vote, validate=_validate_hiding)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


def list_comments(session: Session, actor_id: int | None, proposal_id: int) -> list[CommentView]:
    """The proposal's comments as threads, oldest first, for whoever may read its council."""
    _proposal(session, actor_id, proposal_id)
    rows = list(
        session.scalars(
            select(Comment).where(Comment.proposal_id == proposal_id).order_by(Comment.id)
        )
    )
    names = _names(
        session, {c.author_id for c in rows} | {c.hidden_by for c in rows if c.hidden_by}
    )
    views: dict[int, CommentView] = {}
    roots: list[CommentView] = []
    for c in rows:
        view = CommentView(
            id=c.id,
            proposal_id=c.proposal_id,
            parent_id=c.parent_id,
            author_id=c.author_id,
            author=names[c.author_id],
            stance=c.stance,
            body=None if c.hidden_at is not None else c.body,
            revision=c.revision,
            created_at=c.created_at,
            edited_at=c.edited_at,
            hidden_at=c.hidden_at,
            hidden_by=None if c.hidden_by is None else names[c.hidden_by],
            hidden_reason=c.hidden_reason,
            hidden_by_proposal=c.hidden_by_proposal,
        )
        views[c.id] = view
        parent = views.get(c.parent_id) if c.parent_id is not None else None
        (parent.replies if parent is not None else roots).append(view)
    return roots


def arguments(threads: list[CommentView]) -> dict[str, list[CommentView]]:
    """The top-level comments by stance, for showing arguments for and against side by side."""
    return {stance: [c for c in threads if c.stance == stance] for stance in STANCES}


@dataclass(frozen=True)
class Overview:
    """A proposal's discussion as its page shows it to one person."""

    threads: list[CommentView]
    sides: dict[str, list[CommentView]]
    may_take_part: bool
    hideable: frozenset[int]
    """Comments the person may hide (or withdraw, their own) now."""
    histories: dict[int, list[CommentVersion]]
    """Every version of each edited comment still shown."""


def overview(session: Session, actor_id: int | None, proposal_id: int) -> Overview:
    """Threads, arguments by stance, and what the actor may do, for a readable proposal."""
    _, council = _proposal(session, actor_id, proposal_id)
    threads = list_comments(session, actor_id, proposal_id)
    rows = session.scalars(select(Comment).where(Comment.proposal_id == proposal_id)).all()
    hideable = frozenset(c.id for c in rows if may_hide(session, actor_id, c, council))
    edited = [c.id for c in rows if c.revision > 1 and c.hidden_at is None]
    histories: dict[int, list[CommentVersion]] = {c: [] for c in edited}
    if edited:
        versions = session.scalars(
            select(CommentVersion)
            .where(CommentVersion.comment_id.in_(edited))
            .order_by(CommentVersion.comment_id, CommentVersion.revision)
        )
        for version in versions:
            histories[version.comment_id].append(version)
    return Overview(
        threads=threads,
        sides=arguments(threads),
        may_take_part=actor_id is not None and authz.is_insider(session, actor_id, council),
        hideable=hideable,
        histories=histories,
    )


def comment_history(
    session: Session, actor_id: int | None, comment_id: int
) -> list[CommentVersion]:
    """Every version of a readable comment, first to last (none once it is hidden)."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"no comment #{comment_id}")
    _proposal(session, actor_id, comment.proposal_id)
    if comment.hidden_at is not None:
        raise Conflict(f"comment #{comment_id} is hidden: its text is no longer shown")
    return list(
        session.scalars(
            select(CommentVersion)
            .where(CommentVersion.comment_id == comment_id)
            .order_by(CommentVersion.revision)
        )
    )
