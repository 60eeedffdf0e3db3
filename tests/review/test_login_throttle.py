"""Login throttling that cannot be turned into a lockout, counts bursts, and answers unknown
names as slowly as known ones."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from monitor.review import users as users_mod
from monitor.review.users import LoginFailed, LoginThrottled, add_user, authenticate

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users_mod, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def lan(engine):
    with engine.begin() as conn:
        add_user(conn, "lan", "lead", "mat-khau-dung")
    return engine


def attempt(engine, password: str, client: str, at: datetime) -> str:
    try:
        authenticate(engine, "lan", password, client, now=at)
    except LoginThrottled:
        return "throttled"
    except LoginFailed:
        return "failed"
    return "ok"


def test_a_guesser_locks_out_only_itself(lan) -> None:
    results = [attempt(lan, "sai", "203.0.113.1", T0 + timedelta(minutes=n)) for n in range(7)]
    assert results[:5] == ["failed"] * 5 and results[-1] == "throttled"
    assert attempt(lan, "mat-khau-dung", "203.0.113.1", T0 + timedelta(minutes=8)) == "throttled"
    assert attempt(lan, "mat-khau-dung", "198.51.100.2", T0 + timedelta(minutes=8)) == "ok"


def test_delays_grow_between_quick_failures(lan) -> None:
    def at(seconds: float) -> str:
        return attempt(lan, "sai", "203.0.113.1", T0 + timedelta(seconds=seconds))

    assert [at(0), at(1)] == ["failed", "failed"]
    assert at(2) == "throttled"  # two failures: wait 2 s after the last
    assert at(7) == "failed"  # three (the early one counts): 4 s, and 5 s have passed
    assert at(8) == "throttled"  # four: 8 s
    assert at(17) == "throttled"  # five failures in the window is the limit for this pair


def test_a_burst_in_parallel_is_counted_in_full(lan, monkeypatch) -> None:
    hashed = []
    real = users_mod._verify
    monkeypatch.setattr(users_mod, "_verify", lambda h, p: hashed.append(1) or real(h, p))
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(attempt(lan, "sai", "203.0.113.1", T0)))
        for _ in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("failed") <= users_mod.MAX_FAILURES_PER_PAIR
    assert len(hashed) <= users_mod.MAX_FAILURES_PER_PAIR  # the slow hash runs within limits


def test_unknown_names_are_checked_like_known_ones(lan, monkeypatch) -> None:
    hashed: list[str] = []
    real = users_mod._verify
    monkeypatch.setattr(users_mod, "_verify", lambda h, p: hashed.append(h) or real(h, p))
    with pytest.raises(LoginFailed):
        authenticate(lan, "khong-co-ai", "sai", "203.0.113.9", now=T0)
    with pytest.raises(LoginFailed):
        authenticate(lan, "lan", "sai", "203.0.113.9", now=T0 + timedelta(minutes=1))
    assert len(hashed) == 2 and all(h.startswith("$argon2") for h in hashed)
