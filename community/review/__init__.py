"""The moderators' review queue: items, claims, decisions, sanctions, appeals and the staff log (/review)."""
