"""Platform adapters and exactly-once posting against fake Mastodon, Bluesky and X servers on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from chimera.errors import Postponed, Refusal
from chimera.models.config import PlatformPolicy
from chimera.net.http import ApiClient, AuthRejected
from chimera.platforms.base import PostRequest, Receipt, RemotePlatform
from chimera.platforms.bluesky import Bluesky, facets
from chimera.platforms.exactly_once import ExactlyOnce
from chimera.platforms.mastodon import Mastodon
from chimera.platforms.pacing import Pacer
from chimera.platforms.x import X
from chimera.settings import Secret
from chimera.store import open_database
from chimera.store.scope import TenantScope
from tests.httpfake import Reply, serve
from tests.money_fixtures import money_home
from tests.platform_fakes import FakeBluesky, FakeMastodon, FakeX

TEXT = "Solar storage doubled in Nevada #Solar\n[AI-generated]"


def _task(db: Path, task_id: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO tasks (task_id, tenant_id, agent_id, campaign_id, type, priority, seq, status, payload,"
        " created_at, updated_at)"
        " VALUES (?, 'demo', 'nova', 'nova-solar', 'post_content', 2, 1, 'pending', '{}', 0, 0)",
        (task_id,),
    )
    conn.commit()
    conn.close()


def _post(key: str, text: str = TEXT) -> PostRequest:
    return PostRequest(key, "demo", "nova", "nova-solar", text, "[AI-generated]", "test")


Make = Callable[[str], RemotePlatform]


def _run(tmp_path: Path, make: Make, url: str, steps: Callable[[ExactlyOnce, Any], Awaitable[Any]],
         policy: PlatformPolicy | None = None) -> Any:  # fmt: skip
    home, _ = money_home(tmp_path / "fleet")
    for n in range(3):
        _task(home.db_path, f"t{n}")

    async def main() -> Any:
        async with open_database(home.db_path) as db:
            remote = make(url)
            platform = ExactlyOnce(remote, TenantScope(db, "demo"), Pacer(policy or PlatformPolicy(), []))
            async with remote._client:  # type: ignore[attr-defined]
                return await steps(platform, db)

    return anyio.run(main)


def _state(db_path: Path, task: str) -> tuple[str, str | None]:
    row = (
        sqlite3.connect(db_path)
        .execute("SELECT state, last_error FROM deliveries WHERE task_id = ?", (task,))
        .fetchone()
    )
    return row[0], row[1]


def _mastodon(url: str, timeout_s: float = 5.0) -> Mastodon:
    return Mastodon("mastodon", ApiClient("mastodon 'm'", url, headers={"Authorization": "Bearer tok"},
                                          timeout_s=timeout_s, max_retries=2, backoff_base_s=0.01))  # fmt: skip


def _x(url: str, timeout_s: float = 5.0) -> X:
    return X("x", ApiClient("x 'x'", url, headers={"Authorization": "Bearer xtok"}, timeout_s=timeout_s,
                            max_retries=2, backoff_base_s=0.01))  # fmt: skip


def test_mastodon_posts_once_and_a_repeat_reads_the_row(tmp_path: Path) -> None:
    with serve() as http:
        fake = FakeMastodon(http, "tok")

        async def steps(p: ExactlyOnce, _db: Any) -> tuple[Receipt, Receipt]:
            return await p.publish(_post("t0")), await p.publish(_post("t0"))

        first, again = _run(tmp_path, _mastodon, http.url, steps)
        calls = [r for r in http.requests if r.path == "/api/v1/statuses"]
    assert first == again and first.ref == "100" and len(fake.statuses) == 1 and len(calls) == 1
    assert calls[0].headers["idempotency-key"] == "t0"


def test_mastodon_lost_answer_is_retried_with_the_same_key_and_not_doubled(tmp_path: Path) -> None:
    with serve() as http:
        fake = FakeMastodon(http, "tok")
        fake.slow_once = 1.5  # applied, but the answer comes after the client gave up

        async def steps(p: ExactlyOnce, _db: Any) -> Receipt:
            return await p.publish(_post("t0"))

        receipt = _run(tmp_path, lambda u: _mastodon(u, timeout_s=0.5), http.url, steps)
    assert receipt.ref == "100" and len(fake.statuses) == 1


def test_mastodon_429_postpones_401_fails_500_is_retried(tmp_path: Path) -> None:
    with serve() as http:
        fake = FakeMastodon(http, "tok")
        fake.faults.add("post", Reply(429, {"error": "Too many requests"}, headers={"Retry-After": "30"}))

        async def steps(p: ExactlyOnce, db: Any) -> list[Any]:
            out: list[Any] = []
            with pytest.raises(Postponed) as later:
                await p.publish(_post("t0"))
            out.append(later.value.until - time.time())
            fake.faults.add("post", Reply(500, {"error": "boom"}), Reply(502, b"bad gateway"))
            out.append(await p.publish(_post("t1")))  # 5xx is retried: the key makes it safe
            fake.token = "other"
            with pytest.raises(AuthRejected, match=r"rejected the credentials .*HTTP 401"):
                await p.publish(_post("t2"))
            return out

        waited, receipt = _run(tmp_path, _mastodon, http.url, steps)[:2]
    assert 25 < waited <= 30
    assert receipt.ref == "100"
    db = tmp_path / "fleet" / "data" / "chimera.db"
    assert _state(db, "t0")[0] == "pending" and _state(db, "t2")[0] == "failed"


def test_x_lost_answer_is_found_by_reading_the_account_not_resent(tmp_path: Path) -> None:
    with serve() as http:
        fake = FakeX(http, "xtok")
        fake.slow_once = 1.5

        async def steps(p: ExactlyOnce, _db: Any) -> Receipt:
            with pytest.raises(Exception, match="may have been applied"):
                await p.publish(_post("t0"))
            return await p.publish(_post("t0"))  # reconciles: finds its own post

        receipt = _run(tmp_path, lambda u: _x(u, timeout_s=0.5), http.url, steps)
    assert receipt.ref == "1000" and len(fake.tweets) == 1
    assert receipt.url == "https://x.com/nova/status/1000"


def test_x_unknown_outcome_that_cannot_be_found_is_held_for_a_human(tmp_path: Path) -> None:
    with serve() as http:
        fake = FakeX(http, "xtok")
        fake.faults.add("post", Reply(200, b"", delay_s=1.5))  # never applied, answer lost

        async def steps(p: ExactlyOnce, _db: Any) -> None:
            with pytest.raises(Exception, match="may have been applied"):
                await p.publish(_post("t0"))
            with pytest.raises(Refusal, match="held for a human"):
                await p.publish(_post("t0"))
            with pytest.raises(Refusal, match="held for a human"):
                await p.publish(_post("t0"))

        _run(tmp_path, lambda u: _x(u, timeout_s=0.5), http.url, steps)
    assert fake.tweets == [], "nothing was re-sent blindly"
    assert _state(tmp_path / "fleet" / "data" / "chimera.db", "t0")[0] == "held"


def test_x_duplicate_error_is_recognised_and_reconciled(tmp_path: Path) -> None:
    with serve() as http:
        fake = FakeX(http, "xtok")
        fake.tweets.append({"id": "7", "text": TEXT})  # already out (an earlier run, another tool)

        async def steps(p: ExactlyOnce, _db: Any) -> Receipt:
            return await p.publish(_post("t0"))

        receipt = _run(tmp_path, _x, http.url, steps)
    assert receipt.ref == "7" and len(fake.tweets) == 1


def _bluesky(url: str) -> Bluesky:
    return Bluesky("bluesky", ApiClient("bluesky 'b'", url, max_retries=1), "nova.bsky.social", Secret("app-pass"))


def test_bluesky_record_key_makes_a_resend_harmless(tmp_path: Path) -> None:
    with serve() as http:
        fake = FakeBluesky(http, "nova.bsky.social", "app-pass")

        async def steps(p: ExactlyOnce, db: Any) -> tuple[Receipt, Receipt]:
            first = await p.publish(_post("t0"))
            # as if the process died before marking it sent:
            async with TenantScope(db, "demo").transaction() as tx:
                await tx.execute("UPDATE deliveries SET state = 'sending' WHERE tenant_id = :tenant AND task_id = 't0'")
            return first, await p.publish(_post("t0"))

        first, again = _run(tmp_path, _bluesky, http.url, steps)
        creates = [r for r in http.requests if r.path.endswith("createRecord")]
    assert first.ref == again.ref and len(fake.records) == 1 and len(creates) == 1
    record = next(iter(fake.records.values()))
    assert record["facets"][0]["features"][0] == {"$type": "app.bsky.richtext.facet#tag", "tag": "Solar"}


def test_bluesky_wrong_password_is_a_clear_error(tmp_path: Path) -> None:
    with serve() as http:
        FakeBluesky(http, "nova.bsky.social", "the-real-one")

        async def steps(p: ExactlyOnce, _db: Any) -> None:
            with pytest.raises(AuthRejected, match="signing in"):
                await p.publish(_post("t0"))

        _run(tmp_path, _bluesky, http.url, steps)


def test_facets_use_utf8_byte_offsets() -> None:
    text = "Énergie ☀️ https://example.org/a #Solar"
    found = {f["features"][0]["$type"].rsplit("#", 1)[1]: f["index"] for f in facets(text)}
    raw = text.encode()
    assert raw[found["link"]["byteStart"] : found["link"]["byteEnd"]] == b"https://example.org/a"
    assert raw[found["tag"]["byteStart"] : found["tag"]["byteEnd"]] == b"#Solar"


def test_pacing_spaces_posts_and_a_monthly_quota_waits_for_next_month(tmp_path: Path) -> None:
    policy = PlatformPolicy(min_interval_s=600, monthly_quota=2)
    with serve() as http:
        fake = FakeMastodon(http, "tok")

        async def steps(p: ExactlyOnce, _db: Any) -> list[float]:
            await p.publish(_post("t0"))
            with pytest.raises(Postponed) as paced:
                await p.publish(_post("t1"))
            return [
                paced.value.until - time.time(),
                p.pacer.next_slot(time.time() + 700),
                p.pacer.used_this_month(time.time()),
            ]

        gap, later, used = _run(tmp_path, _mastodon, http.url, steps, policy)
    assert 590 < gap <= 600 and used == 1 and len(fake.statuses) == 1
    assert later > time.time() + 600
    quota = Pacer(PlatformPolicy(monthly_quota=2), [time.time() - 100, time.time() - 50])
    assert quota.next_slot(time.time()) > time.time() + 3600, "the quota is spent until next month"


PLATFORMS: dict[str, tuple[Callable[[Any], Any], Make, str]] = {
    "mastodon": (lambda http: FakeMastodon(http, "tok"), _mastodon, "post"),
    "x": (lambda http: FakeX(http, "xtok"), _x, "post"),
    "bluesky": (lambda http: FakeBluesky(http, "nova.bsky.social", "app-pass"), _bluesky, "create"),
}


@pytest.mark.parametrize("name", sorted(PLATFORMS))
@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (Reply(401, {"error": "AuthMissing", "detail": "Unauthorized", "message": "bad token"}), "failed"),
        (Reply(429, {"error": "RateLimitExceeded"}, headers={"Retry-After": "45"}), "pending"),
        (Reply(500, {"error": "InternalServerError"}), "sent-or-sending"),
        (Reply(200, b"{not json"), "sending"),
    ],
)
def test_every_platform_maps_errors_and_keeps_the_post(tmp_path: Path, name: str, reply: Reply, outcome: str) -> None:
    make_fake, make, route = PLATFORMS[name]
    with serve() as http:
        fake = make_fake(http)
        fake.faults.add(route, reply)

        async def steps(p: ExactlyOnce, _db: Any) -> str:
            try:
                await p.publish(_post("t0"))
            except Postponed as later:
                assert 40 < later.until - time.time() <= 45
                return "postponed"
            except Exception as exc:
                assert "tok" not in str(exc) and "app-pass" not in str(exc)
                return type(exc).__name__
            return "published"

        what = _run(tmp_path, make, http.url, steps)
    state = _state(tmp_path / "fleet" / "data" / "chimera.db", "t0")[0]
    if outcome == "failed":
        assert what in ("AuthRejected", "RequestRefused") and state == "failed"
    elif outcome == "pending":
        assert what == "postponed" and state == "pending", "a 429 postpones; the post is kept"
    elif outcome == "sent-or-sending":  # idempotent APIs retry a 500; X keeps the unknown outcome for reconciling
        assert (what, state) in (("published", "sent"), ("ApiError", "sending"), ("OutcomeUnknown", "sending"))
    else:
        assert what == "BadReply" and state == "sending", "a garbled answer leaves the outcome to be reconciled"
