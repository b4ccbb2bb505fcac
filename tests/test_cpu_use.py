"""CPU by where it ran: the calling thread, the process, and its running descendants (read from /proc)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chimera.runtime.cpu_use import CpuSample, descendants_cpu, per_task, sample

BURN = (
    "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\nprint('done', flush=True)\n"
)
LINUX_PROC = Path(f"/proc/{os.getpid()}/task").is_dir()


def test_a_running_child_and_its_own_child_are_counted() -> None:
    if not LINUX_PROC:  # no /proc here: the children's share is unknown, never a made-up zero
        assert sample().children is None
        return
    # the child starts a grandchild that burns CPU, then both wait on stdin
    script = (
        "import subprocess, sys\n"
        f"g = subprocess.Popen([sys.executable, '-c', {BURN + 'import sys; sys.stdin.read()'!r}],"
        " stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)\n"
        "print(g.stdout.readline().strip(), g.pid, flush=True)\n"
        "sys.stdin.read()\n"
        "g.stdin.close(); g.wait()\n"
    )
    before = sample()
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        word, grandchild = child.stdout.readline().split()
        assert word == "done"
        after = sample()
        assert after.children is not None
        assert {child.pid, int(grandchild)} <= set(after.children)
        assert after.children[int(grandchild)] >= 0.2, "the grandchild's CPU is read while it runs"
        figures = per_task(before, after, tasks=10, wall_s=1.0)
        assert figures["cpu_us_per_task"]["mcp_servers"] >= 0.2 / 10 * 1e6
    finally:
        child.communicate("")


def test_without_proc_the_children_are_unknown_not_zero(tmp_path: Path) -> None:
    assert descendants_cpu(os.getpid(), proc=tmp_path) is None
    start = CpuSample(1.0, 2.0, None)
    end = CpuSample(1.5, 3.0, None)
    figures = per_task(start, end, tasks=1000, wall_s=2.0)
    assert figures == {
        "cpu_us_per_task": {"event_loop": 500.0, "other_threads": 500.0, "mcp_servers": None, "all": None},
        "cores_busy": None,
    }


def test_children_that_start_late_count_from_zero_and_ended_ones_drop_out() -> None:
    start = CpuSample(0.0, 0.0, {10: 1.0, 11: 5.0})
    end = CpuSample(0.1, 0.2, {10: 1.3, 12: 0.4})  # 11 exited, 12 started
    figures = per_task(start, end, tasks=100, wall_s=1.0)
    assert figures["cpu_us_per_task"]["mcp_servers"] == pytest.approx(7000.0)
    assert figures["cores_busy"] == pytest.approx(0.9)
