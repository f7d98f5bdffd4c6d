"""Typed SQLAlchemy 2 models, one module per domain. Importing this package registers them all."""
from community.models.areas import Area, Venue
from community.models.groups import (Booking, CalendarToken, Group, GroupOrganiser, GroupSession, Membership,
                                     Organisation, Schedule, Taxonomy, TaxonomyTerm)
from community.models.forums import Board, Notification, Post, PostRevision, PostState, Reaction, Subscription, Thread
from community.models.people import AgeBand, Audience, Role, User, UserRole
from community.models.reviews import (Appeal, Decision, ReviewItem, ReviewReport, ReviewSource, ReviewState, Sanction,
                                      SanctionKind, StaffEvent)
from community.models.safeguarding import (CaseAction, CaseDeadline, CaseEntry, CaseMessage, CaseState, CaseView,
                                            InformationShared, OutboxMessage, RotaEntry, SafeguardingCase)

__all__ = ["AgeBand", "Area", "Audience", "Board", "Booking", "CalendarToken", "Group", "GroupOrganiser",
           "GroupSession", "Membership", "Organisation", "Schedule", "Taxonomy", "TaxonomyTerm", "Notification", "Post", "PostRevision", "PostState",
           "Reaction", "ReviewItem", "ReviewSource", "ReviewState", "Role", "Subscription", "Thread", "User",
           "Appeal", "Decision", "ReviewReport", "Sanction", "SanctionKind", "StaffEvent",
           "UserRole", "Venue",
           # safeguarding
           "CaseAction", "CaseDeadline", "CaseEntry", "CaseMessage", "CaseState", "CaseView", "InformationShared",
           "OutboxMessage", "RotaEntry", "SafeguardingCase"]
