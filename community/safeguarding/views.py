"""Safeguarding pages (thin: the rules live in community/safeguarding/service.py)."""
from flask import Blueprint

bp = Blueprint("safeguarding", __name__, url_prefix="/safeguarding")
