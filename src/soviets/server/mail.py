"""E-mail through SMTP: the settings, and sending one plain-text message.

Settings come from a TOML file named by ``$SOVIETS_CONFIG`` (table ``[smtp]``)
and from environment variables, which win:

========================  ===========  ==========================================
variable                  file key     meaning
========================  ===========  ==========================================
``SOVIETS_SMTP_HOST``     ``host``     SMTP server; unset: the service sends no mail
``SOVIETS_SMTP_PORT``     ``port``     port (default 587 with STARTTLS, else 25)
``SOVIETS_SMTP_FROM``     ``from``     sender address (default ``soviets@<host>``)
``SOVIETS_SMTP_USER``     ``user``     user name for SMTP AUTH (optional)
``SOVIETS_SMTP_PASSWORD`` ``password`` its password (optional)
``SOVIETS_SMTP_STARTTLS`` ``starttls`` ``true`` (default) or ``false``
``SOVIETS_PUBLIC_URL``    ``public_url`` the site's address for links in mails
                                       (default: the address the request came to)
========================  ===========  ==========================================
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from soviets.errors import InputError

log = logging.getLogger("soviets.server.mail")

ENV_CONFIG = "SOVIETS_CONFIG"
TIMEOUT_S = 20
_KEYS = ("host", "port", "from", "user", "password", "starttls", "public_url")


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send mail; ``host`` None means mail is switched off."""

    host: str | None = None
    port: int = 587
    sender: str = ""
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    public_url: str | None = None

    @property
    def enabled(self) -> bool:
        """Whether a mail server is configured."""
        return bool(self.host)


def _bool(text: object, where: str, field: str) -> bool:
    if isinstance(text, bool):
        return text
    value = str(text).strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise InputError(f"must be true or false, got {text!r}", file=where, field=field)


def load_settings(environ: Mapping[str, str] | None = None) -> MailSettings:
    """The mail settings from ``$SOVIETS_CONFIG``'s ``[smtp]`` table and the environment."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    where = "environment"
    path = env.get(ENV_CONFIG)
    if path:
        where = path
        try:
            table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("smtp", {})
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", file=path) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"not valid TOML: {exc}", file=path) from None
        if not isinstance(table, dict):
            raise InputError("[smtp] must be a table", file=path, field="smtp")
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise InputError(
                f"unknown key (known: {', '.join(_KEYS)})", file=path, field=unknown[0]
            )
        raw.update(table)
    for key in _KEYS:
        name = "SOVIETS_PUBLIC_URL" if key == "public_url" else f"SOVIETS_SMTP_{key.upper()}"
        if env.get(name):
            raw[key], where = env[name], name
    host = str(raw["host"]) if raw.get("host") else None
    starttls = _bool(raw.get("starttls", True), where, "starttls")
    port_text = raw.get("port", 587 if starttls else 25)
    try:
        port = int(str(port_text))
    except ValueError:
        raise InputError(
            f"must be a port number, got {port_text!r}", file=where, field="port"
        ) from None
    if not 0 < port < 65536:
        raise InputError(f"must be a port number, got {port}", file=where, field="port")
    return MailSettings(
        host=host,
        port=port,
        sender=str(raw.get("from") or f"soviets@{host or 'localhost'}"),
        user=str(raw["user"]) if raw.get("user") else None,
        password=str(raw["password"]) if raw.get("password") else None,
        starttls=starttls,
        public_url=str(raw["public_url"]).rstrip("/") if raw.get("public_url") else None,
    )


def send(settings: MailSettings, to: str, subject: str, body: str) -> str | None:
    """Send one plain-text message; ``None`` when the server took it, else the reason it failed
    (also logged). Never raises for a mail failure, so the action that sends it stands."""
    if not settings.enabled:
        return "this service has no mail server configured"
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    try:
        with smtplib.SMTP(str(settings.host), settings.port, timeout=TIMEOUT_S) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning(
            "could not send mail to %s via %s:%s: %s", to, settings.host, settings.port, exc
        )
        return f"the mail server refused or could not be reached ({type(exc).__name__})"
    return None
