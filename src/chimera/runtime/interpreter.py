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
* Exit: a process that is done spares the interpreter its last full
  collection (``spare_final_collection``).

``chimera bench`` measured both (see specs/performance.md).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
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


def spare_final_collection() -> None:
    """The process is about to exit: keep everything alive now out of the interpreter's last full collection.

    At exit CPython clears its modules and then collects over every object still alive: the config's, the
    MCP SDK's and pydantic's models and schemas. For a short command that was 0.3 - 0.5 s of its wall time,
    in the CLI and in each bundled MCP server, which a run waits for as it stops them. Nothing Chimera writes
    is lost by skipping it: objects are still freed as their last reference goes, atexit handlers (logging's
    flush among them) still run, the standard streams are still flushed, and the store is closed before this
    point. Only reference cycles alive now are left for the operating system to reclaim with the rest of the
    process, so a file left open inside one would not be flushed: files are written in ``with`` blocks.
    """
    gc.freeze()


def run_as_process(entry: Callable[[], object]) -> None:
    """Run a process's entry point, then spare its last collection (also when it raises or exits)."""
    try:
        entry()
    finally:
        spare_final_collection()
