"""The MCP client pool against real stdio subprocesses: crashes, hangs, servers that stay down, allow-lists."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from chimera.errors import PermissionRefused, ServerUnavailable, ToolError
from chimera.mcp.command import ServerCommand
from chimera.mcp.permissions import ToolPermissions
from chimera.mcp.pool import ServerSpec, ServerState, ServerStatus, open_pool
from chimera.mcp.session import structured
from chimera.models.config import McpPolicy, Persona, Role

SERVERS = Path(__file__).parent / "servers"
FAST = McpPolicy(backoff_base_s=0.05, backoff_max_s=0.2, max_restarts=3, restart_window_s=60, ping_interval_s=0.5)


def _spec(name: str, script: str, timeout_s: float = 10.0) -> ServerSpec:
    return ServerSpec(name, ServerCommand(sys.executable, [str(SERVERS / script)]), timeout_s)


async def _pid(pool_server: object) -> int:
    result = await pool_server.call_tool("pid", {})  # type: ignore[attr-defined]
    return int(structured(result))


def test_a_killed_server_is_restarted_and_the_call_retried() -> None:
    seen: list[tuple[str, str]] = []

    def listener(s: ServerStatus) -> None:
        seen.append((s.name, s.state.value))

    async def main() -> tuple[int, int, int, str]:
        with anyio.fail_after(60):
            async with open_pool([_spec("flaky", "flaky.py")], FAST, listener) as pool:
                server = pool.server("flaky")
                first = await _pid(server)
                os.kill(first, signal.SIGKILL)  # killed from outside, between calls
                second = await _pid(server)  # finds it gone, restarts it, retries once
                with pytest.raises(ServerUnavailable):  # dies mid-call; not retried when the caller says so
                    await server.call_tool("die", {}, retry=False)
                third = await _pid(server)
                return first, second, third, structured(await server.call_tool("echo", {"text": "still here"}))

    first, second, third, echoed = anyio.run(main)
    assert len({first, second, third}) == 3, "each crash was followed by a new process"
    assert echoed == "still here"
    assert ("flaky", "restarting") in seen and seen.count(("flaky", "up")) >= 3


def test_an_idle_crash_is_noticed_by_the_ping() -> None:
    async def main() -> tuple[str, int]:
        with anyio.fail_after(60):
            async with open_pool([_spec("flaky", "flaky.py")], FAST) as pool:
                server = pool.server("flaky")
                os.kill(await _pid(server), signal.SIGKILL)
                while server.status.restarts == 0:  # noqa: ASYNC110 (nobody calls: the supervisor's ping finds it)
                    await anyio.sleep(0.05)
                await _pid(server)
                return server.status.state.value, server.status.restarts

    state, restarts = anyio.run(main)
    assert state == "up" and restarts == 1


def test_a_hung_call_times_out_with_a_clear_error_and_the_server_comes_back() -> None:
    async def main() -> str:
        with anyio.fail_after(60):
            async with open_pool([_spec("flaky", "flaky.py", timeout_s=1.0)], FAST) as pool:
                server = pool.server("flaky")
                with pytest.raises(ServerUnavailable, match=r"did not answer hang within 1\.0s"):
                    await server.call_tool("hang", {}, retry=False)
                return str(structured(await server.call_tool("echo", {"text": "back"})))

    assert anyio.run(main) == "back"


def test_a_server_that_keeps_crashing_is_marked_down_and_the_others_carry_on() -> None:
    async def main() -> tuple[ServerStatus, str, str]:
        with anyio.fail_after(60):
            async with open_pool([_spec("crashy", "crash.py"), _spec("flaky", "flaky.py")], FAST) as pool:
                crashy = pool.server("crashy")
                while crashy.status.state != ServerState.DOWN:  # noqa: ASYNC110 (polls the supervisor's view)
                    await anyio.sleep(0.05)
                with pytest.raises(ServerUnavailable) as down:
                    await crashy.call_tool("anything", {})
                echoed = structured(await pool.server("flaky").call_tool("echo", {"text": "fine"}))
                return crashy.status, str(down.value), echoed

    status, error, echoed = anyio.run(main)
    assert status.state == ServerState.DOWN and status.restarts == FAST.max_restarts
    assert "MCP server 'crashy' is down" in error
    assert echoed == "fine"


def test_a_tool_error_does_not_restart_the_server() -> None:
    async def main() -> int:
        with anyio.fail_after(60):
            async with open_pool([_spec("flaky", "flaky.py")], FAST) as pool:
                server = pool.server("flaky")
                with pytest.raises(ToolError) as err:
                    await server.call_tool("no_such_tool", {})
                assert not isinstance(err.value, ServerUnavailable)
                return server.status.restarts

    assert anyio.run(main) == 0


def test_unknown_server_names_the_configured_ones() -> None:
    async def main() -> None:
        async with open_pool([_spec("flaky", "flaky.py")], FAST) as pool:
            pool.server("nope")

    with pytest.raises(ToolError, match=r"no MCP server named 'nope' is configured \(configured: flaky\)"):
        anyio.run(main)


def test_the_allow_list_is_enforced_per_agent_and_refusals_are_reported() -> None:
    roles = {"influencer": Role(), "reader": Role(mcp_tools=["news.fetch_trends"])}
    personas = {
        "nova": Persona(agent_id="nova", name="Nova", voice="v", niche="n"),
        "rita": Persona(agent_id="rita", name="Rita", voice="v", niche="n", role="reader"),
    }
    refused: list[tuple[str, str]] = []
    perms = ToolPermissions(roles, personas, lambda agent, what: refused.append((agent, what)))
    perms.check("nova", "memory", "store_memory")
    perms.check("rita", "news", "fetch_trends")
    with pytest.raises(PermissionRefused, match=r"agent 'rita' \(role 'reader'\) may not call MCP tool memory.forget"):
        perms.check("rita", "memory", "forget")
    with pytest.raises(PermissionRefused):
        perms.check("stranger", "news", "fetch_trends")
    assert refused == [("rita", "memory.forget"), ("stranger", "news.fetch_trends")]


def test_the_sdk_s_result_validation_is_loaded_at_start_not_in_the_first_call() -> None:
    # A fresh interpreter: whether jsonschema is loaded depends on what this one imported before.
    script = f"""
import sys, anyio
from chimera.mcp.command import ServerCommand
from chimera.mcp.pool import ServerSpec, open_pool
from chimera.models.config import McpPolicy

async def main() -> None:
    assert "jsonschema" not in sys.modules, "loaded before the pool started"
    spec = ServerSpec("flaky", ServerCommand(sys.executable, [{str(SERVERS / "flaky.py")!r}]), 10.0)
    async with open_pool([spec], McpPolicy()) as pool:
        assert "jsonschema" in sys.modules, "not loaded at start"
        result = await pool.server("flaky").call_tool("pid", {{}})
        print(result.structured_content)

anyio.run(main)
"""
    proc = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "result" in proc.stdout
