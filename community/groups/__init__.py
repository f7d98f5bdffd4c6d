"""The group directory: groups, schedules, joining, registers and the Open Referral UK API (/groups, /api/oruk)."""
