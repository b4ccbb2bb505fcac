"""Fake Mastodon, Bluesky and X servers (real HTTP on 127.0.0.1) that keep state like the real ones do.

They speak the parts of each API Chimera uses, check credentials, and can be
told to fail the next N calls of a route (a status, a delay, a body).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.httpfake import FakeServer, Reply, Request


@dataclass
class Faults:
    """Planned failures: route -> list of replies served before the real behaviour."""

    planned: dict[str, list[Reply]] = field(default_factory=dict)

    def next(self, route: str) -> Reply | None:
        queue = self.planned.get(route)
        return queue.pop(0) if queue else None

    def add(self, route: str, *replies: Reply) -> None:
        self.planned.setdefault(route, []).extend(replies)


class FakeMastodon:
    """statuses with Idempotency-Key, verify_credentials, an account's statuses."""

    def __init__(self, server: FakeServer, token: str) -> None:
        self.token = token
        self.statuses: list[dict[str, Any]] = []
        self.keys: dict[str, dict[str, Any]] = {}
        self.faults = Faults()
        self.slow_once = 0.0
        self._ids = itertools.count(100)
        server.route("POST", "/api/v1/statuses", self._post)
        server.route("GET", "/api/v1/accounts/verify_credentials", self._me)
        server.route("GET", "/api/v1/accounts/1/statuses", self._list)
        server.route("GET", "/api/v1/notifications", self._notifications)
        self.notifications: list[dict[str, Any]] = []

    def notify(self, status_id: str, author: str, text: str, reply_to_us: bool) -> None:
        """Someone mentions the account (or replies in one of its threads)."""
        status = {"id": status_id, "content": f"<p>{text}</p>", "in_reply_to_account_id": "1" if reply_to_us else None}
        self.notifications.append({"id": f"n{status_id}", "type": "mention", "account": {"id": "9", "acct": author},
                                   "status": status})  # fmt: skip

    def _notifications(self, req: Request) -> Reply:
        return self._auth(req) or Reply(200, self.notifications)

    def _auth(self, req: Request) -> Reply | None:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"error": "The access token is invalid"})
        return None

    def _post(self, req: Request) -> Reply:
        fault = self.faults.next("post")
        if fault:
            return fault
        denied = self._auth(req)
        if denied:
            return denied
        key = req.headers.get("idempotency-key")
        if key and key in self.keys:
            return Reply(200, self.keys[key])
        body = req.json()
        status = {"id": str(next(self._ids)), "url": "https://masto.example/@nova/1",
                  "content": f"<p>{body['status']}</p>", "in_reply_to_id": body.get("in_reply_to_id")}  # fmt: skip
        self.statuses.append(status)
        if key:
            self.keys[key] = status
        return Reply(200, status, delay_s=self._slow())

    def _slow(self) -> float:
        """Apply the post, then answer too late (the client gives up: the outcome is unknown to it)."""
        delay, self.slow_once = self.slow_once, 0.0
        return delay

    def _me(self, req: Request) -> Reply:
        return self._auth(req) or Reply(200, {"id": "1", "acct": "nova"})

    def _list(self, req: Request) -> Reply:
        return self._auth(req) or Reply(200, list(reversed(self.statuses)))


