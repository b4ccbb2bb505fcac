"""A reviewer's edit is outside text too: it passes the gateway and the output checks before it is accepted."""

from __future__ import annotations

from chimera.errors import Refusal
from chimera.governance.output_checks import output_problems
from chimera.governance.security.gateway import SecurityGateway


async def check_edit(gateway: SecurityGateway, text: str, *, agent_id: str, link_allowlist: list[str]) -> None:
    """Raise Refusal (saying why) if the edited text is blocked or could not be published."""
    verdict = await gateway.check(text, source="review-edit", agent_id=agent_id)
    if not verdict.approved:
        raise Refusal(f"the edited text was blocked by the security gateway ({verdict.threat.name}): {verdict.reason}")
    problems = output_problems(text, link_allowlist)
    if problems:
        raise Refusal(f"the edited text cannot be published: {'; '.join(problems)}")
