"""Developer tools: clients that play a customer against a running kefu."""
