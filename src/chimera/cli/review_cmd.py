"""``chimera review``: the human in the loop, interactive or scripted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.console import Console, Group
from rich.panel import Panel
from rich.prompt import Prompt
from rich.table import Table
from rich.text import Text

from chimera.errors import Refusal
from chimera.governance.treasury import SpendOutcome
from chimera.models.contracts import ReviewItem
from chimera.store import reviews
from chimera.store.scope import TenantScope


def render_item(item: ReviewItem, position: str = "") -> Panel:
    """A review item as a panel: content, confidence, why it is here, the reasoning trace."""
    head = Table.grid(padding=(0, 2))
    head.add_row("agent", item.agent_id, "campaign", item.campaign_id)
    head.add_row(
        "task", f"{item.task_id} ({item.kind}, attempt {item.attempt})", "confidence", f"{item.confidence:.2f}"
    )
    why = Text("\n".join(f"• {e}" for e in item.escalation), style="yellow")
    trace = Text("\n".join(f"  {line}" for line in item.reasoning), style="dim")
    body = Group(head, Text(""), Text(item.content, style="bold"), Text(""), Text("Escalated because:"), why,
                 Text("Reasoning trace:"), trace)  # fmt: skip
    created = dt.datetime.fromtimestamp(item.created_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Panel(body, title=f"review #{item.review_id} {position}", subtitle=created, expand=True)


def review_table(items: list[ReviewItem]) -> Table:
    """Pending items, one line each."""
    table = Table(title="Review queue")
    for col in ("id", "agent", "kind", "confidence", "why", "content"):
        table.add_column(col)
    for i in items:
        table.add_row(str(i.review_id), i.agent_id, i.kind, f"{i.confidence:.2f}", "; ".join(i.escalation)[:60],
                      i.content[:70])  # fmt: skip
    return table


@dataclass(frozen=True, slots=True)
class ReviewActions:
    """What approving needs beyond the store: paying a spend, and checking an edit."""

    approve_spend: Callable[[int], Awaitable[SpendOutcome]]
    """Pay an approved spend through the treasury."""
    check_edit: Callable[[str, str], Awaitable[None]]
    """Raise Refusal if an edited text (for an agent) may not be used."""


async def approve_item(scope: TenantScope, item: ReviewItem, reviewer: str, actions: ReviewActions,
                       edited: str | None = None) -> str:  # fmt: skip
    """Approve any item: content continues the pipeline; a spend is paid through the treasury."""
    if item.spend_key is None:
        if edited is not None:
            await actions.check_edit(edited, item.agent_id)
        await reviews.approve(scope, item.review_id, reviewer, edited)
        return "approved"
    if edited is not None:
        raise Refusal("a spend cannot be edited; reject it and ask again")
    outcome = await actions.approve_spend(item.review_id)
    return f"approved; spend {outcome.status}"


async def interactive(scope: TenantScope, reviewer: str, console: Console, actions: ReviewActions) -> dict[str, int]:
    """Walk the pending items: [a]pprove, [e]dit then approve, [r]eject, [s]kip, [q]uit."""
    items = await reviews.list_reviews(scope)
    counts = {"approved": 0, "rejected": 0, "skipped": 0}
    if not items:
        console.print("Nothing to review.")
        return counts
    for n, item in enumerate(items, 1):
        console.print(render_item(item, f"({n}/{len(items)})"))
        try:
            choice = Prompt.ask(
                "[a]pprove, [e]dit then approve, [r]eject, [s]kip, [q]uit",
                choices=["a", "e", "r", "s", "q"],
                default="s",
                console=console,
            )
        except EOFError:  # input closed: stop here, nothing half-decided
            choice = "q"
        try:
            if choice == "a":
                console.print(await approve_item(scope, item, reviewer, actions))
                counts["approved"] += 1
            elif choice == "e":
                text = Prompt.ask("New text", default=item.content, console=console)
                console.print(await approve_item(scope, item, reviewer, actions, edited=text))
                counts["approved"] += 1
            elif choice == "r":
                reason = ""
                while not reason.strip():
                    reason = Prompt.ask("Reason (required)", console=console)
                await reviews.reject(scope, item.review_id, reviewer, reason)
                counts["rejected"] += 1
            elif choice == "s":
                counts["skipped"] += 1
            else:
                counts["skipped"] += len(items) - n + 1
                break
        except Refusal as exc:
            console.print(f"[red]{exc}[/]", markup=True, highlight=False)
        except EOFError:
            console.print("input closed; this item stays pending")
            counts["skipped"] += len(items) - n + 1
            break
    console.print(
        f"approved {counts['approved']}, rejected {counts['rejected']}, skipped {counts['skipped']}."
        " Run `chimera run --until-idle` to publish what was approved."
    )
    return counts
