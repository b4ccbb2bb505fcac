"""A wake-up that knows whether it is set: an anyio event made anew when cleared.

anyio events cannot be cleared, so whoever waits again needs a new one; and
asking an anyio event whether it is set is two Python-level calls (anyio's,
then asyncio's). The work tracker and the cycle window ask per task, so the
state is kept beside the event, in one place, and this module is compiled
(``chimera/native.py``).
"""

from __future__ import annotations

import anyio


class Signal:
    """Set and clear freely; ``wait`` returns once it is set (at once if it is)."""

    def __init__(self, is_set: bool = False) -> None:
        self._event = anyio.Event()
        self.is_set = False
        if is_set:
            self.set()

    def set(self) -> None:
        """Wake everyone waiting now; later waits return at once until ``clear``."""
        if not self.is_set:
            self._event.set()
            self.is_set = True

    def clear(self) -> None:
        """Make later waits wait for the next ``set``."""
        if self.is_set:
            self._event = anyio.Event()
            self.is_set = False

    async def wait(self) -> None:
        """Return once set."""
        await self._event.wait()
