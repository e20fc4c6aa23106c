"""lua/assign.lua decides exactly what the plain-Python routing rules decide."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator, List, Tuple

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


ROLES = st.sampled_from(["agent", "agent", "supervisor"])


def _holding_their_offer(agent: AgentState) -> AgentState:
    """An open offer is one of the agent's chats: counted in `active`."""
    return replace(agent, active=max(agent.active, 1)) if agent.open_offer else agent


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
        role=ROLES,
        open_offer=st.booleans(),
    ).map(_holding_their_offer),
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
            "active": agent.active, "idle_since": agent.idle_since, "role": agent.role})
        if agent.online:
            client.sadd(f"{PREFIX}agents:online", agent.agent_id)
        _store_chats(client, agent)
    for conversation in waiting:
        client.hset(conversation_key(conversation.conversation_id), mapping={
            "status": "queued", "language": conversation.language, "skill": conversation.skill,
            "rm": conversation.relationship_manager, "enqueued_at": NOW_MS - 5,
            "score": conversation.score})
        client.zadd(QUEUE_KEY, {conversation.conversation_id: conversation.score})


def _store_chats(client: redis.Redis, agent: AgentState) -> None:
    """The agent's `active` chats: the open offer (when they have one), the others accepted."""
    for number in range(agent.active):
        offered = agent.open_offer and number == 0
        held = f"held-{agent.agent_id}-{number}"
        client.hset(conversation_key(held), mapping={
            "status": "assigned" if offered else "active", "agent": agent.agent_id})
        client.sadd(agent_chats_key(agent.agent_id), held)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(waiting=conversations_strategy, agents=agents_strategy)
def test_the_script_routes_as_the_rules_say(redis_client, assign_script, waiting,
                                            agents) -> None:
    _store(redis_client, waiting, agents)
    offered_before = {agent.agent_id for agent in agents if agent.open_offer}
    flat = assign_script(args=[PREFIX, NOW_MS])
    decided = [(flat[i].decode(), flat[i + 1].decode()) for i in range(0, len(flat), 4)]

    assert decided == reference_assignment(waiting, agents, NOW_MS)
    # One open offer per agent: at most one each, none to an agent who already had one.
    offered_to = [agent_id for _, agent_id in decided]
    assert len(offered_to) == len(set(offered_to))
    assert not offered_before & set(offered_to)
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
    # One open offer each: the third waits although both have room.
    assert [(flat[i], flat[i + 1]) for i in range(0, len(flat), 4)] == [
        (b"urgent", b"a-idle"), (b"early-normal", b"a-busy")]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"late-normal"]


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


def _agent(agent_id: str, max_chats: int, active: int = 0, role: str = "agent",
           skills: str = "general", idle_since: int = NOW_MS - 1000) -> AgentState:
    return AgentState(agent_id, frozenset({"zh"}), frozenset(skills.split(",")), max_chats,
                      active=active, idle_since=idle_since, role=role)


def _offered(flat: List[bytes]) -> List[Tuple[str, str]]:
    return [(flat[i].decode(), flat[i + 1].decode()) for i in range(0, len(flat), 4)]


def test_a_supervisor_is_offered_customers_only_when_no_agent_has_room(
        redis_client, assign_script) -> None:
    # The supervisor has no chat and has been idle longer: the agent (1 of 3) still comes first.
    agents = [_agent("a-wang", 3, active=1),
              _agent("s-chen", 2, role="supervisor", idle_since=NOW_MS - 9000)]
    waiting = [WaitingConversation(f"c{n}", "zh", "general",
                                   queue_score("normal", NOW_MS - 100 + n)) for n in range(3)]
    _store(redis_client, waiting, agents)
    accept = redis_client.register_script(script_source("accept"))
    # c1 waits for a-wang (room left, his offer open) rather than go to the supervisor.
    assert _offered(assign_script(args=[PREFIX, NOW_MS])) == [("c0", "a-wang")]
    assert _offered(assign_script(args=[PREFIX, NOW_MS + 1])) == []
    assert accept(args=[PREFIX, "c0", "a-wang", NOW_MS + 2])[0] == b"accepted"
    # c1 fills a-wang's last place (an offer counts): the supervisor takes the overflow.
    assert _offered(assign_script(args=[PREFIX, NOW_MS + 3])) == [("c1", "a-wang"),
                                                                   ("c2", "s-chen")]


