"""Bluesky (AT Protocol): a session, then createRecord with a record key we choose.

The record key is derived from the post's idempotency key and first attempt
time (a TID), so a resend names the same record and can never create a
second one; a lost answer is settled with getRecord, which can prove absence.
Links and hashtags become facets (UTF-8 byte ranges).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from chimera.net.http import ApiClient, AuthRejected, BadReply, RequestRefused
from chimera.platforms.base import Absent, Mention, PostRequest, Receipt
from chimera.platforms.lengths import graphemes
from chimera.settings import Secret

COLLECTION = "app.bsky.feed.post"
DEFAULT_URL = "https://bsky.social"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_LINK = re.compile(r"https?://[^\s<>\"')\]]+")
_HASHTAG = re.compile(r"(?<![\w#])#([^\s#.,;:!?()\[\]{}'\"]{1,64})")


def record_key(idempotency_key: str, created_at: float) -> str:
    """A TID (13 base32-sortable characters) from the attempt time and a clock id taken from the key."""
    micros = int(created_at * 1_000_000) & ((1 << 53) - 1)
    clock = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:2], "big") & 0x3FF
    value = (micros << 10) | clock
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def facets(text: str) -> list[dict[str, Any]]:
    """Link and hashtag facets with UTF-8 byte offsets."""
    out: list[dict[str, Any]] = []

    def span(start: int, end: int) -> dict[str, int]:
        return {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}

    for m in _LINK.finditer(text):
        out.append({"index": span(m.start(), m.end()),
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}]})  # fmt: skip
    for m in _HASHTAG.finditer(text):
        out.append({"index": span(m.start(), m.end()),
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}]})  # fmt: skip
    return out


class _Session(BaseModel):
    accessJwt: str  # noqa: N815 (the protocol's field name)
    did: str
    handle: str = ""


class _Created(BaseModel):
    uri: str
    cid: str = ""


class Bluesky:
    """A RemotePlatform for one Bluesky account (handle + app password)."""

    kind = "bluesky"

    def __init__(self, name: str, client: ApiClient, handle: str, password: Secret, max_chars: int = 300) -> None:
        self.name = name
        self.max_chars = max_chars
        self._client = client
        self._handle = handle
        self._password = password
        self._session: _Session | None = None

    def length(self, text: str) -> int:
        """Graphemes."""
        return graphemes(text)

    async def publish(self, post: PostRequest) -> Receipt:
        """createRecord under our own record key; an 'already exists' answer is checked with getRecord."""
        session = await self._sign_in()
        rkey = record_key(post.idempotency_key, post.created_at)
        when = dt.datetime.fromtimestamp(post.created_at, dt.UTC).isoformat().replace("+00:00", "Z")
        record: dict[str, Any] = {"$type": COLLECTION, "text": post.text, "createdAt": when}
        found = facets(post.text)
        if found:
            record["facets"] = found
        if post.reply_to and "|" in post.reply_to:
            uri, cid = post.reply_to.split("|", 1)
            record["reply"] = {"root": {"uri": uri, "cid": cid}, "parent": {"uri": uri, "cid": cid}}
        body = {"repo": session.did, "collection": COLLECTION, "rkey": rkey, "record": record}
        response = await self._authed("POST", "/xrpc/com.atproto.repo.createRecord", json=body)
        try:
            self._client.raise_for(response, "creating a post")
        except RequestRefused:
            existing = await self.find(post)  # the same rkey exists: it is ours, from an earlier try
            if isinstance(existing, Receipt):
                return existing
            raise
        try:
            created = _Created.model_validate_json(response.content)
        except ValidationError:
            raise BadReply(f"{self._client.name}: the created record is not in the AT Protocol format", 200) from None
        return Receipt(self.name, created.uri, post.text, self._web_url(session, rkey))

    async def find(self, post: PostRequest) -> Receipt | Absent:
        """getRecord by our record key: found, or provably absent."""
        session = await self._sign_in()
        rkey = record_key(post.idempotency_key, post.created_at)
        params = {"repo": session.did, "collection": COLLECTION, "rkey": rkey}
        response = await self._authed("GET", "/xrpc/com.atproto.repo.getRecord", params=params)
        if response.status_code == 200:
            uri = str(response.json().get("uri", f"at://{session.did}/{COLLECTION}/{rkey}"))
            return Receipt(self.name, uri, post.text, self._web_url(session, rkey))
        if response.status_code in (400, 404) and "notfound" in response.text.lower().replace("_", ""):
            return Absent.PROVEN
        self._client.raise_for(response, "reading a record")
        return Absent.UNKNOWN

    async def mentions(self) -> list[Mention]:
        """listNotifications: mentions of the account and replies to its posts."""
        response = await self._authed("GET", "/xrpc/app.bsky.notification.listNotifications", params={"limit": 50})
        self._client.raise_for(response, "reading notifications")
        try:
            notes = response.json()["notifications"]
            found = [
                Mention(self.name, n["uri"], n["author"]["handle"], str(n["record"].get("text", "")),
                        "reply" if n["reason"] == "reply" else "mention", f"{n['uri']}|{n['cid']}")
                for n in notes if n.get("reason") in ("mention", "reply")
            ]  # fmt: skip
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BadReply(f"{self._client.name}: the notifications are not in the AT Protocol format", 200) from None
        return found

    async def verify(self) -> str:
        """createSession with the app password."""
        session = await self._sign_in()
        return f"signed in as {session.handle or self._handle} ({session.did})"

    async def _sign_in(self, fresh: bool = False) -> _Session:
        if self._session is None or fresh:
            body = {"identifier": self._handle, "password": self._password.reveal()}
            response = await self._client.request("POST", "/xrpc/com.atproto.server.createSession", json=body)
            self._client.raise_for(response, "signing in")
            try:
                self._session = _Session.model_validate_json(response.content)
            except ValidationError:
                raise BadReply(f"{self._client.name}: the session is not in the AT Protocol format", 200) from None
        return self._session

    async def _authed(self, method: str, path: str, **kw: Any) -> Any:
        for fresh in (False, True):  # an expired access token gets one new session
            session = await self._sign_in(fresh)
            headers = {"Authorization": f"Bearer {session.accessJwt}"}
            response = await self._client.request(method, path, headers=headers, retry_rate_limits=False, **kw)
            if response.status_code in (400, 401) and "expiredtoken" in response.text.lower():
                continue
            return response
        raise AuthRejected(f"{self._client.name}: the session expired again right after signing in", 401)

    def _web_url(self, session: _Session, rkey: str) -> str:
        return f"https://bsky.app/profile/{session.handle or session.did}/post/{rkey}"
