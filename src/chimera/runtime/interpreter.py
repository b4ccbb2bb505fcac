"""Interpreter settings for the runtime: GIL hand-off and garbage collection.

* GIL: the store's writer thread gives the GIL up whenever SQLite works and
  needs it back to continue. With the default switch interval (5 ms) a
  busy event loop keeps it waiting up to 5 ms each time. Groups of rows
  now go many rows per statement (``store/bulk.py``), but small groups, reads
  and the other threads (MCP transports) still hand the GIL back and forth;
  a short interval lets the threads alternate quickly. 0.2 ms was a clear
  gain before bulk statements; 0.05 ms shortened the writer's transactions
  again (3.7 s to 3.2 s of a 10,000-agent run) and gained 1% to 10% with
  the cycle window (4 of 4 pairs), within noise without it.
* Garbage collection: a fleet is tens of thousands of long-lived objects
  (config models, books, queues). With the default thresholds every full
  collection walks all of them again; at 10,000 agents that was about a
  third of the run's time. The objects built at start-up are frozen (moved
  out of the collector's sight) and young collections run less often.

``chimera bench`` measured both (see specs/performance.md).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

#: Seconds; the interpreter's default is 0.005.
SWITCH_INTERVAL_S = 0.00005
#: Allocations before a young collection, then how many of those before each older one (default 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def runtime_interpreter() -> Iterator[None]:
    """Use the runtime's settings inside the block; restore the previous ones (and unfreeze) after."""
    interval = sys.getswitchinterval()
    thresholds = gc.get_threshold()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def freeze_start_up_objects() -> None:
    """Collect once, then keep everything alive now out of later collections (call once set-up is done)."""
    gc.collect()
    gc.freeze()