def test_a_supervisor_comes_after_the_agents_skill_overflow(redis_client,
                                                            assign_script) -> None:
    """A fraud case no agent has the skill for goes to the supervisor who has it; once it
    may overflow, to an agent with room who speaks the language."""
    agents = [_agent("a-wang", 3), _agent("s-chen", 2, role="supervisor",
                                          skills="general,fraud")]
    fraud = WaitingConversation("fraud", "zh", "fraud", queue_score("urgent", NOW_MS),
                                enqueued_at=NOW_MS - OVERFLOW_MS)
    _store(redis_client, [fraud], agents)
    redis_client.hset(conversation_key("fraud"), "enqueued_at", fraud.enqueued_at)
    assert assign_script(args=[PREFIX, NOW_MS, 0]) == [b"fraud", b"s-chen", OVERFLOW_MS, 0]
    _store(redis_client, [fraud], agents)
    redis_client.hset(conversation_key("fraud"), "enqueued_at", fraud.enqueued_at)
    assert assign_script(args=[PREFIX, NOW_MS, OVERFLOW_MS]) == [
        b"fraud", b"a-wang", OVERFLOW_MS, 1]


def test_an_agent_is_offered_one_conversation_at_a_time(redis_client, assign_script) -> None:
    """Signing in with room for three and three waiting: one offer, the next once it is
    accepted, and the next once that one is withdrawn (the agent back online)."""
    waiting = [WaitingConversation(f"c{n}", "zh", "general",
                                   queue_score("normal", NOW_MS - 100 + n)) for n in range(3)]
    _store(redis_client, waiting, [_agent("a-wang", 3)])
    assert _offered(assign_script(args=[PREFIX, NOW_MS])) == [("c0", "a-wang")]
    assert _offered(assign_script(args=[PREFIX, NOW_MS + 1000])) == []

    accept = redis_client.register_script(script_source("accept"))
    assert accept(args=[PREFIX, "c0", "a-wang", NOW_MS + 2000])[0] == b"accepted"
    assert _offered(assign_script(args=[PREFIX, NOW_MS + 3000])) == [("c1", "a-wang")]

    withdraw = redis_client.register_script(script_source("withdraw"))
    redis_client.sadd(f"{PREFIX}agents:on_shift", "a-wang")
    assert withdraw(args=[PREFIX, NOW_MS + 63_000, 60_000])[:2] == [b"c1", b"a-wang"]
    redis_client.sadd(f"{PREFIX}agents:online", "a-wang")  # back online after the miss
    assert _offered(assign_script(args=[PREFIX, NOW_MS + 64_000])) == [("c1", "a-wang")]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c2"]
    assert int(redis_client.hget(agent_key("a-wang"), "active")) == 2


def test_a_relationship_manager_s_second_customer_waits_for_their_accept(
        redis_client, assign_script) -> None:
    agents = [_agent("rm-li", 4), _agent("a-free", 5)]
    waiting = [WaitingConversation(f"vip{n}", "zh", "general",
                                   queue_score("high", NOW_MS - 10 + n),
                                   relationship_manager="rm-li") for n in range(2)]
    _store(redis_client, waiting, agents)
    assert _offered(assign_script(args=[PREFIX, NOW_MS])) == [("vip0", "rm-li")]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"vip1"]


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
        role=ROLES,
        # Mostly none: overflow still decides often.
        open_offer=st.sampled_from([False, False, True]),
    ).map(_holding_their_offer),
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
