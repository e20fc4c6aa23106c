"""Routing: which agent gets which waiting conversation, decided atomically in Redis."""
