"""Account pages: invitations (make, revoke, take up), applying to join, the account page
(change password, sign out everywhere) and resetting a forgotten password by e-mail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response

from soviets.errors import SovietsError
from soviets.governance import accounts, councils, founding, preferences
from soviets.governance.credentials import MIN_PASSWORD_LENGTH
from soviets.server import links, queries
from soviets.server.api.common import PathId
from soviets.server.deps import (
    SESSION_COOKIE,
    Db,
    FormActor,
    PageActor,
    PageSession,
    page_actor,
)
from soviets.server.pages.signin import (
    EXPIRED_FORM,
    form_is_ours,
    mail_link_form,
    signed_in_redirect,
    signed_out_form,
)
from soviets.server.templating import N_, Msg, render

router = APIRouter()
Text = Annotated[str, Form(max_length=1000)]
Token = Annotated[str, Form(max_length=200)]


# --- a council's invitations ---------------------------------------------------------------


def _invitations_page(
    request: Request, db: Db, person_id: int, council_id: int, made: dict[str, str] | None = None
) -> Response:
    council = councils.read_council(db, person_id, council_id)
    rows = accounts.list_invitations(db, person_id, council_id)
    standing = accounts.invite_standing(db, person_id, council_id)
    return render(
        request,
        "invitations.html",
        {
            "title": Msg("Invitations to %(council)s", council=council.name),
            "council": council,
            "invitations": [(i, accounts.invitation_state(i)) for i in rows],
            "names": queries.names(db, [i.created_by for i in rows]),
            "may_invite": standing.may_invite,
            "why_not": standing.why_not,
            "by_vote": standing.by_vote,
            "is_coordinator": standing.coordinator,
            "viewer_id": person_id,
            "made": made,
            "lifetime_days": accounts.INVITATION_LIFETIME.days,
        },
        status=201 if made else 200,
    )


@router.get("/councils/{council_id}/invitations")
def invitations_page(council_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """The council's invitations, and the form to make one (for those the rules allow)."""
    return _invitations_page(request, db, found[1].id, council_id)


@router.post("/councils/{council_id}/invitations")
def invite(council_id: PathId, request: Request, found: FormActor, db: Db) -> Response:
    """Make an invitation; its link is shown once (and mailed when an address is given)."""
    person = found[1]
    email = str(request.state.form.get("email") or "").strip() or None
    issued = accounts.create_invitation(db, person.id, council_id, email=email)
    db.commit()  # the invitation stands whether or not the mail goes out
    url = links.invitation_link(request, issued.secret)
    made = {"url": url, "email": email or "", "error": ""}
    if email:
        made["error"] = (
            links.send_invitation(request, email, issued.council_name, person.name, url) or ""
        )
    return _invitations_page(request, db, person.id, council_id, made)


@router.post("/invitations/{invitation_id}/revoke")
def revoke(invitation_id: PathId, found: FormActor, db: Db) -> Response:
    """Revoke an open invitation (its maker or a coordinator)."""
    invitation = accounts.revoke_invitation(db, found[1].id, invitation_id)
    return RedirectResponse(
        f"/councils/{invitation.council_id}/invitations?notice=invitation-revoked", status_code=303
    )


@router.post("/councils/{council_id}/apply")
def apply(council_id: PathId, found: FormActor, db: Db) -> Response:
    """Apply to join a council that admits by vote: its members vote on your admission."""
    made = accounts.apply_for_membership(db, found[1].id, council_id)
    return RedirectResponse(f"/proposals/{made.id}?notice=applied", status_code=303)


# --- taking up an invitation ---------------------------------------------------------------


def _signup_form(
    request: Request, db: Db, token: str, status: int = 200, error: str = "", **values: str
) -> Response:
    view = accounts.view_invitation(db, token, None)
    context = {
        "title": Msg("Join %(council)s", council=view.council.name),
        "council": view.council,
        "inviter": view.inviter,
        "token": token,
        "error": error,
        "name": values.get("name", ""),
        "email": values.get("email", view.invitation.email or ""),
        "min_length": MIN_PASSWORD_LENGTH,
        "by_vote": view.by_vote,
    }
    return signed_out_form(request, "invitation.html", context, status)


