"""Agent accounts: argon2id password hashes in SQL, sign-in, and the demo team."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Dict, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Agent
from handoff.routing.presence import AgentProfile

ROLES = ("agent", "supervisor")
_hasher = PasswordHasher()
# Verified against when the agent id is unknown, so both answers take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

# kefu's demo team (`make run` seeds it): two agents, a fraud specialist, the
# relationship managers of the demo customers, and a supervisor. English-speaking customers
# are told `display_name_en` (`display_name` when there is none).
DEMO_AGENTS = (
    {"agent_id": "agent-wang", "display_name": "王晓", "display_name_en": "Wang Xiao",
     "languages": "zh,en",
     "skills": "general,complaints", "max_chats": 3},
    {"agent_id": "agent-smith", "display_name": "Alex Smith", "languages": "en",
     "skills": "general,complaints", "max_chats": 3},
    {"agent_id": "agent-zhao", "display_name": "赵敏", "display_name_en": "Zhao Min",
     "languages": "zh,en",
     "skills": "general,fraud", "max_chats": 2},
    {"agent_id": "rm-li", "display_name": "李经理", "display_name_en": "Mr. Li",
     "languages": "zh",
     "skills": "general,wealth", "max_chats": 4},
    {"agent_id": "rm-zhou", "display_name": "周经理", "display_name_en": "Ms. Zhou",
     "languages": "zh,en",
     "skills": "general,wealth", "max_chats": 4},
    {"agent_id": "supervisor-chen", "display_name": "陈主管",
     "display_name_en": "Supervisor Chen", "role": "supervisor",
     "languages": "zh,en", "skills": "general,complaints,fraud", "max_chats": 2},
)


@dataclass(frozen=True)
class AgentAccount:
    agent_id: str
    display_name: str
    role: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    max_chats: int
    # Told to English-speaking customers; None: display_name for them too.
    display_name_en: Optional[str] = None

    @classmethod
    def of(cls, agent: Agent) -> AgentAccount:
        return cls(agent_id=agent.agent_id, display_name=agent.display_name, role=agent.role,
                   languages=tuple(agent.languages.split(",")),
                   skills=tuple(agent.skills.split(",")), max_chats=agent.max_chats,
                   display_name_en=agent.display_name_en or None)

    def name_for(self, language: str) -> str:
        """The name a customer writing in `language` is told."""
        if language == "en" and self.display_name_en:
            return self.display_name_en
        return self.display_name

    @property
    def profile(self) -> AgentProfile:
        return AgentProfile(agent_id=self.agent_id, display_name=self.display_name,
                            languages=self.languages, skills=self.skills,
                            max_chats=self.max_chats, role=self.role)

    def as_json(self) -> Dict[str, object]:
        return {"agent_id": self.agent_id, "display_name": self.display_name,
                "display_name_en": self.display_name_en, "role": self.role,
                "languages": list(self.languages), "skills": list(self.skills),
                "max_chats": self.max_chats}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(sessions: sessionmaker[Session], agent_id: str,
                 password: str) -> Optional[AgentAccount]:
    """The enabled account whose password this is; None otherwise (in constant effort)."""
    with sessions() as session:
        agent = session.execute(
            select(Agent).where(Agent.agent_id == agent_id)).scalar_one_or_none()
        try:
            _hasher.verify(agent.password_hash if agent else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if agent is None or not agent.enabled:
            return None
        if _hasher.check_needs_rehash(agent.password_hash):
            agent.password_hash = _hasher.hash(password)
            session.commit()
        return AgentAccount.of(agent)


def find_account(sessions: sessionmaker[Session], agent_id: str) -> Optional[AgentAccount]:
    with sessions() as session:
        agent = session.execute(
            select(Agent).where(Agent.agent_id == agent_id)).scalar_one_or_none()
        return AgentAccount.of(agent) if agent and agent.enabled else None


class AccountCache:
    """Accounts by id for a few seconds: every agent request needs one, and SQL is slower
    than the reply it would delay. A disabled account is refused within `ttl_seconds`."""

    def __init__(self, sessions: sessionmaker[Session], ttl_seconds: float = 30.0) -> None:
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._cached: Dict[str, tuple[float, Optional[AgentAccount]]] = {}

    async def get(self, agent_id: str) -> Optional[AgentAccount]:
        now = time.monotonic()
        cached = self._cached.get(agent_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        account = await asyncio.to_thread(find_account, self._sessions, agent_id)
        self._cached[agent_id] = (now, account)
        return account


def save_account(sessions: sessionmaker[Session], password: str, **fields: object) -> None:
    """Create the account, or update it and set this password."""
    with sessions() as session:
        agent = session.execute(
            select(Agent).where(Agent.agent_id == fields["agent_id"])).scalar_one_or_none()
        if agent is None:
            agent = Agent(agent_id=fields["agent_id"])
            session.add(agent)
        for name, value in {"role": "agent", **fields}.items():
            setattr(agent, name, value)
        agent.password_hash = hash_password(password)
        session.commit()


def seed_demo_agents(sessions: sessionmaker[Session],
                     passwords: Dict[str, str]) -> Dict[str, str]:
    """Create or refresh the demo team with these passwords (new ones where missing)."""
    chosen = {}
    for fields in DEMO_AGENTS:
        agent_id = str(fields["agent_id"])
        chosen[agent_id] = passwords.get(agent_id) or secrets.token_urlsafe(9)
        save_account(sessions, chosen[agent_id], **fields)
    return chosen
