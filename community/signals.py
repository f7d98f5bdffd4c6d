"""Signals that cross domains, so that forums, review and safeguarding need not import each other.

`escalated`: something a person wrote may mean a child or adult is at risk. Receivers run INSIDE the
sender's transaction (before the commit), so a safeguarding case they add is stored atomically with
the post or decision that raised it.
Signature: receiver(sender_app, *, item: ReviewItem, post: Post | None, verdict, by: User | None = None)
`by` is the member of staff who escalated by hand (a moderator from the review queue); None for screening.
"""
from blinker import Namespace

signals = Namespace()
escalated = signals.signal("escalated")
