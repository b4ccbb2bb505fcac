"""X (API v2): create a post; X takes no idempotency key, so a lost answer is reconciled by reading our posts.

Mentions are read only when the account opts in (``read_mentions``): each post read counts against the tier's cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from chimera.net.http import ApiClient, BadReply, RequestRefused
from chimera.platforms.base import Absent, DuplicateStatus, Mention, PostRequest, Receipt
from chimera.platforms.lengths import x_weighted


class _Tweet(BaseModel):
    id: str
    text: str = ""


class _Created(BaseModel):
    data: _Tweet


class _Me(BaseModel):
    id: str
    username: str


class _MeReply(BaseModel):
    data: _Me


class _Timeline(BaseModel):
    data: list[_Tweet] = []


class _MentionTweet(BaseModel):
    id: str
    text: str
    author_id: str
    in_reply_to_user_id: str | None = None


class _User(BaseModel):
    id: str
    username: str


class _Includes(BaseModel):
    users: list[_User] = []


class _MentionsMeta(BaseModel):
    newest_id: str | None = None


class _Mentions(BaseModel):
    data: list[_MentionTweet] = []
    includes: _Includes = _Includes()
    meta: _MentionsMeta = _MentionsMeta()


class X:
    """A RemotePlatform for one X account (OAuth 2.0 user access token)."""

    kind = "x"

    def __init__(self, name: str, client: ApiClient, max_chars: int = 280) -> None:
        self.name = name
        self.max_chars = max_chars
        self._client = client
        self._me: _Me | None = None
        self._newest_mention: str | None = None

    def length(self, text: str) -> int:
        """X's weighted count."""
        return x_weighted(text)

    async def publish(self, post: PostRequest) -> Receipt:
        """POST /2/tweets, sent once (never retried by the client: the outcome of a lost answer is reconciled)."""
        body: dict[str, Any] = {"text": post.text}
        if post.reply_to:
            body["reply"] = {"in_reply_to_tweet_id": post.reply_to}
        response = await self._client.request("POST", "/2/tweets", json=body, idempotent=False,
                                              retry_rate_limits=False)  # fmt: skip
        try:
            self._client.raise_for(response, "creating a post")
        except RequestRefused as exc:
            if "duplicate" in exc.detail.lower():
                raise DuplicateStatus(f"X refused the post as a duplicate: {exc.detail}") from None
            raise
        try:
            tweet = _Created.model_validate_json(response.content).data
        except ValidationError:
            raise BadReply(
                f"{self._client.name}: the created post is not in X's format", response.status_code
            ) from None
        me = self._me.username if self._me else "i"
        return Receipt(self.name, tweet.id, post.text, f"https://x.com/{me}/status/{tweet.id}")

    async def find(self, post: PostRequest) -> Receipt | Absent:
        """Read the account's posts since the attempt; X cannot prove a post is absent, so a miss is UNKNOWN."""
        me = await self._account()
        since = dt.datetime.fromtimestamp(post.created_at - 60, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        response = await self._client.request(
            "GET", f"/2/users/{me.id}/tweets", params={"max_results": 20, "start_time": since}
        )
        self._client.raise_for(response, "reading the account's posts")
        try:
            timeline = _Timeline.model_validate_json(response.content)
        except ValidationError:
            raise BadReply(f"{self._client.name}: the posts list is not in X's format", 200) from None
        wanted = " ".join(post.text.split())
        for tweet in timeline.data:
            if " ".join(tweet.text.split()) == wanted:
                return Receipt(self.name, tweet.id, post.text, f"https://x.com/{me.username}/status/{tweet.id}")
        return Absent.UNKNOWN

    async def mentions(self) -> list[Mention]:
        """GET /2/users/:id/mentions, only what is newer than the last read (each post read counts against the cap).

        A post in reply to one of the account's is a reply; the account's own posts are never listed.
        A new process starts after the newest mention earlier runs handled (``resume_after``).
        """
        me = await self._account()
        params: dict[str, str | int] = {
            "max_results": 20, "expansions": "author_id", "user.fields": "username",
            "tweet.fields": "author_id,in_reply_to_user_id",
        }  # fmt: skip
        if self._newest_mention is not None:
            params["since_id"] = self._newest_mention
        response = await self._client.request("GET", f"/2/users/{me.id}/mentions", params=params)
        self._client.raise_for(response, "reading mentions")
        try:
            page = _Mentions.model_validate_json(response.content)
        except ValidationError:
            raise BadReply(f"{self._client.name}: the mentions are not in X's format", 200) from None
        if page.meta.newest_id is not None:
            self._newest_mention = page.meta.newest_id
        names = {u.id: u.username for u in page.includes.users}
        return [
            Mention(self.name, t.id, names.get(t.author_id, t.author_id), " ".join(t.text.split()),
                    "reply" if t.in_reply_to_user_id == me.id else "mention", t.id)
            for t in page.data
            if t.author_id != me.id
        ]  # fmt: skip

    def resume_after(self, handled: Iterable[str]) -> None:
        """Start the next read after the newest of these post ids (X's ids grow with time)."""
        newest = max((int(i) for i in handled if i.isdigit()), default=None)
        if newest is not None:
            self._newest_mention = str(newest)

    async def verify(self) -> str:
        """GET /2/users/me."""
        return f"signed in as @{(await self._account()).username}"

    async def _account(self) -> _Me:
        if self._me is None:
            response = await self._client.request("GET", "/2/users/me")
            self._client.raise_for(response, "reading the signed-in user")
            try:
                self._me = _MeReply.model_validate_json(response.content).data
            except ValidationError:
                raise BadReply(f"{self._client.name}: the user is not in X's format", 200) from None
        return self._me
