"""Mail settings from the environment and a TOML file; sending to a real SMTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.live import free_port
from server.smtp import smtp_server
from soviets.errors import InputError
from soviets.server.mail import MailSettings, load_settings, send


def test_no_host_means_no_mail() -> None:
    settings = load_settings({})
    assert settings.enabled is False
    assert send(settings, "a@example.org", "s", "b") == "this service has no mail server configured"


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "soviets.toml"
    config.write_text(
        '[smtp]\nhost = "mail.example.org"\nport = 2525\nfrom = "council@example.org"\n'
        'starttls = false\npublic_url = "https://councils.example.org/"\n'
    )
    from_file = load_settings({"SOVIETS_CONFIG": str(config)})
    assert from_file == MailSettings(
        host="mail.example.org",
        port=2525,
        sender="council@example.org",
        starttls=False,
        public_url="https://councils.example.org",
    )
    both = load_settings(
        {"SOVIETS_CONFIG": str(config), "SOVIETS_SMTP_PORT": "587", "SOVIETS_SMTP_USER": "ann",
         "SOVIETS_SMTP_PASSWORD": "pw", "SOVIETS_SMTP_STARTTLS": "true"}
    )  # fmt: skip
    assert (both.port, both.user, both.password, both.starttls) == (587, "ann", "pw", True)
    assert load_settings({"SOVIETS_SMTP_HOST": "h"}).port == 587  # STARTTLS by default
    assert load_settings({"SOVIETS_SMTP_HOST": "h", "SOVIETS_SMTP_STARTTLS": "no"}).port == 25


@pytest.mark.parametrize(
    ("env", "file_text", "message"),
    [
        ({"SOVIETS_SMTP_PORT": "smtp"}, None, "SOVIETS_SMTP_PORT, field 'port': must be a port"),
        ({"SOVIETS_SMTP_PORT": "70000"}, None, "field 'port': must be a port number, got 70000"),
        ({"SOVIETS_SMTP_STARTTLS": "maybe"}, None, "field 'starttls': must be true or false"),
        ({}, '[smtp]\nhots = "x"\n', "field 'hots': unknown key"),
        ({}, "[smtp\n", "not valid TOML"),
    ],
)
def test_bad_settings_name_the_place(
    tmp_path: Path, env: dict[str, str], file_text: str | None, message: str
) -> None:
    if file_text is not None:
        config = tmp_path / "soviets.toml"
        config.write_text(file_text)
        env = {**env, "SOVIETS_CONFIG": str(config)}
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        load_settings(env)


def test_send_reaches_the_server_or_says_why_not() -> None:
    with smtp_server() as (inbox, settings):
        assert send(settings, "ann@example.org", "Hello", "Body text\n") is None
        message = inbox.wait_for("ann@example.org")
        assert message["Subject"] == "Hello" and message["From"] == settings.sender
        assert message.get_body(("plain",)).get_content().rstrip() == "Body text"
    closed = MailSettings(host="127.0.0.1", port=free_port(), starttls=False)
    assert "could not be reached" in (send(closed, "ann@example.org", "Hello", "x") or "")
