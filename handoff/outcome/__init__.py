"""Telling a customer their complaint's outcome the way they chose: by SMS, by e-mail, or a
call the agent makes (docs/operations.md, "Tickets")."""
