"""The routing rules that do not need Redis: priority, skill, queue order.

The Lua scripts in `lua/` apply them atomically; `tests/unit/routing/test_assign_rules.py`
checks `lua/assign.lua` against `reference_assignment`, the same rules in plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

from actions.tickets.open_complaint import KEY_SEGMENTS

PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2}
# Milliseconds per priority step in a queue score: later than any wait, so priority wins.
PRIORITY_STEP_MS = 10**13
DEFAULT_SKILL = "general"
# The skills agents can have, and queues a conversation can be transferred to.
SKILLS = (DEFAULT_SKILL, "complaints", "fraud", "wealth")
# The skill a conversation needs, by the bot's reason for handing over.
SKILL_BY_REASON = {
    "fraud": "fraud",
    "stolen_card": "fraud",
    "complaint": "complaints",
    "regulator_threat": "complaints",
}
EMOTIONAL_REASONS = frozenset({"anger", "rising_distress", "bereavement", "regulator_threat"})
# The role that takes customers only when no agent can (handoff.agents.ROLES).
SUPERVISOR = "supervisor"


def effective_priority(requested: str, reason: str, segment: Optional[str]) -> str:
    """Fraud is urgent; an upset customer or a key (VIP) customer is at least high."""
    rank = PRIORITY_RANK.get(requested, PRIORITY_RANK["normal"])
    if reason in ("fraud", "stolen_card"):
        rank = min(rank, PRIORITY_RANK["urgent"])
    if reason in EMOTIONAL_REASONS or segment in KEY_SEGMENTS:
        rank = min(rank, PRIORITY_RANK["high"])
    return next(name for name, value in PRIORITY_RANK.items() if value == rank)


def required_skill(reason: str) -> str:
    return SKILL_BY_REASON.get(reason, DEFAULT_SKILL)


def queue_score(priority: str, queued_at_ms: int) -> int:
    """Urgent before high before normal; within a priority, the longest-waiting first."""
    return PRIORITY_RANK[priority] * PRIORITY_STEP_MS + queued_at_ms


@dataclass
class AgentState:
    agent_id: str
    languages: frozenset[str]
    skills: frozenset[str]
    max_chats: int
    active: int = 0
    idle_since: int = 0
    online: bool = True
    role: str = "agent"
    # Offered a conversation not accepted yet: no other offer until it is accepted or withdrawn.
    open_offer: bool = False

    @property
    def has_room(self) -> bool:
        return self.active < self.max_chats

    @property
    def may_be_offered(self) -> bool:
        return self.has_room and not self.open_offer


@dataclass
class WaitingConversation:
    conversation_id: str
    language: str
    skill: str
    score: int
    relationship_manager: str = ""
    # Since when it waits (ms): the skill overflow counts from here.
    enqueued_at: int = 0


def reference_assignment(
    waiting: List[WaitingConversation], agents: List[AgentState], now_ms: int,
    overflow_ms: int = 0,
) -> List[Tuple[str, str]]:
    """What `lua/assign.lua` must decide, written plainly: [(conversation, agent), ...]."""
    online = {a.agent_id: a for a in sorted(agents, key=lambda a: a.agent_id) if a.online}
    assigned: List[Tuple[str, str]] = []
    for conversation in sorted(waiting, key=lambda c: (c.score, c.conversation_id)):
        manager = online.get(conversation.relationship_manager)
        if manager is not None:
            best = manager if manager.may_be_offered else None
        else:
            best = _choose(list(online.values()), conversation,
                           overflows(conversation.enqueued_at, now_ms, overflow_ms))
        if best is not None:
            best.active += 1
            best.idle_since = now_ms
            best.open_offer = True
            assigned.append((conversation.conversation_id, best.agent_id))
    return assigned


def overflows(enqueued_at_ms: int, now_ms: int, overflow_ms: int) -> bool:
    """Waited long enough for any agent who speaks the language (0: never)."""
    return overflow_ms > 0 and now_ms - enqueued_at_ms >= overflow_ms


def _choose(agents: List[AgentState], conversation: WaitingConversation,
            may_overflow: bool) -> Optional[AgentState]:
    """Agents first, supervisors only when no agent has room: within each, those with the
    skill, then (past the overflow time) those who speak the language. The first of these
    groups where someone has room decides: its least busy without an open offer, or nobody
    yet (the conversation waits for them)."""
    for supervisors in (False, True):
        tier = [a for a in agents if (a.role == SUPERVISOR) == supervisors]
        groups = [conversation.skill] + ([None] if may_overflow else [])
        for skill in groups:
            with_room = [a for a in tier if a.has_room and conversation.language in a.languages
                         and (skill is None or skill in a.skills)]
            if with_room:
                return _least_busy(with_room)
    return None


def _least_busy(agents: Iterable[AgentState]) -> Optional[AgentState]:
    """The one without an open offer who has the fewest chats, then is idle longest."""
    return min((a for a in agents if not a.open_offer),
               key=lambda a: (a.active, a.idle_since, a.agent_id), default=None)
