"""The audit signature: the same bytes and the same HMAC as the chain has always used.

Records already in a database were signed as HMAC-SHA256 over
``json.dumps([prev, tenant, kind, actor, subject, agent, detail, repr(time)],
ensure_ascii=False, separators=(",", ":"))``; any change to that text would make
every existing chain fail ``chimera audit verify``.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from hypothesis import given
from hypothesis import strategies as st

from chimera.store.audit_chain import AuditEntry, AuditSigner, canonical


def _reference(key: bytes, prev: str, e: AuditEntry) -> str:
    fields = [prev, e.tenant_id, e.kind, e.actor, e.subject, e.agent_id, e.detail, repr(e.created_at)]
    message = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


_entries = st.builds(
    AuditEntry,
    tenant_id=st.text(),
    kind=st.text(),
    actor=st.text(),
    subject=st.text(),
    detail=st.text(),
    created_at=st.floats(allow_nan=True, allow_infinity=True),
    agent_id=st.none() | st.text(),
)


@given(key=st.binary(min_size=16, max_size=200), prev=st.text(), entry=_entries)
def test_signature_matches_hmac_over_the_json_message(key: bytes, prev: str, entry: AuditEntry) -> None:
    signer = AuditSigner(key)
    assert signer.sign(prev, entry) == _reference(key, prev, entry)
    assert json.loads(canonical(prev, entry))[5] == entry.agent_id


def test_a_record_signed_before_keeps_its_hash() -> None:
    key = bytes(range(32))
    entry = AuditEntry("tenant0", "judge.decision", "judge", "00060f1c2d3e4f5a6b",
                       '{"verdict": "approve", "note": "caf\u00e9 \\"quoted\\"\\n"}', 1795400000.123456)  # fmt: skip
    # computed once from the definition above, so a change of format shows here even if both sides move
    expected = "33b04239c1cad6f76a62122d0ff661bf63c9d420edeca960b9444055b374348d"
    assert AuditSigner(key).sign("0" * 64, entry) == expected


def test_one_signer_signs_many_records_independently() -> None:
    signer = AuditSigner(b"k" * 32)
    a = AuditEntry("t", "spend", "cfo", "x", "{}", 1.0)
    b = AuditEntry("t", "spend", "cfo", "y", "{}", 2.0)
    first = signer.sign("0" * 64, a)
    signer.sign(first, b)
    assert signer.sign("0" * 64, a) == first  # the keyed state is copied, never consumed