@router.get("/invite/{token}")
def invitation_page(token: str, request: Request, found: PageSession, db: Db) -> Response:
    """Signed out: the sign-up form. Signed in: accept or decline. A used, expired or revoked
    link gets a page that says so."""
    if found is None:
        return _signup_form(request, db, token)
    page_actor(request, found, db)  # the page header shows who is signed in
    view = accounts.view_invitation(db, token, found[1].id)
    return render(
        request,
        "invitation.html",
        {
            "title": Msg("Join %(council)s", council=view.council.name),
            "council": view.council,
            "inviter": view.inviter,
            "token": token,
            "member": view.member,
            "by_vote": view.by_vote,
        },
    )


@router.post("/invite/{token}/signup")
def sign_up(
    token: str,
    request: Request,
    db: Db,
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=320)],
    password: Text,
    csrf_token: Token = "",
) -> Response:
    """Open an account through the invitation, accept it (see :func:`accept`) and sign in."""
    if not form_is_ours(request, csrf_token):
        return _signup_form(request, db, token, 403, EXPIRED_FORM, name=name, email=email)
    try:
        person, made = accounts.sign_up(db, token, name=name, email=email, password=password)
    except SovietsError as exc:
        db.rollback()
        return _signup_form(request, db, token, 422, str(exc), name=name, email=email)
    return signed_in_redirect(request, db, person, _after_joining(db, person.id, made))


@router.post("/invite/{token}/accept")
def accept(token: str, found: FormActor, db: Db) -> Response:
    """Accept the invitation: the council votes on your admission (rule ``vote``), or you are
    a member at once (rule ``member`` or ``coordinator``)."""
    made = accounts.accept_invitation(db, found[1].id, token)
    return RedirectResponse(_after_joining(db, found[1].id, made), status_code=303)


def _after_joining(db: Db, person_id: int, made: accounts.Joining) -> str:
    """Where an accepted invitation leads: the council, the admission vote where the invitee
    may read it (a public council), else the start page saying a vote follows."""
    if made.membership is not None:
        return f"/councils/{made.council_id}?notice=joined"
    assert made.proposal is not None
    if accounts.may_read_council(db, person_id, made.council_id):
        return f"/proposals/{made.proposal.id}?notice=admission-open"
    return "/?notice=admission-open"


@router.post("/invite/{token}/decline")
def decline(token: str, found: FormActor, db: Db) -> Response:
    """Decline the invitation; the link stops working."""
    accounts.decline_invitation(db, found[1].id, token)
    return RedirectResponse("/?notice=invitation-declined", status_code=303)


# --- the account page ----------------------------------------------------------------------


@router.get("/account")
def account_page(request: Request, found: PageActor, db: Db) -> Response:
    """Your founding invitations to confirm; change your password; sign out everywhere."""
    return render(request, "account.html", _account_context(db, found[1].id, found[1].email))


def _account_context(
    db: Db, person_id: int, email: str | None, **more: object
) -> dict[str, object]:
    return {
        "title": N_("Your account"),
        "email": email,
        "min_length": MIN_PASSWORD_LENGTH,
        "founding": founding.pending(db, person_id),
        "prefs": preferences.read_preferences(db, person_id),
        "zones": sorted(preferences.known_time_zones()),
        **more,
    }


