"""Who may do what. Views use these decorators; services check the same rules again."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from community.models import Role


def roles_required(*roles: Role):
    """Signed-in people with at least one of `roles`; everyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