class FakeBluesky:
    """createSession, createRecord (record keys are unique), getRecord."""

    def __init__(self, server: FakeServer, handle: str, password: str) -> None:
        self.handle = handle
        self.password = password
        self.records: dict[str, dict[str, Any]] = {}
        self.faults = Faults()
        server.route("POST", "/xrpc/com.atproto.server.createSession", self._session)
        server.route("POST", "/xrpc/com.atproto.repo.createRecord", self._create)
        server.route("GET", "/xrpc/com.atproto.repo.getRecord", self._get)

    def _session(self, req: Request) -> Reply:
        body = req.json()
        if body.get("identifier") != self.handle or body.get("password") != self.password:
            return Reply(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
        return Reply(200, {"accessJwt": "jwt-1", "did": "did:plc:nova", "handle": self.handle})

    def _create(self, req: Request) -> Reply:
        fault = self.faults.next("create")
        if fault:
            return fault
        if req.headers.get("authorization") != "Bearer jwt-1":
            return Reply(401, {"error": "AuthMissing"})
        body = req.json()
        rkey = body["rkey"]
        if rkey in self.records:
            return Reply(400, {"error": "InvalidRequest", "message": "Record already exists"})
        self.records[rkey] = body["record"]
        return Reply(200, {"uri": f"at://did:plc:nova/app.bsky.feed.post/{rkey}", "cid": "bafy"})

    def _get(self, req: Request) -> Reply:
        rkey = req.path.split("rkey=")[1].split("&")[0]
        if rkey in self.records:
            return Reply(200, {"uri": f"at://did:plc:nova/app.bsky.feed.post/{rkey}", "value": self.records[rkey]})
        return Reply(400, {"error": "RecordNotFound", "message": "Could not locate record"})


class FakeX:
    """POST /2/tweets (duplicates refused), GET /2/users/me, the user's posts and the posts that mention the user."""

    def __init__(self, server: FakeServer, token: str) -> None:
        self.token = token
        self.tweets: list[dict[str, Any]] = []
        self.faults = Faults()
        self.slow_once = 0.0
        self._ids = itertools.count(1_000)
        server.route("POST", "/2/tweets", self._post)
        server.route("GET", "/2/users/me", self._me)
        server.route("GET", "/2/users/42/tweets", self._list)
        server.route("GET", "/2/users/42/mentions", self._mentions)
        self.mentioning: list[dict[str, Any]] = []
        self.users = {"42": "nova"}
        self.posts_read = 0
        """Posts handed out by the mentions timeline: what X counts against a tier's read cap."""

    def _denied(self, req: Request) -> Reply | None:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
        return None

    def _post(self, req: Request) -> Reply:
        fault = self.faults.next("post")
        if fault:
            return fault
        denied = self._denied(req)
        if denied:
            return denied
        body = req.json()
        text = body["text"]
        if any(t["text"] == text for t in self.tweets):
            return Reply(403, {"detail": "You are not allowed to create a Tweet with duplicate content.",
                               "title": "Forbidden", "status": 403})  # fmt: skip
        tweet = {"id": str(next(self._ids)), "text": text}
        self.tweets.append({**tweet, "in_reply_to": body.get("reply", {}).get("in_reply_to_tweet_id")})
        delay, self.slow_once = self.slow_once, 0.0
        return Reply(201, {"data": tweet}, delay_s=delay)

    def mention(self, tweet_id: str, author: str, text: str, reply_to_us: bool) -> None:
        """Someone (or the account itself, as "nova") mentions the account, or replies to one of its posts."""
        author_id = next((uid for uid, name in self.users.items() if name == author), str(9_000 + len(self.users)))
        self.users[author_id] = author
        tweet = {"id": tweet_id, "text": text, "author_id": author_id, "edit_history_tweet_ids": [tweet_id]}
        if reply_to_us:
            tweet["in_reply_to_user_id"] = "42"
        self.mentioning.append(tweet)

    def _mentions(self, req: Request) -> Reply:
        """Newest first, after ``since_id``; authors expanded when asked; ``meta`` as X gives it."""
        denied = self._denied(req)
        if denied:
            return denied
        query = parse_qs(urlsplit(req.path).query)
        since = int(query.get("since_id", ["0"])[0])
        limit = int(query.get("max_results", ["10"])[0])
        if not 5 <= limit <= 100:
            return Reply(400, {"title": "Invalid Request", "detail": "max_results must be 5 to 100", "status": 400})
        page = sorted((t for t in self.mentioning if int(t["id"]) > since), key=lambda t: -int(t["id"]))[:limit]
        self.posts_read += len(page)
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        body: dict[str, Any] = {
            "data": page,
            "meta": {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)},
        }
        if "author_id" in query.get("expansions", [""])[0].split(","):
            authors = {t["author_id"] for t in page}
            body["includes"] = {"users": [{"id": a, "username": self.users[a], "name": a} for a in sorted(authors)]}
        return Reply(200, body)

    def _me(self, req: Request) -> Reply:
        return self._denied(req) or Reply(200, {"data": {"id": "42", "username": "nova"}})

    def _list(self, req: Request) -> Reply:
        return self._denied(req) or Reply(200, {"data": list(reversed(self.tweets))})