@router.post("/account/preferences")
def set_preferences(request: Request, found: FormActor, db: Db) -> Response:
    """Save your page language and time zone."""
    form = request.state.form
    zone = str(form.get("time_zone") or "").strip()
    try:
        preferences.set_preferences(
            db, found[1].id, language=str(form.get("language") or ""), time_zone=zone
        )
    except SovietsError as exc:
        db.rollback()
        error: object = str(exc)
        if getattr(exc, "field", None) == "time_zone":
            error = Msg(
                "Unknown time zone %(zone)s: give an IANA name such as Europe/Madrid.", zone=zone
            )
        context = _account_context(db, found[1].id, found[1].email, error=error)
        return render(request, "account.html", context, 422)
    return RedirectResponse("/account?notice=preferences-saved", status_code=303)


@router.post("/account/founding/{council_id}/{answer}")
def answer_founding(
    council_id: PathId, answer: Literal["confirm", "decline"], found: FormActor, db: Db
) -> Response:
    """Confirm (you become a member) or decline a founding invitation."""
    if answer == "confirm":
        founding.confirm(db, found[1].id, council_id)
        return RedirectResponse(f"/councils/{council_id}", status_code=303)
    founding.decline(db, found[1].id, council_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password")
def change_password(request: Request, found: FormActor, db: Db) -> Response:
    """Set a new password; every other session and every API token ends."""
    form = request.state.form
    try:
        accounts.change_password(
            db,
            found[1].id,
            old_password=str(form.get("old_password") or ""),
            new_password=str(form.get("new_password") or ""),
            keep_session=found[0].id,
        )
    except SovietsError as exc:
        db.rollback()
        context = _account_context(db, found[1].id, found[1].email, error=str(exc))
        return render(request, "account.html", context, 422)
    return RedirectResponse("/account?notice=password-changed", status_code=303)


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere(found: FormActor, db: Db) -> Response:
    """End all your web sessions (this one too) and revoke all your API tokens."""
    accounts.sign_out_everywhere(db, found[1].id)
    response = RedirectResponse("/signin?notice=signed-out-everywhere", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- forgotten password --------------------------------------------------------------------


def _reset_request_form(
    request: Request, status: int = 200, error: str = "", sent: str | Msg = ""
) -> Response:
    context = {"title": N_("Forgotten password"), "error": error, "sent": sent}
    return signed_out_form(request, "reset_request.html", context, status)


@router.get("/reset")
def reset_request_page(request: Request) -> Response:
    """Ask for a link to set a new password."""
    return _reset_request_form(request)


@router.post("/reset")
def request_reset(
    request: Request,
    db: Db,
    later: BackgroundTasks,
    email: Annotated[str, Form(max_length=320)],
    csrf_token: Token = "",
) -> Response:
    """Mail a reset link if the address has an account; the answer is the same either way
    (the mail goes out after the answer, so its timing tells nothing either)."""
    return mail_link_form(
        request,
        db,
        later,
        email,
        csrf_token,
        form=_reset_request_form,
        mailing=(accounts.request_password_reset, links.send_reset),
        sent=Msg(links.RESET_TEXT, minutes=links.RESET_MINUTES),
    )


def _reset_form(
    request: Request, db: Db, token: str, status: int = 200, error: str = ""
) -> Response:
    accounts.open_reset(db, token)
    context = {
        "title": N_("Set a new password"),
        "token": token,
        "error": error,
        "min_length": MIN_PASSWORD_LENGTH,
    }
    return signed_out_form(request, "reset.html", context, status)


@router.get("/reset/{token}")
def reset_page(token: str, request: Request, db: Db) -> Response:
    """The form to set a new password (a used or expired link gets a page that says so)."""
    return _reset_form(request, db, token)


@router.post("/reset/{token}")
def reset(
    token: str,
    request: Request,
    db: Db,
    new_password: Text,
    csrf_token: Token = "",
) -> Response:
    """Set the new password; every session and token of the account ends."""
    if not form_is_ours(request, csrf_token):
        return _reset_form(request, db, token, 403, EXPIRED_FORM)
    try:
        accounts.reset_password(db, token, new_password)
    except SovietsError as exc:
        db.rollback()
        return _reset_form(request, db, token, 422, str(exc))
    return RedirectResponse("/signin?notice=password-reset", status_code=303)
