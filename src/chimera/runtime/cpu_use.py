"""CPU a run used, by where it ran: the event loop's thread, the process's other threads, child processes.

``chimera bench`` reports it per task beside the throughput, because on a
small machine the question is often not "what is slow" but "what would the
target cost": at 10,000 tasks/s two cores leave 200 µs of CPU per task for
everything, and the event loop (one thread, under the GIL) gets at most one
of them. Child processes (the MCP servers) are read from ``/proc`` while they
run; where there is no ``/proc`` their share is reported as unknown.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class CpuSample:
    """CPU seconds used so far; take one on the event loop's thread."""

    loop_s: float
    process_s: float
    children: dict[int, float] | None = None
    """CPU seconds per running descendant process (None: not readable on this system)."""


def sample() -> CpuSample:
    """CPU used so far by the calling thread, this process, and each running descendant process."""
    return CpuSample(time.thread_time(), time.process_time(), descendants_cpu(os.getpid()))


def descendants_cpu(pid: int, proc: Path = _PROC) -> dict[int, float] | None:
    """CPU seconds (user + system) of each running descendant of ``pid``; None without a readable ``/proc``."""
    if not (proc / str(pid) / "task").is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    todo = _children(pid, proc)
    while todo:
        child = todo.pop()
        if child in found:
            continue
        try:
            stat = (proc / str(child) / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[child] = (int(fields[11]) + int(fields[12])) / ticks
        todo.extend(_children(child, proc))
    return found


def _children(pid: int, proc: Path) -> list[int]:
    kids: list[int] = []
    try:
        threads = list((proc / str(pid) / "task").iterdir())
    except OSError:
        return kids
    for thread in threads:
        try:
            kids.extend(int(k) for k in (thread / "children").read_text().split())
        except OSError:
            continue
    return kids


def per_task(start: CpuSample, end: CpuSample, tasks: int, wall_s: float) -> dict[str, Any]:
    """CPU microseconds per task between two samples, by where it ran, and how many cores were busy on average.

    A child that started after ``start`` counts from zero; one that exited before ``end`` is not counted.
    Where the children's share is unknown, so are the total and the cores busy (not the process's alone).
    """
    loop = end.loop_s - start.loop_s
    process = end.process_s - start.process_s
    children: float | None = None
    if start.children is not None and end.children is not None:
        children = sum(cpu - start.children.get(pid, 0.0) for pid, cpu in end.children.items())
    total = None if children is None else process + children

    def us(seconds: float | None) -> float | None:
        return round(seconds / tasks * 1e6, 1) if seconds is not None and tasks else None

    return {
        "cpu_us_per_task": {
            "event_loop": us(loop),
            "other_threads": us(process - loop),
            "mcp_servers": us(children),
            "all": us(total),
        },
        "cores_busy": round(total / wall_s, 2) if total is not None and wall_s else None,
    }
