"""Socket.IO handlers and room rules: who may join which room.

A socket is tied to the signed-in person through the session cookie; anonymous sockets are refused.
"""
from __future__ import annotations

from flask_login import current_user

from community.extensions import socketio


@socketio.on("connect")
def on_connect(auth=None):
    if not current_user.is_authenticated:
        return False  # refuses the connection
    return True
