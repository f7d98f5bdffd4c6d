"""Review queue pages (thin: the rules live in community/review/service.py)."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")
