"""The complaint form: its fields, how answers are read, and the read-back summary."""
