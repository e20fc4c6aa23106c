"""Why a complaint operation was refused; the API turns each into an HTTP status."""

from __future__ import annotations

from typing import Optional


class ComplaintRefused(Exception):
    """Base of the refusals: `code` is stable for the console, the message is for people."""

    code = "refused"

    def __init__(self, number: str, message: Optional[str] = None) -> None:
        super().__init__(message or self.default_message(number))
        self.number = number

    @staticmethod
    def default_message(number: str) -> str:
        return f"{number} cannot be worked on"


class ComplaintNotFound(ComplaintRefused):
    """No such complaint, or one the agent may not see: the same answer for both."""

    code = "not_found"

    @staticmethod
    def default_message(number: str) -> str:
        return f"no complaint {number}"


class ComplaintTaken(ComplaintRefused):
    """Another agent claimed it first."""

    code = "taken"

    @staticmethod
    def default_message(number: str) -> str:
        return f"{number} is already claimed by another agent"


class ComplaintNotClaimed(ComplaintRefused):
    """Only its owner (or a supervisor) may do this, and the agent does not own it."""

    code = "claim_first"

    @staticmethod
    def default_message(number: str) -> str:
        return f"claim {number} first: only its owner or a supervisor may do this"


class ComplaintUnowned(ComplaintRefused):
    """Nobody owns it, so there is nothing to release."""

    code = "unowned"

    @staticmethod
    def default_message(number: str) -> str:
        return f"{number} is not claimed by anyone"


class ComplaintClosed(ComplaintRefused):
    """Resolved or closed: its ownership no longer changes."""

    code = "closed"

    @staticmethod
    def default_message(number: str) -> str:
        return f"{number} is already resolved"


class ComplaintChanged(ComplaintRefused):
    """Its owner changed between reading and writing (another supervisor or agent acted)."""

    code = "changed"

    @staticmethod
    def default_message(number: str) -> str:
        return f"{number} changed meanwhile; reload it and try again"


class NothingUndelivered(ComplaintRefused):
    """Its outcome reached the customer, or someone already said they told them."""

    code = "delivered"

    @staticmethod
    def default_message(number: str) -> str:
        return f"{number} has no undelivered outcome left to tell"


class NotOnComplaintsTeam(ComplaintRefused):
    """A reassignment to someone who cannot work complaints (or does not exist)."""

    code = "not_on_team"

    def __init__(self, number: str, agent_id: str) -> None:
        super().__init__(number, f"{agent_id} is not an enabled agent with the complaints "
                                 "skill, nor a supervisor")
        self.agent_id = agent_id


class SameOwner(ComplaintRefused):
    code = "same_owner"

    @staticmethod
    def default_message(number: str) -> str:
        return f"{number} is already theirs"


class SupervisorsOnly(ComplaintRefused):
    code = "supervisors_only"

    @staticmethod
    def default_message(number: str) -> str:
        return "supervisors only"


class NoContactDetail(ComplaintRefused):
    """The customer chose to be answered in their conversation: no number or address."""

    code = "no_contact"

    @staticmethod
    def default_message(number: str) -> str:
        return f"no contact detail on {number}"
