"""Tickets: numbering, opening complaints, lookups, resolution and the customer's verdict."""
