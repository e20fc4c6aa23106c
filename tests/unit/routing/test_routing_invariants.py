"""Any sequence of routing operations keeps every conversation in exactly one place.

A hypothesis state machine drives the real Lua scripts in a real Redis with random
handoffs, presence changes, routing passes, accepts, transfers, resolves, shifts ended
by lost consoles, supervisors' reassignments and disconnected agents' customers returned to
the queue, and checks after each step: a conversation is waiting, or with exactly one
agent, or resolved; agents' counts match their chats; nobody online is over capacity;
only agents off shift are waited on as disconnected; nothing is lost.
"""

from __future__ import annotations

import redis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from handoff.keys import (
    CONSOLE_LEASES_KEY,
    DISCONNECTED_AGENTS_KEY,
    ON_SHIFT_AGENTS_KEY,
    ONLINE_AGENTS_KEY,
    PREFIX,
    QUEUE_KEY,
    agent_chats_key,
    agent_key,
    alias_key,
    conversation_key,
    customer_handoff_key,
    joined_senders_key,
)
from handoff.routing.rules import queue_score
from handoff.routing.scripts import SCRIPT_NAMES, script_source

# Small capacities, so that agents are often full.
AGENTS = {"a0": ("zh", "general", 1), "a1": ("zh,en", "general,fraud", 2),
          "a2": ("en", "general,complaints", 1), "rm-li": ("zh", "general", 1),
          "sup": ("zh,en", "general,fraud", 2)}
# Offered customers only when no agent has room for them.
SUPERVISORS = {"sup"}
agent_ids = st.sampled_from(sorted(AGENTS))
conversation_ids = st.sampled_from([f"c{i}" for i in range(12)])
# Most handoffs come from verified customers, some of them the same customer.
customers = st.sampled_from(["", "K1", "K2", "K3"])
OPEN = (b"queued", b"assigned", b"active")
HOUR_MS = 3_600_000


