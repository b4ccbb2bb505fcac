"""A process run through ``run_as_process`` exits as it would anyway, minus the last full collection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import atexit, gc, json, logging, sys
from chimera.runtime.interpreter import run_as_process

log = logging.getLogger("probe")
log.addHandler(logging.FileHandler(sys.argv[1], encoding="utf-8"))

def report() -> None:  # atexit handlers still run, after the entry point
    print(json.dumps({"frozen": gc.get_freeze_count()}))

def entry() -> None:
    atexit.register(report)
    cycle = {"data": list(range(1000))}
    cycle["self"] = cycle  # alive when the process ends, only reachable through itself
    print("written without a flush", end="\\n")
    log.warning("the last log line")
    raise SystemExit(3)

run_as_process(entry)
"""


def test_exit_code_output_and_log_survive_and_the_heap_is_frozen(tmp_path: Path) -> None:
    log = tmp_path / "probe.log"
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(log)], capture_output=True, text=True, check=False)
    assert proc.returncode == 3, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "written without a flush"
    assert json.loads(lines[1])["frozen"] > 1000  # everything alive at exit, the cycle among it
    assert log.read_text(encoding="utf-8") == "the last log line\n"
