"""Group directory pages and the Open Referral UK API (thin: the rules live in community/groups/service.py)."""
from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/groups")
