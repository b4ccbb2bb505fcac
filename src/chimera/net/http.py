"""An HTTP API client with timeouts, a concurrency limit and retries that respect the server.

Retries use exponential backoff with full jitter, and wait what the server
asks for when it says (``Retry-After`` in seconds or as a date, or the
``x-rate-limit-reset`` / ``X-RateLimit-Reset`` headers of X and Mastodon).
A request that is not idempotent is never retried after it may have reached
the server: that decision belongs to the caller, who knows how to reconcile.
Errors never include request headers or bodies (they may hold keys).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import httpx

from chimera.errors import Failure, Refusal
from chimera.secret_store import redact_shapes


class ApiError(Failure):
    """An API call failed; ``status`` is the HTTP status (0 when no answer came)."""

    def __init__(self, message: str, status: int = 0, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


class AuthRejected(ApiError):
    """The API refused the credentials (401/403): fixing them is a human's job; retrying will not help."""


class RateLimited(ApiError):
    """The API said to slow down (429); ``retry_after_s`` says how long."""


class OutcomeUnknown(ApiError):
    """The request may or may not have been applied (a timeout or a dropped connection after sending)."""


class BadReply(ApiError):
    """The API answered 2xx with a body that is not what its contract says."""


class RequestRefused(Refusal):
    """The API refused this request for what it says (4xx other than auth and rate limits)."""

    def __init__(self, message: str, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


def retry_after_s(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, from whichever header it used; None if it did not say."""
    now = time.time() if now is None else now
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value) if value else None
            if when is not None:
                return max(0.0, when.timestamp() - now)
    reset = headers.get("x-rate-limit-reset") or headers.get("x-ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - now)  # X: Unix seconds
        except ValueError:
            try:
                return max(0.0, dt.datetime.fromisoformat(reset.replace("Z", "+00:00")).timestamp() - now)
            except ValueError:
                return None
    return None


def detail_of(response: httpx.Response, limit: int = 200, masks: tuple[str, ...] = ()) -> str:
    """A short, secret-free account of what an error body says (``masks``: our own credentials, never echoed)."""
    text = _error_text(response, limit)
    for secret in masks:
        text = text.replace(secret, "***")
    return redact_shapes(text).replace("\n", " ")


def _error_text(response: httpx.Response, limit: int) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return response.text[:limit]
    if isinstance(body, dict):
        for key in ("detail", "error_description", "message", "error", "title"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("type")
            if isinstance(value, str) and value:
                return value[:limit]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or errors[0].get("detail") or "")[:limit]
    return str(body)[:limit]


class ApiClient:
    """One API's connection pool, concurrency limit and retry policy; an async context manager."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 4,
        max_concurrency: int = 8,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        max_wait_s: float = 120.0,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.name = name
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=dict(headers or {}), timeout=timeout_s)
        credentials = [v for k, v in (headers or {}).items() if k.lower() in ("authorization", "x-api-key")]
        parts = {part for v in credentials for part in (v, v.split()[-1]) if len(part) >= 4}
        self._masks = tuple(sorted(parts, key=len, reverse=True))
        self._limit = anyio.Semaphore(max_concurrency)
        self._max_retries = max_retries
        self._base = backoff_base_s
        self._cap = backoff_max_s
        self._max_wait = max_wait_s
        self._sleep = sleep
        self._jitter = jitter
        self.calls = 0

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base × 2^attempt, capped."""
        return float(self._jitter() * min(self._cap, self._base * 2**attempt))

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        retry_rate_limits: bool = True,
    ) -> httpx.Response:
        """Send a request; retry 429, 5xx and timeouts as allowed; return the final response (any status)."""
        for attempt in range(self._max_retries + 1):
            last = attempt == self._max_retries
            try:
                async with self._limit:
                    self.calls += 1
                    response = await self._client.request(method, path, json=json, params=params, headers=headers)
            except httpx.TimeoutException:
                if not idempotent:
                    raise OutcomeUnknown(f"{self.name}: no answer in time; the request may have been applied") from None
                if last:
                    raise ApiError(f"{self.name}: no answer in time after {attempt + 1} tries") from None
                await self._sleep(self.backoff(attempt))
                continue
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError)
                if sent and not idempotent:
                    raise OutcomeUnknown(f"{self.name}: connection lost ({type(exc).__name__}); "
                                         "the request may have been applied") from None  # fmt: skip
                if last:
                    raise ApiError(f"{self.name}: cannot reach the API ({type(exc).__name__})") from None
                await self._sleep(self.backoff(attempt))
                continue
            status = response.status_code
            if status == 429 and retry_rate_limits and not last:
                wait = retry_after_s(response.headers)
                wait = self.backoff(attempt) if wait is None else wait
                if wait > self._max_wait:
                    return response  # too long to wait here; the caller postpones instead
                await self._sleep(wait)
                continue
            if status >= 500 and idempotent and not last:
                await self._sleep(self.backoff(attempt))
                continue
            return response
        raise AssertionError("unreachable")

    def raise_for(self, response: httpx.Response, what: str) -> None:
        """Map a non-2xx response to the error a caller acts on."""
        status = response.status_code
        if status < 400:
            return
        detail = detail_of(response, masks=self._masks)
        if status in (401, 403) and "duplicate" not in detail.lower():
            raise AuthRejected(f"{self.name} rejected the credentials for {what} (HTTP {status}): {detail}", status)
        if status == 429:
            wait = retry_after_s(response.headers)
            raise RateLimited(f"{self.name} is rate limiting {what} (HTTP 429)", status, wait)
        if status >= 500:
            raise ApiError(f"{self.name} failed on {what} (HTTP {status}): {detail}", status)
        raise RequestRefused(f"{self.name} refused {what} (HTTP {status}): {detail}", status, detail)
