"""Accounts: registration, signing in with lock-out, password reset, roles.

Views, the CLI and the admin pages all call these functions; none of them touch HTTP.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community import clock
from community.extensions import db
from community.mail import send_email
from community.models import AgeBand, Role, User, UserRole
from community.models.people import VETTED_ROLES
from community.screening import allowed_as_name, context_for, screen_text

hasher = PasswordHasher()
# Verifying against this when no account matches keeps the time the same, so timing reveals nothing.
_DUMMY_HASH = hasher.hash("village-no-such-account")


class AccountError(Exception):
    """A problem the person can fix; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None, helplines: bool = False):
        super().__init__(message)
        self.message = message
        self.field = field
        self.helplines = helplines


class UnderThirteen(AccountError):
    pass


# Names that belong to the people who keep Village safe, or to Village itself. A member who took one
# could be trusted like a moderator, or pass on a "message from the team". Compared folded: case,
# separators and digits written as letters do not make a different name ("Safeguarding_Lead",
# "safe-guarding-lead", "M0derator", "village.team").
RESERVED_NAMES = (
    "admin", "administrator", "sysadmin", "root", "moderator", "moderators", "mod", "mods", "modteam",
    "moderation", "safeguarding", "safeguardinglead", "safeguardingleads", "safeguardingteam",
    "safeguardingofficer", "dsl", "designatedsafeguardinglead", "village", "villageteam", "villagestaff",
    "villagesupport", "villagehelp", "villageadmin", "villagemoderator", "team", "staff", "support",
    "helpdesk", "official", "system", "security", "trustandsafety", "socialworker", "nspcc", "childline",
    "police", "everyone", "anonymous", "deleted", "deleteduser",
)
# words that make any name read as a member of staff wherever they stand in it ("admin" only at either
# end: "badminton_fan" is a member)
RESERVED_PARTS = ("administrator", "moderator", "safeguarding", "villageteam", "villagestaff", "staffmember")
_FOLD_DIGITS = str.maketrans("013457", "oieast")


def fold_name(username: str) -> str:
    """A username as a reader takes it in: lower case, separators gone, look-alike digits as letters."""
    letters = "".join(ch for ch in username.lower() if ch.isalnum())
    return letters.translate(_FOLD_DIGITS)


def reserved_username(username: str) -> bool:
    """Would this name pass for Village's staff or the service itself (case- and separator-blind)?"""
    folded = fold_name(username)
    return (folded in RESERVED_NAMES or any(part in folded for part in RESERVED_PARTS)
            or folded.startswith("admin") or folded.endswith("admin"))


def hash_password(password: str) -> str:
    return hasher.hash(password)


def find_by_login(login: str) -> User | None:
    login = login.strip()
    if "@" in login:
        return db.session.scalar(select(User).where(User.email == login.lower()))
    return db.session.scalar(select(User).where(func.lower(User.username) == login.lower()))


def register(*, username: str, email: str, password: str, born: date, joining_as: str) -> User:
    """Create an account. Under-13s are refused before anything is stored."""
    today = clock.today()
    band = AgeBand.for_birth_date(born, today)
    if born > today:
        raise AccountError("Your date of birth must be in the past.", field="birth_day")
    if born.year < today.year - 120:
        raise AccountError("Enter a real date of birth.", field="birth_day")
    if band is AgeBand.UNDER_13:
        raise UnderThirteen("Village is for people aged 13 and over.")

    if band is AgeBand.YOUNG_PERSON:
        role = Role.YOUNG_PERSON
    elif band is AgeBand.ADULT:
        role = Role.PARENT_CARER
    else:
        role = Role(joining_as) if joining_as in {Role.PARENT_CARER.value, Role.YOUNG_PERSON.value} else Role.PARENT_CARER

    audience = "young_people" if band is AgeBand.YOUNG_PERSON else ("young_adults" if band is AgeBand.YOUNG_ADULT else "parents")
    if reserved_username(username):
        raise AccountError(
            "Please choose a different username. Names like 'moderator', 'admin' or 'Village team' are kept "
            "for the people who look after Village, so that everyone can tell who they are talking to.",
            field="username")
    # Read "find_me_on_snapchat" as words, the way a person reads it.
    as_words = username.replace("_", " ").replace("-", " ")
    verdict = screen_text(as_words, context_for(None, kind="profile", audience=audience))
    if not allowed_as_name(verdict):
        raise AccountError(
            "Please choose a different username. Usernames cannot include contact details, "
            "links or words that could upset people.",
            field="username", helplines=verdict.show_helplines,
        )
    if find_by_login(username):
        raise AccountError("That username is taken. Try adding a word or a letter.", field="username")
    if find_by_login(email):
        raise AccountError("There is already an account with that email address. "
                           "You can reset your password if you have forgotten it.", field="email")

    user = User(username=username, email=email.lower(), password_hash=hash_password(password), date_of_birth=born)
    user.roles.append(UserRole(role=role.value))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # two people took the same name at the same moment
        db.session.rollback()
        raise AccountError("That username or email address has just been taken. Try another.", field="username")
    return user


