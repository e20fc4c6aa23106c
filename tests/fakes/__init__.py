"""Loopback fakes of the outside services kefu talks to, speaking their real wire formats."""
