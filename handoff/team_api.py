"""The team as colleagues know it: each agent's name by id, for consoles to name agents
(holders, transfer targets, complaint owners, history) rather than show their ids."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Agent
from handoff.keys import ONLINE_AGENTS_KEY, redis_key, sql_sessions_key


def team_members(sessions: sessionmaker[Session]) -> List[Dict[str, Any]]:
    """Every account, disabled ones too (a former colleague still resolved old tickets)."""
    with sessions() as session:
        agents = session.execute(select(Agent).order_by(Agent.agent_id)).scalars().all()
        return [{"agent_id": agent.agent_id, "display_name": agent.display_name,
                 "role": agent.role, "languages": agent.languages.split(","),
                 "skills": agent.skills.split(","), "enabled": bool(agent.enabled)}
                for agent in agents]


async def team(request: web.Request) -> web.Response:
    members = await asyncio.to_thread(team_members, request.app[sql_sessions_key])
    online = {member.decode() for member in
              await request.app[redis_key].smembers(ONLINE_AGENTS_KEY)}
    return web.json_response({"agents": [
        {**member, "online": member["agent_id"] in online} for member in members]})