@dataclass
class SignInResult:
    user: User | None
    message: str | None = None


def authenticate(login: str, password: str) -> SignInResult:
    """Check a password, counting failures and locking the account for a while after too many."""
    wrong = "Your username, email address or password is not right."
    user = find_by_login(login)
    if user is None:
        try:
            hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return SignInResult(None, wrong)

    now = clock.utcnow()
    if user.locked_until and user.locked_until > now:
        minutes = max(1, -(-int((user.locked_until - now).total_seconds()) // 60))  # rounded up
        return SignInResult(None, f"This account is locked for {minutes} more minute{'s' if minutes != 1 else ''} "
                                  "after too many attempts. "
                                  "You can reset your password to get back in now.")
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_logins = 0
            db.session.commit()
            return SignInResult(None, f"Too many attempts. This account is locked for "
                                      f"{current_app.config['LOGIN_LOCKOUT_MINUTES']} minutes. "
                                      "You can reset your password to get back in now.")
        db.session.commit()
        return SignInResult(None, wrong)
    if not user.is_active:
        if user.suspended_until is None:
            return SignInResult(None, "This account has been closed by a moderator.")
        from community.templating import london_time
        return SignInResult(None, f"This account is suspended until {london_time(user.suspended_until)}. "
                                  "You can sign in again after that.")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.commit()
    return SignInResult(user)


class _ClockSigner(TimestampSigner):
    """Stamps and ages reset links by `community.clock` (itsdangerous would read time.time() itself),
    so a link's expiry follows the one clock Village reads, and tests can move it."""

    def get_timestamp(self) -> int:
        return int(clock.utcnow().replace(tzinfo=UTC).timestamp())


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="village-password-reset",
                                  signer=_ClockSigner)


def _hash_fingerprint(user: User) -> str:
    # Changing the password changes the fingerprint, so a token works once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "fp": _hash_fingerprint(user)})


def send_password_reset(email: str) -> None:
    """Email a reset link if the address has an account; say nothing either way to the asker."""
    user = find_by_login(email) if "@" in email else None
    if user is None:
        return
    link = url_for("auth.reset_password", token=make_reset_token(user), _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    send_email(user.email, "Reset your Village password",
               f"Hello {user.username},\n\nUse this link to choose a new password. It works once, "
               f"for {minutes} minutes:\n\n{link}\n\nIf you did not ask for this, you can ignore this email.\n")


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or data.get("fp") != _hash_fingerprint(user):
        return None
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    db.session.commit()


def update_profile(user: User, *, about: str, profile_public: bool) -> None:
    audience = next(iter(sorted(a.value for a in user.audiences(clock.today()))), "parents")
    if about:
        verdict = screen_text(about, context_for(user, kind="profile", audience=audience))
        if not allowed_as_name(verdict):
            if verdict.action in ("hold", "escalate", "publish_and_flag") and about != user.about:
                # Kept for a moderator, never lost: approving it saves it (community/review).
                from community.review.service import hold_text
                hold_text(user, kind="profile", text_field="about", text=about, verdict=verdict)
                db.session.commit()
            raise AccountError("We could not save that. Please leave out contact details, links and words "
                               "that could upset people.", field="about", helplines=verdict.show_helplines)
    user.about = about
    user.profile_public = profile_public
    db.session.commit()


# Roles --------------------------------------------------------------------------------------


def may_grant(granter: User | None, role: Role) -> bool:
    """Admins grant anything; coordinators grant everything but admin. None is the command line."""
    if granter is None or granter.has_role(Role.ADMIN):
        return True
    return granter.has_role(Role.COORDINATOR) and role is not Role.ADMIN


def set_roles(user: User, roles: set[Role], *, by: User | None) -> None:
    current = user.role_set
    for role in current - roles:
        if not may_grant(by, role):
            raise AccountError(f"You cannot remove the {role.label} role.")
        if by is not None and by.id == user.id and role in (Role.ADMIN, Role.COORDINATOR):
            raise AccountError("You cannot remove your own admin or coordinator role.")
    for role in roles - current:
        if not may_grant(by, role):
            raise AccountError(f"You cannot give the {role.label} role.")
        if role in VETTED_ROLES and user.age_band(clock.today()) in (AgeBand.YOUNG_PERSON, AgeBand.UNDER_13):
            raise AccountError(f"The {role.label} role is for adults who have had an enhanced DBS check.")
    user.roles = [r for r in user.roles if Role(r.role) in roles]
    for role in roles - current:
        user.roles.append(UserRole(role=role.value, granted_by_id=by.id if by else None))
    if roles != current:
        from community.review.stafflog import log_staff_action
        log_staff_action(by, "admin.roles", user, before={"roles": {r.value for r in current}},
                         after={"roles": {r.value for r in roles}})
    db.session.commit()


def grant_role(user: User, role: Role, *, by: User | None = None) -> None:
    set_roles(user, set(user.role_set) | {role}, by=by)
