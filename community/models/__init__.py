"""Typed SQLAlchemy 2 models, one module per domain. Importing this package registers them all."""
from community.models.areas import Area, Venue
from community.models.forums import Board
from community.models.people import AgeBand, Audience, Role, User, UserRole

__all__ = ["AgeBand", "Area", "Audience", "Board", "Role", "User", "UserRole", "Venue"]
