"""The money commands as a user runs them, many at once, and killed half-way."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from tests.conftest import Cli, query
from tests.invariants import store_problems

CATEGORIES = ["compute", "compute", "api", "api", "content", "content", "storage", "other", "compute", "api"]


def _transfer(
    cli: Cli, amount: str, category: str = "api", to: str = "0xabc", **env: str
) -> subprocess.CompletedProcess[str]:
    return cli.run(
        "wallet",
        "transfer",
        "--agent",
        "nova",
        "--to",
        to,
        "--amount",
        amount,
        "--category",
        category,
        "--purpose",
        "pay for the headline API",
        "--json",
        env=env,
    )


def test_transfer_balance_history_budget(cli: Cli) -> None:
    done = _transfer(cli, "4.50")
    assert done.returncode == 0, done.stderr
    entry = json.loads(done.stdout)
    assert entry["status"] == "posted" and entry["entry"]["amount_cents"] == 450 and entry["tier"] == "auto"
    assert entry["approved"] is True and entry["reason"] and entry["conditions"] == []
    balance = cli.json("wallet", "balance", "--agent", "nova")
    assert balance == {
        "agent_id": "nova",
        "balance_cents": 9550,
        "balance_usd": "95.50",
        "wallet": "simulated",
        "simulated": True,
    }
    refused = _transfer(cli, "25")  # over the CFO's $50? no: over the api category's $20 cap
    assert refused.returncode == 3 and "api cap" in refused.stderr
    budget = cli.json("budget", "show", "--agent", "nova")
    assert budget["periods"]["day"]["spent_cents"] == 450 and budget["periods"]["day"]["left_cents"] == 4550
    history = cli.json("wallet", "history", "--agent", "nova")
    assert [e["state"] for e in history["ledger"]] == ["posted"]
    money = cli.json("status")["money"]
    nova = next(a for a in money["agents"] if a["agent_id"] == "nova")
    assert money["kill_switch"] == "off" and money["wallet"] == "simulated"
    assert (nova["day_spent_cents"], nova["day_limit_cents"], nova["in_flight"]) == (450, 5000, 0)
    kinds = [e["kind"] for e in history["events"]]
    assert "spend.refused" in kinds and "spend.posted" in kinds and "spend.auto" in kinds
    bad = cli.run("wallet", "transfer", "--agent", "nova", "--to", "x", "--amount", "lots", "--purpose", "p")
    assert bad.returncode == 2 and "not an amount" in bad.stderr


def test_kill_switch_and_resume(cli: Cli) -> None:
    assert cli.json("kill") == {"kill_switch": "on"}
    stopped = _transfer(cli, "1")
    assert stopped.returncode == 3 and "kill switch" in stopped.stderr
    assert cli.run("resume").returncode == 0
    assert _transfer(cli, "1").returncode == 0


def test_concurrent_transfer_processes_never_pass_the_daily_limit(cli: Cli) -> None:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chimera",
                "--home",
                str(cli.home.root),
                "wallet",
                "transfer",
                "--agent",
                "nova",
                "--to",
                f"0x{i}",
                "--amount",
                "9.00",
                "--category",
                cat,
                "--purpose",
                "pay for the headline API",
            ],
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, cat in enumerate(CATEGORIES)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    failures = [err for (_, err), code in zip(outputs, codes, strict=True) if code not in (0, 3)]
    assert not failures, failures
    spent = query(cli.home.db_path, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger WHERE state <> 'voided'")[0][0]
    assert spent <= 5000
    assert codes.count(0) == spent // 900 and codes.count(0) >= 5, codes
    assert set(codes) <= {0, 3}
    day = query(cli.home.db_path, "SELECT spent_cents FROM budget_counters WHERE period = 'day'")
    assert day == [(spent,)]
    assert query(cli.home.db_path, "SELECT COUNT(*) FROM sim_wallet")[0][0] == codes.count(0)
    assert query(cli.home.db_path, "SELECT COUNT(*) FROM ledger WHERE state = 'posted'")[0][0] == codes.count(0)


def test_recovery_leaves_a_young_reservation_alone(cli: Cli) -> None:
    killed = _transfer(cli, "3", CHIMERA_CRASH_AT="after_reserve:1")
    assert killed.returncode == -signal.SIGKILL
    cli.json("wallet", "history", "--agent", "nova")  # default grace: the reservation may still be in flight
    assert query(cli.home.db_path, "SELECT state FROM ledger") == [("reserved",)]


def _no_grace(cli: Cli) -> None:
    """Let recovery settle reservations at once (the default waits for spends still running elsewhere)."""
    fleet = cli.home.fleet_file
    fleet.write_text(fleet.read_text() + "\n[money]\nrecovery_grace_s = 0\n")


def test_a_transfer_killed_after_the_wallet_applied_it_is_posted_not_resent(cli: Cli) -> None:
    _no_grace(cli)
    killed = _transfer(cli, "3", CHIMERA_CRASH_AT="after_transfer:1")
    assert killed.returncode == -signal.SIGKILL
    assert query(cli.home.db_path, "SELECT state FROM ledger") == [("reserved",)]
    history = cli.json("wallet", "history", "--agent", "nova")  # any money command recovers first
    assert [e["state"] for e in history["ledger"]] == ["posted"]
    assert query(cli.home.db_path, "SELECT COUNT(*) FROM sim_wallet") == [(1,)]


def test_a_transfer_killed_before_the_wallet_call_is_voided(cli: Cli) -> None:
    _no_grace(cli)
    killed = _transfer(cli, "3", CHIMERA_CRASH_AT="after_reserve:1")
    assert killed.returncode == -signal.SIGKILL
    budget = cli.json("budget", "show", "--agent", "nova")
    assert budget["periods"]["day"]["spent_cents"] == 0
    assert query(cli.home.db_path, "SELECT state FROM ledger") == [("voided",)]
    assert query(cli.home.db_path, "SELECT COUNT(*) FROM sim_wallet") == [(0,)]


def _roomy_limits(cli: Cli) -> None:
    """Raise nova's day cap and the api category so a spend above the CFO's $50 can fit at all."""
    fleet = cli.home.fleet_file
    fleet.write_text(
        fleet.read_text()
        + '\n[money.agents.nova]\nday_usd = "100"\nweek_usd = "200"\n'
        + '\n[money.category_day_usd]\napi = "100"\ncompute = "20"\nstorage = "10"\ncontent = "20"\nother = "10"\n'
    )


def test_a_spend_above_the_cfo_goes_to_the_review_queue_and_a_human_pays_it(cli: Cli) -> None:
    _roomy_limits(cli)
    asked = _transfer(cli, "60", to="0xvendor")
    assert asked.returncode == 3 and "approve or reject it in `chimera review`" in asked.stderr
    assert json.loads(asked.stdout)["status"] == "review"
    again = _transfer(cli, "60", to="0xvendor")  # a new request (new key) is a second review item
    assert again.returncode == 3
    items = [i for i in cli.json("review", "list") if i["kind"] == "spend"]
    assert len(items) == 2 and items[0]["spend_key"] and items[0]["task_id"] is None
    assert "wants to pay $60.00 to 0xvendor" in items[0]["content"]
    assert query(cli.home.db_path, "SELECT COUNT(*) FROM ledger") == [(0,)], (
        "nothing is reserved before a human says yes"
    )

    paid = cli.json("review", "approve", str(items[0]["review_id"]))
    assert paid["status"] == "approved" and paid["outcome"] == "approved; spend posted"
    assert query(cli.home.db_path, "SELECT amount_cents, approval, approved_by, state FROM ledger") == [
        (6000, "human", "tester", "posted")
    ]
    # the second $60 no longer fits the $100 day: SQLite refuses it even though a human approves
    refused = cli.run("review", "approve", str(items[1]["review_id"]))
    assert refused.returncode == 3 and "CHECK constraint failed" in refused.stderr
    assert cli.json("review", "reject", str(items[1]["review_id"]), "--reason", "over budget")["status"] == "rejected"
    balance = cli.json("wallet", "balance", "--agent", "nova")
    assert balance["balance_cents"] == 10000 - 6000


def test_kill_switch_stops_publishing_too(cli: Cli) -> None:
    assert cli.run("kill").returncode == 0
    cli.json("run", "--until-idle")
    assert cli.json("status")["posts"] == 0
    refused = query(cli.home.db_path, "SELECT DISTINCT error FROM results WHERE error LIKE '%kill switch%'")
    assert refused == [("publishing stopped: the kill switch is on",)]
    # after a resume, a human approving an escalated post publishes it
    assert cli.run("resume").returncode == 0
    posts = [i for i in cli.json("review", "list") if i["kind"] == "post_content"]
    assert posts
    cli.json("review", "approve", str(posts[0]["review_id"]))
    cli.json("run", "--until-idle")
    assert cli.json("status")["posts"] == 1
    assert store_problems(cli.home.db_path, settled=True) == []


def test_a_spend_past_150_percent_of_a_limit_pauses_the_agent_until_resumed(cli: Cli) -> None:
    over = _transfer(cli, "80")
    assert over.returncode == 3 and "daily limit" in over.stderr
    assert json.loads(over.stdout)["paused_agent"] is True
    paused = _transfer(cli, "1")
    assert paused.returncode == 3 and "agent is paused" in paused.stderr
    assert cli.json("resume", "--agent", "nova") == {"agent_id": "nova", "status": "active"}
    assert _transfer(cli, "1").returncode == 0
    events = [e["kind"] for e in cli.json("wallet", "history", "--agent", "nova")["events"]]
    assert "agent.pause" in events and "agent.resume" in events
    assert cli.run("resume", "--agent", "ghost").returncode == 3


def test_coinbase_wallet_is_opt_in_and_says_what_it_needs_without_printing_secrets(cli: Cli) -> None:
    fleet = cli.home.fleet_file
    fleet.write_text(fleet.read_text() + '\n[money]\nwallet = "coinbase"\n')
    missing = cli.run("wallet", "balance", "--agent", "nova")
    assert missing.returncode == 2 and "CDP_API_KEY_NAME and CDP_API_KEY_PRIVATE_KEY" in missing.stderr
    secret = "MHcCAQEEIsecret-value-that-must-not-leak"
    no_data = cli.run(
        "wallet",
        "balance",
        "--agent",
        "nova",
        env={"CDP_API_KEY_NAME": "organizations/o/apiKeys/k", "CDP_API_KEY_PRIVATE_KEY": secret},
    )
    assert no_data.returncode == 2 and "CDP_WALLET_DATA" in no_data.stderr
    assert secret not in no_data.stdout + no_data.stderr


def test_token_deployment_always_needs_a_human(cli: Cli) -> None:
    asked = cli.run(
        "wallet",
        "deploy-token",
        "--agent",
        "nova",
        "--name",
        "Nova Points",
        "--symbol",
        "NOVA",
        "--supply",
        "1000000",
        "--budget",
        "5",
        "--purpose",
        "loyalty points for readers",
    )
    assert asked.returncode == 3 and "approve or reject it in `chimera review`" in asked.stderr
    item = next(i for i in cli.json("review", "list") if i["kind"] == "spend")
    assert "deploy token Nova Points (NOVA, supply 1000000) for up to $5.00" in item["content"]
    approved = cli.json("review", "approve", str(item["review_id"]))
    assert approved["outcome"] == "approved; spend posted"
    (entry,) = cli.json("wallet", "history", "--agent", "nova")["ledger"]
    assert entry["kind"] == "deploy_token" and entry["approval"] == "human" and entry["tx_ref"].endswith("-token-NOVA")
