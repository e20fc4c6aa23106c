"""lua/assign.lua decides exactly what the plain-Python routing rules decide."""

from __future__ import annotations

from typing import Iterator, List

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff.keys import PREFIX, QUEUE_KEY, agent_chats_key, agent_key, conversation_key
from handoff.routing.rules import (
    AgentState,
    WaitingConversation,
    queue_score,
    reference_assignment,
)
from handoff.routing.scripts import script_source

LANGUAGES = ("zh", "en")
SKILLS = ("general", "fraud", "complaints")
NOW_MS = 1_800_000_000_000


@pytest.fixture
def assign_script(redis_client: redis.Redis) -> Iterator[object]:
    yield redis_client.register_script(script_source("assign"))


agents_strategy = st.lists(
    st.builds(
        AgentState,
        agent_id=st.sampled_from([f"a{i}" for i in range(8)]),
        languages=st.frozensets(st.sampled_from(LANGUAGES), min_size=1),
        skills=st.frozensets(st.sampled_from(SKILLS), min_size=1),
        max_chats=st.integers(0, 3),
        active=st.integers(0, 3),
        idle_since=st.integers(NOW_MS - 10_000, NOW_MS - 1),
        online=st.booleans(),
    ),
    max_size=6,
    unique_by=lambda agent: agent.agent_id,
)

conversations_strategy = st.lists(
    st.builds(
        lambda index, language, skill, priority, waited, manager: WaitingConversation(
            conversation_id=f"c{index}", language=language, skill=skill,
            score=queue_score(priority, NOW_MS - waited), relationship_manager=manager),
        index=st.integers(0, 40),
        language=st.sampled_from(LANGUAGES),
        skill=st.sampled_from(SKILLS),
        priority=st.sampled_from(("urgent", "high", "normal")),
        waited=st.integers(0, 600_000),
        manager=st.sampled_from(["", "", "", "a0", "a1", "rm-away"]),
    ),
    max_size=15,
    unique_by=lambda conversation: conversation.conversation_id,
)


def _store(client: redis.Redis, waiting: List[WaitingConversation],
           agents: List[AgentState]) -> None:
    client.flushdb()
    for agent in agents:
        client.hset(agent_key(agent.agent_id), mapping={
            "languages": ",".join(sorted(agent.languages)),
            "skills": ",".join(sorted(agent.skills)), "max_chats": agent.max_chats,
            "active": agent.active, "idle_since": agent.idle_since})
        if agent.online:
            client.sadd(f"{PREFIX}agents:online", agent.agent_id)
    for conversation in waiting:
        client.hset(conversation_key(conversation.conversation_id), mapping={
            "status": "queued", "language": conversation.language, "skill": conversation.skill,
            "rm": conversation.relationship_manager, "enqueued_at": NOW_MS - 5,
            "score": conversation.score})
        client.zadd(QUEUE_KEY, {conversation.conversation_id: conversation.score})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(waiting=conversations_strategy, agents=agents_strategy)
def test_the_script_routes_as_the_rules_say(redis_client, assign_script, waiting,
                                            agents) -> None:
    _store(redis_client, waiting, agents)
    flat = assign_script(args=[PREFIX, NOW_MS])
    decided = [(flat[i].decode(), flat[i + 1].decode()) for i in range(0, len(flat), 4)]

    assert decided == reference_assignment(waiting, agents, NOW_MS)
    for conversation_id, agent_id in decided:
        assert redis_client.zscore(QUEUE_KEY, conversation_id) is None
        assert redis_client.hget(conversation_key(conversation_id), "agent").decode() == agent_id
        assert redis_client.sismember(agent_chats_key(agent_id), conversation_id)
    for agent in agents:
        active = int(redis_client.hget(agent_key(agent.agent_id), "active"))
        # Never over capacity: an agent who already was keeps their chats and gets none.
        assert active == agent.active or active <= agent.max_chats


def test_priority_then_longest_wait_then_least_busy(redis_client, assign_script) -> None:
    agents = [AgentState("a-busy", frozenset({"zh"}), frozenset({"general"}), 3, active=1),
              AgentState("a-idle", frozenset({"zh"}), frozenset({"general"}), 3, active=0,
                         idle_since=NOW_MS - 100)]
    waiting = [
        WaitingConversation("late-normal", "zh", "general", queue_score("normal", NOW_MS - 10)),
        WaitingConversation("early-normal", "zh", "general", queue_score("normal", NOW_MS - 900)),
        WaitingConversation("urgent", "zh", "general", queue_score("urgent", NOW_MS - 1)),
    ]
    _store(redis_client, waiting, agents)
    flat = assign_script(args=[PREFIX, NOW_MS])
    assert [(flat[i], flat[i + 1]) for i in range(0, len(flat), 4)] == [
        (b"urgent", b"a-idle"), (b"early-normal", b"a-busy"), (b"late-normal", b"a-idle")]


