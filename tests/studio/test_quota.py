"""The monthly quota holds under concurrent requests of one user, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest

from reelforge.studio.db import usage, users
from reelforge.studio.errors import QuotaExceededError
from reelforge.studio.plans import PlanLimits
from reelforge.studio.submit import check_quota

TINY = PlanLimits("tiny", max_short_side=480, max_seconds=4, concurrency=1, monthly_seconds=3)
PERIOD = "2026-12"


def charge(conn, user: str, video: str, seconds: float) -> None:
    check_quota(conn, user, TINY, PERIOD, seconds)
    conn.execute(
        usage.insert().values(
            video_id=video, user_id=user, period=PERIOD, seconds=seconds, created_at=time.time()
        )
    )


def test_a_request_that_checks_while_another_is_charging_sees_its_charge(db):
    """One request has checked and written its usage but not committed; a second request
    of the same user checks meanwhile. It must wait and then see the first one's charge:
    before the lock it read the month's sum as 0 and both 2 s videos got through a 3 s plan."""
    with db.begin() as conn:
        conn.execute(users.insert().values(id="u1", name="u1", plan="tiny", created_at=0.0))
    checked, errors = threading.Event(), []

    def first():
        try:
            with db.begin() as conn:
                charge(conn, "u1", "video_a", 2)
                checked.set()
                time.sleep(0.5)  # still inside the transaction
        except Exception as e:  # reported by the assertion below
            errors.append(e)
            checked.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert checked.wait(10)
    with (
        pytest.raises(QuotaExceededError, match=r"\(2 used; this request needs 2\)"),
        db.begin() as conn,
    ):
        charge(conn, "u1", "video_b", 2)
    thread.join()
    assert not errors
    with db.begin() as conn:
        charge(conn, "u1", "video_c", 1)  # what is left of the month still fits