class RoutingMachine(RuleBasedStateMachine):
    client: redis.Redis

    @initialize(busy=st.booleans())
    def start(self, busy: bool) -> None:
        self.client.flushdb()
        self.scripts = {name: self.client.register_script(script_source(name))
                        for name in SCRIPT_NAMES}
        self.clock = 1_800_000_000_000
        self.known: set[str] = set()
        if busy:
            self._busy_contact_center()

    def _busy_contact_center(self) -> None:
        """Every agent online and busy with customers they accepted: what transfers,
        reassignments and lost consoles act on (rarely reached by random steps alone)."""
        for agent in AGENTS:
            self.set_presence(agent, "online")
        # Five agents' places for four customers: one agent has room to take another (and the
        # supervisor, who gets none while an agent has room).
        for number, (language, skill) in enumerate([("zh", "general"), ("en", "general"),
                                                    ("zh", "fraud"), ("en", "complaints")]):
            self.hand_over(f"c{number}", language, skill, "normal", "", "")
        for _ in range(2):  # one offer at a time: a1 takes its second after accepting one
            self.route(0)
            for conversation, agent in self._held():
                self.scripts["accept"](args=[PREFIX, conversation, agent, self._now()])

    def _now(self) -> int:
        self.clock += 1000
        return self.clock

    @rule(conversation=conversation_ids, language=st.sampled_from(["zh", "en"]),
          skill=st.sampled_from(["general", "fraud", "complaints"]),
          priority=st.sampled_from(["urgent", "high", "normal"]),
          manager=st.sampled_from(["", "", "rm-li"]), customer=customers)
    def hand_over(self, conversation: str, language: str, skill: str, priority: str,
                  manager: str, customer: str) -> None:
        now = self._now()
        _status, _handoff, created, holder = self.scripts["enqueue"](args=[
            PREFIX, conversation, f"h-{now}", now, queue_score(priority, now), customer, "web",
            "language", language, "skill", skill, "rm", manager, "priority", priority])
        if created:
            self.known.add(conversation)
        else:  # already open, or joined to the customer's open handoff
            assert self.client.hget(conversation_key(holder.decode()), "status") in OPEN

    @rule(conversation=conversation_ids, customer=customers, quiet=st.booleans())
    def another_channel_joins(self, conversation: str, customer: str, quiet: bool) -> None:
        """The customer writes on another channel (action_session_start's join), or kefu
        joins their other conversations quietly when a handoff begins."""
        self.scripts["join"](args=[PREFIX, conversation, customer, self._now() / 1000, "sms",
                                   "1" if quiet else "0"])

    @rule(agent=agent_ids, presence=st.sampled_from(["online", "online", "away", "offline"]))
    def set_presence(self, agent: str, presence: str) -> None:
        languages, skills, max_chats = AGENTS[agent]
        role = "supervisor" if agent in SUPERVISORS else "agent"
        profile = ["languages", languages, "skills", skills, "max_chats", max_chats,
                   "role", role] if presence == "online" else []
        self.scripts["presence"](args=[PREFIX, agent, presence, self._now(), *profile])

    @rule(overflow_ms=st.sampled_from([0, 1000, 5000]))
    def route(self, overflow_ms: int) -> None:
        offered_before = {agent for conversation, agent in self._held()
                          if self.client.hget(conversation_key(conversation), "status")
                          == b"assigned"}
        flat = self.scripts["assign"](args=[PREFIX, self._now(), overflow_ms])
        # One open offer at a time: one each at most, none to who already has one.
        offered_to = [agent.decode() for agent in flat[1::4]]
        assert len(offered_to) == len(set(offered_to))
        assert not offered_before & set(offered_to)

    @rule(limit_ms=st.sampled_from([1000, 3000, 10_000]))
    def withdraw_expired_offers(self, limit_ms: int) -> None:
        withdrawn = self.scripts["withdraw"](args=[PREFIX, self._now(), limit_ms])
        for agent in withdrawn[1::3]:
            assert not self.client.sismember(ONLINE_AGENTS_KEY, agent)

    @rule(grace_ms=st.sampled_from([1000, 3000, 10_000]))
    def consoles_gone(self, grace_ms: int) -> None:
        """No console renews a lease here: a shift ends one grace after a pass first sees it,
        offers going back to the queue and accepted conversations staying."""
        ended = self.scripts["end_shifts"](args=[PREFIX, self._now(), grace_ms])
        for agent, _withdrawn, kept, _last_seen in ended:
            assert not self.client.sismember(ONLINE_AGENTS_KEY, agent)
            assert self.client.smembers(agent_chats_key(agent.decode())) == set(kept)

    @rule(agent=agent_ids)
    def console_connected(self, agent: str) -> None:
        """The agent's console is open (its instance renews the lease): on shift for now."""
        self.client.zadd(CONSOLE_LEASES_KEY, {agent: self._now() + HOUR_MS}, gt=True)

    def _held(self) -> list[tuple[str, str]]:
        """(conversation, agent) for every conversation an agent holds now."""
        return sorted((conversation.decode(), agent) for agent in AGENTS
                      for conversation in self.client.smembers(agent_chats_key(agent)))

    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        # Mostly an online agent and a conversation that exists (offered or waiting).
        online = sorted(member.decode() for member in self.client.smembers(ONLINE_AGENTS_KEY))
        agent = data.draw(st.sampled_from(online) if online else agent_ids)
        queued = sorted(member.decode() for member in self.client.zrange(QUEUE_KEY, 0, -1))
        offered = [conversation for conversation, _ in self._held()]
        # Waiting, offered, or any id: drawn separately, as hypothesis favours first elements.
        pool = data.draw(st.sampled_from([queued, offered, []]))
        conversation = data.draw(st.sampled_from(pool) if pool else conversation_ids)
        self.scripts["accept"](args=[PREFIX, conversation, agent, self._now()])

    @rule(data=st.data(), receiver=agent_ids, to_skill=st.booleans(), impostor=agent_ids,
          by_holder=st.booleans())
    def transfer(self, data: st.DataObject, receiver: str, to_skill: bool, impostor: str,
                 by_holder: bool) -> None:
        held = self._held()
        if not held:
            return
        conversation, holder = data.draw(st.sampled_from(held))
        kind, destination = ("skill", "fraud") if to_skill else ("agent", receiver)
        self.scripts["transfer"](args=[PREFIX, conversation, holder if by_holder else impostor,
                                       kind, destination, self._now()])

    @precondition(lambda self: bool(self._held()))
    @rule(data=st.data(), to_queue=st.booleans())
    def supervisor_reassigns(self, data: st.DataObject, to_queue: bool) -> None:
        """Mostly a conversation an agent holds, to an online agent or the queue; sometimes
        one waiting, resolved or unknown."""
        held = [conversation for conversation, _ in self._held()]
        queued = sorted(member.decode() for member in self.client.zrange(QUEUE_KEY, 0, -1))
        pool = data.draw(st.sampled_from([held, held, queued, []]))
        conversation = data.draw(st.sampled_from(pool) if pool else conversation_ids)
        online = sorted(member.decode() for member in self.client.smembers(ONLINE_AGENTS_KEY))
        receiver = None if to_queue else data.draw(
            st.sampled_from(online) if online else agent_ids)
        before = self.client.hmget(conversation_key(conversation), "status", "agent")
        outcome, from_agent, _had = self.scripts["reassign"](args=[
            PREFIX, conversation, receiver or "", self._now()])
        if outcome in (b"reassigned", b"queued"):
            assert before[0] in (b"assigned", b"active") and from_agent == before[1]
        else:
            assert self.client.hmget(conversation_key(conversation), "status", "agent") == before

    @precondition(lambda self: self.client.zcard(DISCONNECTED_AGENTS_KEY) > 0)
    @rule(wait_ms=st.sampled_from([0, 2000, 10_000]))
    def return_disconnected(self, wait_ms: int) -> None:
        returned = self.scripts["return_disconnected"](args=[PREFIX, self._now(), wait_ms])
        for conversation, agent, _had, _last_seen in returned:
            assert not self.client.sismember(ON_SHIFT_AGENTS_KEY, agent)
            assert self.client.hget(conversation_key(conversation.decode()), "status") == \
                b"queued"

    @rule(data=st.data(), impostor=agent_ids, by_holder=st.booleans())
    def resolve(self, data: st.DataObject, impostor: str, by_holder: bool) -> None:
        held = self._held()
        if not held:
            return
        conversation, holder = data.draw(st.sampled_from(held))
        self.scripts["finish"](args=[PREFIX, conversation, holder if by_holder else impostor,
                                     self._now(), 3600])

    @invariant()
    def every_conversation_in_exactly_one_place(self) -> None:
        queued = {member.decode() for member in self.client.zrange(QUEUE_KEY, 0, -1)}
        holders: dict[str, list[str]] = {}
        for agent in AGENTS:
            for conversation in self.client.smembers(agent_chats_key(agent)):
                holders.setdefault(conversation.decode(), []).append(agent)
        for conversation in self.known:
            status, agent = (value.decode() if value else None for value in
                             self.client.hmget(conversation_key(conversation), "status", "agent"))
            if status == "queued":
                assert conversation in queued and conversation not in holders
            elif status in ("assigned", "active"):
                assert conversation not in queued and holders.get(conversation) == [agent]
            else:
                assert status == "resolved", (conversation, status)
                assert conversation not in queued and conversation not in holders

    @invariant()
    def joined_conversations_point_at_open_handoffs(self) -> None:
        """A customer has at most one open handoff; what joined it is released with it."""
        for key in self.client.scan_iter(match=alias_key("*")):
            sender = key.decode()[len(alias_key("")):]
            home = self.client.hget(key, "conversation").decode()
            assert self.client.hget(conversation_key(home), "status") in OPEN
            assert self.client.sismember(joined_senders_key(home), sender)
            assert self.client.hget(conversation_key(sender), "status") not in OPEN
        for key in self.client.scan_iter(match=joined_senders_key("*")):
            home = key.decode()[len(joined_senders_key("")):]
            for sender in self.client.smembers(key):
                assert self.client.hget(alias_key(sender.decode()), "conversation") == \
                    home.encode()
        for key in self.client.scan_iter(match=customer_handoff_key("*")):
            home = self.client.get(key).decode()
            assert self.client.hget(conversation_key(home), "status") in OPEN
            assert self.client.hget(conversation_key(home), "customer").decode() == \
                key.decode()[len(customer_handoff_key("")):]

    @invariant()
    def only_agents_off_shift_are_waited_on_as_disconnected(self) -> None:
        for member in self.client.zrange(DISCONNECTED_AGENTS_KEY, 0, -1):
            assert not self.client.sismember(ON_SHIFT_AGENTS_KEY, member)
            assert self.client.hexists(agent_key(member.decode()), "disconnected_at")

    @invariant()
    def counts_match_chats_and_capacity_holds(self) -> None:
        online = {member.decode() for member in self.client.smembers(ONLINE_AGENTS_KEY)}
        for agent, (_languages, _skills, max_chats) in AGENTS.items():
            chats = self.client.scard(agent_chats_key(agent))
            active = int(self.client.hget(agent_key(agent), "active") or 0)
            assert active == chats
            if agent in online:
                assert active <= max_chats


def test_routing_operations_keep_the_invariants(redis_client) -> None:
    RoutingMachine.client = redis_client
    machine_test = RoutingMachine.TestCase
    machine_test.settings = settings(max_examples=100, stateful_step_count=40, deadline=None,
                                     suppress_health_check=[HealthCheck.function_scoped_fixture])
    machine_test().runTest()
