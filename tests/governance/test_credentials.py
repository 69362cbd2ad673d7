"""Password hashes: argon2id at the standard cost unless `$SOVIETS_PASSWORD_HASHING` is light."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from soviets.governance import credentials


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The hasher chosen anew from the environment, and the suite's one again afterwards."""
    credentials._hasher.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    credentials._hasher.cache_clear()


def test_standard_is_the_default_and_rehashes_light_hashes(setting: pytest.MonkeyPatch) -> None:
    setting.setenv(credentials.HASHING_ENV, "light")
    light = credentials.hash_password("correct horse")
    assert light.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    setting.delenv(credentials.HASHING_ENV)
    credentials._hasher.cache_clear()
    standard = credentials.hash_password("correct horse")
    assert standard.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106 low-memory
    assert credentials.verify_password(standard, "correct horse")
    assert credentials.verify_password(light, "correct horse")  # a hash keeps its parameters
    assert not credentials.verify_password(standard, "wrong horse")
    assert credentials.needs_rehash(light) and not credentials.needs_rehash(standard)


def test_an_unknown_setting_is_refused(setting: pytest.MonkeyPatch) -> None:
    setting.setenv(credentials.HASHING_ENV, "fast")
    with pytest.raises(ValueError, match=r"\$SOVIETS_PASSWORD_HASHING must be standard or light"):
        credentials.hash_password("correct horse")