def test_a_relationship_manager_online_keeps_their_customer(redis_client, assign_script) -> None:
    agents = [AgentState("rm-li", frozenset({"zh"}), frozenset({"general"}), 1, active=1),
              AgentState("a-free", frozenset({"zh"}), frozenset({"general"}), 5)]
    waiting = [WaitingConversation("vip", "zh", "general", queue_score("high", NOW_MS),
                                   relationship_manager="rm-li")]
    _store(redis_client, waiting, agents)
    # The manager is full: the customer waits for them rather than going to someone else.
    assert assign_script(args=[PREFIX, NOW_MS]) == []
    redis_client.srem(f"{PREFIX}agents:online", "rm-li")
    # The manager is offline: anyone eligible may help.
    assert assign_script(args=[PREFIX, NOW_MS])[:2] == [b"vip", b"a-free"]


OVERFLOW_MS = 300_000

waits_strategy = st.lists(st.integers(0, 2 * OVERFLOW_MS), min_size=15, max_size=15)
# Online with room, each with one or two skills: overflow decides often.
agents_with_room_strategy = st.lists(
    st.builds(
        AgentState,
        agent_id=st.sampled_from([f"a{i}" for i in range(8)]),
        languages=st.frozensets(st.sampled_from(LANGUAGES), min_size=1),
        skills=st.frozensets(st.sampled_from(SKILLS), min_size=1, max_size=2),
        max_chats=st.integers(1, 3),
        active=st.integers(0, 1),
        idle_since=st.integers(NOW_MS - 10_000, NOW_MS - 1),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda agent: agent.agent_id,
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(waiting=conversations_strategy, agents=agents_with_room_strategy, waits=waits_strategy)
def test_with_skill_overflow_the_script_routes_as_the_rules_say(redis_client, assign_script,
                                                                waiting, agents, waits) -> None:
    """Past the overflow wait, an agent without the skill (who speaks the language) may get
    the conversation, only when no agent with the skill has room; it is marked overflowed."""
    for index, conversation in enumerate(waiting):  # one wait drawn per possible conversation
        conversation.enqueued_at = NOW_MS - waits[index]
    _store(redis_client, waiting, agents)
    for conversation in waiting:
        redis_client.hset(conversation_key(conversation.conversation_id), "enqueued_at",
                          conversation.enqueued_at)
    skills_before = {agent.agent_id: agent.skills for agent in agents}
    flat = assign_script(args=[PREFIX, NOW_MS, OVERFLOW_MS])
    decided = [(flat[i].decode(), flat[i + 1].decode()) for i in range(0, len(flat), 4)]
    # The script says which it gave by overflow, as the conversation's record does.
    returned = {flat[i].decode(): flat[i + 3] for i in range(0, len(flat), 4)}

    assert decided == reference_assignment(waiting, agents, NOW_MS, OVERFLOW_MS)
    by_id = {conversation.conversation_id: conversation for conversation in waiting}
    for conversation_id, agent_id in decided:
        conversation = by_id[conversation_id]
        overflowed = redis_client.hget(conversation_key(conversation_id), "overflowed")
        lacks_skill = conversation.skill not in skills_before[agent_id] \
            and conversation.relationship_manager != agent_id
        assert (overflowed == b"1") == lacks_skill
        assert returned[conversation_id] == (1 if lacks_skill else 0)
        if lacks_skill:
            assert NOW_MS - conversation.enqueued_at >= OVERFLOW_MS


def test_overflow_waits_its_time_and_needs_the_language(redis_client, assign_script) -> None:
    agents = [AgentState("a-en", frozenset({"en"}), frozenset({"general"}), 2),
              AgentState("a-zh", frozenset({"zh"}), frozenset({"general"}), 2)]
    waiting = [
        WaitingConversation("fraud-early", "zh", "fraud", queue_score("urgent", NOW_MS - 1),
                            enqueued_at=NOW_MS - OVERFLOW_MS + 1),
        WaitingConversation("fraud-long", "zh", "fraud", queue_score("urgent", NOW_MS - 2),
                            enqueued_at=NOW_MS - OVERFLOW_MS),
        WaitingConversation("fraud-en", "en", "fraud", queue_score("urgent", NOW_MS - 3),
                            enqueued_at=NOW_MS - OVERFLOW_MS),
    ]
    _store(redis_client, waiting, agents)
    for conversation in waiting:
        redis_client.hset(conversation_key(conversation.conversation_id), "enqueued_at",
                          conversation.enqueued_at)
    flat = assign_script(args=[PREFIX, NOW_MS, OVERFLOW_MS])
    assert sorted((flat[i], flat[i + 1]) for i in range(0, len(flat), 4)) == [
        (b"fraud-en", b"a-en"), (b"fraud-long", b"a-zh")]
    # Without the overflow time (0: never) nobody gets them.
    _store(redis_client, waiting, agents)
    assert assign_script(args=[PREFIX, NOW_MS, 0]) == []
