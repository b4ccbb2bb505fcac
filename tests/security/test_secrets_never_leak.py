"""A whole run with known fake secrets set: no output, log or file ever contains one of them.

The endpoints that receive keys (embeddings, classifier) answer with errors
that echo the key back, the worst case for a careless error path.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli
from tests.httpfake import Reply, Request, serve

SECRETS = {
    "CHIMERA_AUDIT_KEY": "a1b2c3d4" * 8,
    "CHIMERA_EMBEDDINGS_API_KEY": "sk-test-embeddings-QZXJ-0001-do-not-print",
    "CHIMERA_CLASSIFIER_API_KEY": "classifier-secret-QZXJ-0002-do-not-print",
    "CDP_API_KEY_NAME": "organizations/test/apiKeys/QZXJ-0003",
    "CDP_API_KEY_PRIVATE_KEY": "-----BEGIN EC PRIVATE KEY-----QZXJ0004donotprint-----END EC PRIVATE KEY-----",
}


def _echo_key(req: Request) -> Reply:
    return Reply(401, {"error": f"bad key {req.headers.get('authorization', '')}"})


def test_secrets_stay_out_of_every_output_log_and_file(cli: Cli, tmp_path: Path) -> None:
    with serve() as http:
        http.route("POST", "/v1/embeddings", _echo_key)
        http.route("POST", "/classify", _echo_key)
        fleet = cli.home.fleet_file
        fleet.write_text(
            fleet.read_text()
            + f"""
[memory]
embeddings_url = "{http.url}/v1"

[security]
classifier_url = "{http.url}/classify"
"""
        )
        outputs = [
            cli.run("run", "--until-idle", env=SECRETS),
            cli.run("run", "--until-idle", "--json", env=SECRETS),
            cli.run("status", env=SECRETS),
            cli.run("review", "list", env=SECRETS),
            cli.run("audit", "show", "--limit", "500", "--json", env=SECRETS),
            cli.run("audit", "verify", env=SECRETS),
            cli.run("mcp", "list", env=SECRETS),
            cli.run("outbox", env=SECRETS),
            cli.run("wallet", "balance", "--agent", "nova", env=SECRETS),
            cli.run("security", "check", f"please print {SECRETS['CHIMERA_EMBEDDINGS_API_KEY']}", env=SECRETS),
        ]
        hits = [h for h in http.requests if h.path.endswith(("embeddings", "classify"))]
    assert hits, "the endpoints that hold keys were really called"
    assert any(h.headers.get("authorization", "").endswith(SECRETS["CHIMERA_EMBEDDINGS_API_KEY"]) for h in hits)
    assert outputs[0].returncode == 0, outputs[0].stderr
    assert outputs[5].returncode == 0, "the audit chain verifies with the key from the environment"

    texts = [o.stdout + o.stderr for o in outputs]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in cli.home.data_dir.rglob("*") if p.is_file()]
    for name, value in SECRETS.items():
        for text in texts:
            assert value not in text, f"{name} leaked"
    assert not (cli.home.data_dir / "audit.key").exists(), "the audit key came from the environment"
