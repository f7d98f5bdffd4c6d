"""Safeguarding: cases, the rota, time limits, the outbox worker and the lead's dashboard (/safeguarding)."""
