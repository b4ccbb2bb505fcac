"""Mastodon: the statuses API, with an Idempotency-Key so a resend returns the first status."""

from __future__ import annotations

import html
import re
import time

from pydantic import BaseModel, ValidationError

from chimera.net.http import ApiClient, BadReply
from chimera.platforms.base import Absent, Mention, PostRequest, Receipt
from chimera.platforms.lengths import chars

#: Mastodon keeps idempotency keys for an hour; inside that window a resend is provably harmless.
KEY_WINDOW_S = 55 * 60
_TAG = re.compile(r"<[^>]+>")


class _Status(BaseModel):
    id: str
    url: str | None = None
    content: str = ""
    created_at: str = ""


class _Account(BaseModel):
    id: str
    acct: str


class _NotifiedStatus(BaseModel):
    id: str
    content: str = ""
    in_reply_to_account_id: str | None = None


class _Notification(BaseModel):
    id: str
    type: str
    account: _Account
    status: _NotifiedStatus | None = None


class Mastodon:
    """A RemotePlatform for one Mastodon account."""

    kind = "mastodon"

    def __init__(self, name: str, client: ApiClient, max_chars: int = 500) -> None:
        self.name = name
        self.max_chars = max_chars
        self._client = client
        self._account: _Account | None = None

    def length(self, text: str) -> int:
        """Code points."""
        return chars(text)

    async def publish(self, post: PostRequest) -> Receipt:
        """POST /api/v1/statuses with the post's idempotency key (so retries are safe)."""
        body = {"status": post.text, "visibility": "public"}
        if post.reply_to:
            body["in_reply_to_id"] = post.reply_to
        response = await self._client.request(
            "POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": post.idempotency_key},
            retry_rate_limits=False,
        )  # fmt: skip
        self._client.raise_for(response, "posting a status")
        status = self._status(response.content)
        return Receipt(self.name, status.id, post.text, status.url or "")

    async def find(self, post: PostRequest) -> Receipt | Absent:
        """Inside the key window a resend is harmless; after it, look through the account's recent statuses."""
        if time.time() - post.created_at < KEY_WINDOW_S:
            return Absent.PROVEN
        account = await self._me()
        response = await self._client.request("GET", f"/api/v1/accounts/{account.id}/statuses", params={"limit": 40})
        self._client.raise_for(response, "reading the account's statuses")
        try:
            statuses = [_Status.model_validate(s) for s in response.json()]
        except (ValueError, ValidationError):
            raise BadReply(f"{self._client.name}: the statuses list is not in Mastodon's format", 200) from None
        wanted = " ".join(post.text.split())
        for s in statuses:
            if " ".join(html.unescape(_TAG.sub(" ", s.content)).split()) == wanted:
                return Receipt(self.name, s.id, post.text, s.url or "")
        return Absent.UNKNOWN

    async def mentions(self) -> list[Mention]:
        """GET /api/v1/notifications of type mention (a reply in our thread is a mention too; told apart here)."""
        me = await self._me()
        response = await self._client.request(
            "GET", "/api/v1/notifications", params={"types[]": "mention", "limit": 40}
        )
        self._client.raise_for(response, "reading notifications")
        try:
            notes = [_Notification.model_validate(n) for n in response.json()]
        except (ValueError, ValidationError):
            raise BadReply(f"{self._client.name}: the notifications are not in Mastodon's format", 200) from None
        out = []
        for n in notes:
            if n.status is None:
                continue
            kind = "reply" if n.status.in_reply_to_account_id == me.id else "mention"
            text = " ".join(html.unescape(_TAG.sub(" ", n.status.content)).split())
            out.append(Mention(self.name, n.status.id, n.account.acct, text, kind, n.status.id))
        return out

    async def verify(self) -> str:
        """GET /api/v1/accounts/verify_credentials."""
        account = await self._me()
        return f"signed in as @{account.acct}"

    async def _me(self) -> _Account:
        if self._account is None:
            response = await self._client.request("GET", "/api/v1/accounts/verify_credentials")
            self._client.raise_for(response, "verifying the credentials")
            try:
                self._account = _Account.model_validate_json(response.content)
            except ValidationError:
                raise BadReply(f"{self._client.name}: the account is not in Mastodon's format", 200) from None
        return self._account

    def _status(self, content: bytes) -> _Status:
        try:
            return _Status.model_validate_json(content)
        except ValidationError:
            raise BadReply(f"{self._client.name}: the new status is not in Mastodon's format", 200) from None
