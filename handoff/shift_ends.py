"""Shifts that end by themselves: each routing pass renews the leases of the consoles
connected to this instance, then ends the shifts of agents whose console no instance has
heard from for the grace period, audited and announced as a manual sign-off is."""

from __future__ import annotations

import logging
from typing import List

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from handoff.audit import audit_system
from handoff.console_leases import ConsoleLeases
from handoff.live import SUPERVISORS, LiveHub, agent_audience
from handoff.metrics import HandoffMetrics
from handoff.routing.end_shifts import EndDisconnectedShifts, EndedShift
from handoff.routing.scripts import RoutingScripts

logger = logging.getLogger(__name__)

# The audit action of every presence change, the agent's own or this one.
PRESENCE_CHANGED = "agent.presence"
CONSOLE_DISCONNECTED = "console_disconnected"


class DisconnectedShifts:
    def __init__(self, scripts: RoutingScripts, leases: ConsoleLeases, live: LiveHub,
                 audit_sessions: sessionmaker[Session], metrics: HandoffMetrics) -> None:
        self._end = EndDisconnectedShifts(scripts, leases.grace_seconds)
        self._leases = leases
        self._live = live
        self._audit_sessions = audit_sessions
        self._metrics = metrics

    async def call(self, at_ms: int) -> List[EndedShift]:
        """The shifts this pass ended; this instance's consoles are renewed first."""
        await self._leases.renew(self._live.connected_agents(), at_ms)
        ended = await self._end.call(at_ms)
        for shift in ended:
            await self._tell(shift, at_ms)
        return ended

    async def _tell(self, shift: EndedShift, at_ms: int) -> None:
        # end_shifts.lua has ended it: nothing after this undoes it.
        self._metrics.shifts_ended.inc()
        gone_seconds = round((at_ms - shift.last_seen_ms) / 1000)
        logger.warning("handoff.shift_ended agent=%s reason=%s gone_s=%s withdrawn=%s kept=%s",
                       shift.agent_id, CONSOLE_DISCONNECTED, gone_seconds,
                       len(shift.withdrawn), len(shift.kept))
        # The row first, as for a missed offer: supervisors may read the trail on the event.
        try:
            await audit_system(self._audit_sessions, PRESENCE_CHANGED, shift.agent_id,
                               presence="offline", reason=CONSOLE_DISCONNECTED,
                               console_gone_seconds=gone_seconds,
                               requeued=list(shift.withdrawn), kept=list(shift.kept))
        except SQLAlchemyError as error:
            # Redis already ended the shift: it stands without its audit row.
            logger.error("audit.failed action=%s error=%s", PRESENCE_CHANGED,
                         type(error).__name__)
        await self._live.publish([agent_audience(shift.agent_id), SUPERVISORS], {
            "type": "presence", "agent_id": shift.agent_id, "presence": "offline",
            "reason": CONSOLE_DISCONNECTED, "requeued": list(shift.withdrawn),
            "kept": list(shift.kept)})
