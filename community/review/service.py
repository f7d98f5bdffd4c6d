"""The review queue's rules: listing, claims, decisions, sanctions, appeals, reports and measures.

HTTP, Socket.IO, the CLI and the benchmark all call these functions. Each action validates, writes in
one transaction with its staff log entry (`log_staff_action`), commits, and only then emits live
events (to the moderators' room, and to the author). A refusal raises `ReviewError` with a message for
the person and changes nothing.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import selectinload

from community import clock
from community.errors import RuleError
from community.extensions import db
from community.forms import clean_text
from community.models import (Appeal, Audience, Board, Decision, Group, Notification, Post, PostRevision, PostState,
                              ReviewItem, ReviewReport, ReviewSource, ReviewState, Role, Sanction, SanctionKind,
                              Thread, User)
from community.review.stafflog import log_staff_action
from community.signals import escalated

REASON_MAX = 1000
APPEAL_MAX = 2000
SEVERITIES = ("urgent", "high", "standard")
SOURCES = (ReviewSource.SCREENING.value, ReviewSource.REPORT.value)
STATES = ("open", "closed", "all")
AGES = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
KINDS = {"post": "Post", "thread_title": "Thread title", "edit": "Edited post", "board_text": "Board text",
         "profile": "Profile text", "group_description": "Group description", "appeal": "Appeal"}

# Kind words for the author; a moderator picks one or writes their own.
REJECT_REASONS = [
    ("contact", "Your post shared contact details, like a phone number or address. To keep everyone safe, "
                "we do not allow this on Village."),
    ("unkind", "Your post had words that could hurt or upset people. Please keep posts kind."),
    ("spam", "Your post looked like advertising or spam."),
    ("rules", "Your post did not follow the board rules. Please read them, then try again."),
]
SANCTION_DAYS_MAX = 365


class ReviewError(RuleError):
    """A review rule said no (see RuleError)."""


def is_moderator(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.MODERATOR, Role.ADMIN))


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise ReviewError("Only moderators can do that.", 403)


# --- the queue -----------------------------------------------------------------------------------

@dataclass
class QueueFilters:
    """What the queue shows. Every field is a plain string from the query string; unknown values are ignored."""
    audience: str = ""
    board: str = ""  # board slug
    source: str = ""
    category: str = ""
    severity: str = ""
    state: str = "open"
    age: str = ""  # older than: 1h | 24h | 7d

    @classmethod
    def from_args(cls, args) -> "QueueFilters":
        def pick(name: str, allowed) -> str:
            value = args.get(name, "") or ""
            return value if value in allowed else ""

        state = args.get("state", "open")
        return cls(audience=pick("audience", {a.value for a in Audience}),
                   board=(args.get("board", "") or "")[:80], source=pick("source", SOURCES),
                   category=(args.get("category", "") or "")[:40], severity=pick("severity", SEVERITIES),
                   state=state if state in STATES else "open", age=pick("age", AGES))

    def clauses(self) -> list:
        out = []
        if self.state != "all":
            out.append(ReviewItem.state == self.state)
        if self.audience:
            out.append(ReviewItem.audience == self.audience)
        if self.board:
            out.append(ReviewItem.board_id == select(Board.id).where(Board.slug == self.board).scalar_subquery())
        if self.source:
            out.append(ReviewItem.source == self.source)
        if self.category:
            out.append(ReviewItem.category == self.category)
        if self.severity:
            out.append(ReviewItem.severity == self.severity)
        if self.age:
            out.append(ReviewItem.created_at <= clock.utcnow() - AGES[self.age])
        return out

    def as_args(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v and not (k == "state" and v == "open")}


def _item_options():
    return (selectinload(ReviewItem.post).selectinload(Post.author), selectinload(ReviewItem.thread),
            selectinload(ReviewItem.board), selectinload(ReviewItem.author), selectinload(ReviewItem.claimed_by),
            selectinload(ReviewItem.decided_by),
            selectinload(ReviewItem.reports).selectinload(ReviewReport.reporter))


def queue_page(user: User, filters: QueueFilters, page: int = 1):
    """A page of items, urgent first then oldest first. A fixed number of queries whatever the page size:
    the count, the items, and one per related table (post, author, thread, board, reports)."""
    _require_moderator(user)
    query = (select(ReviewItem).where(*filters.clauses()).options(*_item_options())
             .order_by(ReviewItem.priority, ReviewItem.created_at, ReviewItem.id))
    return db.paginate(query, page=page, per_page=current_app.config["REVIEW_PAGE_SIZE"], error_out=False,
                       count=True)


def author_history(author_ids: set[int]) -> dict[int, tuple[int, int]]:
    """For a page of items: each author's number of review items and sanctions (two grouped queries)."""
    if not author_ids:
        return {}
    items = dict(db.session.execute(select(ReviewItem.author_id, func.count(ReviewItem.id))
                                    .where(ReviewItem.author_id.in_(author_ids)).group_by(ReviewItem.author_id)).all())
    sanctions = dict(db.session.execute(select(Sanction.user_id, func.count(Sanction.id))
                                        .where(Sanction.user_id.in_(author_ids)).group_by(Sanction.user_id)).all())
    return {a: (max(0, items.get(a, 0) - 1), sanctions.get(a, 0)) for a in author_ids}


def categories_in_queue() -> list[str]:
    return sorted(c for c in db.session.scalars(
        select(ReviewItem.category).where(ReviewItem.category != "").distinct().limit(50)) if c)


def get_item(user: User, item_id: int) -> ReviewItem:
    _require_moderator(user)
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.id == item_id).options(*_item_options()))
    if item is None:
        raise ReviewError("There is no such item. It may have been removed.", 404)
    return item


@dataclass
class ItemContext:
    """What a moderator reads beside an item: the thread around the post, and the author's record."""
    before: list[Post] = field(default_factory=list)
    after: list[Post] = field(default_factory=list)
    earlier_items: list[ReviewItem] = field(default_factory=list)
    sanctions: list[Sanction] = field(default_factory=list)
    published_posts: int = 0
    appeal: Appeal | None = None


def item_context(item: ReviewItem) -> ItemContext:
    ctx = ItemContext()
    post = item.post
    if post is not None:
        ctx.before = list(reversed(db.session.scalars(
            select(Post).where(Post.thread_id == post.thread_id, Post.id < post.id, Post.deleted_at.is_(None))
            .options(selectinload(Post.author)).order_by(Post.id.desc()).limit(3)).all()))
        ctx.after = list(db.session.scalars(
            select(Post).where(Post.thread_id == post.thread_id, Post.id > post.id, Post.deleted_at.is_(None))
            .options(selectinload(Post.author)).order_by(Post.id).limit(2)))
    if item.author_id:
        ctx.earlier_items = list(db.session.scalars(
            select(ReviewItem).where(ReviewItem.author_id == item.author_id, ReviewItem.id != item.id)
            .order_by(ReviewItem.id.desc()).limit(10)))
        ctx.sanctions = list(db.session.scalars(
            select(Sanction).where(Sanction.user_id == item.author_id).options(selectinload(Sanction.by))
            .order_by(Sanction.id.desc()).limit(10)))
        ctx.published_posts = db.session.scalar(select(func.count(Post.id)).where(
            Post.author_id == item.author_id, Post.state == PostState.PUBLISHED.value))
    ctx.appeal = db.session.scalar(select(Appeal).where(Appeal.item_id == item.id))
    return ctx


# --- claims ----------------------------------------------------------------------------------------

def _claim_minutes() -> int:
    return current_app.config["REVIEW_CLAIM_MINUTES"]


def _claimable(user: User, now: datetime):
    return and_(ReviewItem.state == ReviewState.OPEN.value,
                or_(ReviewItem.claimed_by_id.is_(None), ReviewItem.claimed_by_id == user.id,
                    ReviewItem.claim_expires_at <= now))


def _try_claim(user: User, item_id: int, now: datetime) -> bool:
    """One conditional UPDATE, so two moderators pressing "claim" at once cannot both win."""
    result = db.session.execute(
        update(ReviewItem).where(ReviewItem.id == item_id, _claimable(user, now))
        .values(claimed_by_id=user.id, claim_expires_at=now + timedelta(minutes=_claim_minutes()))
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _refuse_closed(item: ReviewItem) -> None:
    if not item.is_open:
        who = item.decided_by.username if item.decided_by else "another moderator"
        raise ReviewError(f"This item was already decided by {who}. Nothing was changed.", 409)


def claim(user: User, item: ReviewItem) -> ReviewItem:
    """Claim an item for REVIEW_CLAIM_MINUTES. Refused if it is decided or another moderator holds it."""
    _require_moderator(user)
    _refuse_closed(item)
    now = clock.utcnow()
    if not _try_claim(user, item.id, now):
        db.session.rollback()
        db.session.refresh(item)
        _refuse_closed(item)
        who = item.claimed_by.username if item.claimed_by else "another moderator"
        raise ReviewError(f"{who} is working on this item. Try the next one.", 409)
    db.session.commit()
    db.session.refresh(item)
    _emit("review_claimed", item)
    return item


def claim_next(user: User, filters: QueueFilters | None = None) -> ReviewItem | None:
    """Claim the most urgent, oldest open item nobody holds (matching `filters`); None if there is none."""
    _require_moderator(user)
    filters = filters or QueueFilters()
    now = clock.utcnow()
    for _ in range(5):  # another moderator may take the one we picked; try the next
        query = (select(ReviewItem.id).where(*filters.clauses(), ReviewItem.state == ReviewState.OPEN.value,
                                             or_(ReviewItem.claimed_by_id.is_(None),
                                                 ReviewItem.claim_expires_at <= now))
                 .order_by(ReviewItem.priority, ReviewItem.created_at, ReviewItem.id).limit(1))
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        item_id = db.session.scalar(query)
        if item_id is None:
            db.session.rollback()
            return None
        if _try_claim(user, item_id, now):
            db.session.commit()
            item = db.session.get(ReviewItem, item_id)
            _emit("review_claimed", item)
            return item
        db.session.rollback()
    return None


def _check_claim(user: User, item: ReviewItem) -> None:
    """Before a decision: the item is open, and this moderator holds a live claim (an unclaimed item is
    claimed on the spot). An expired claim is refused with a message, so a stale page changes nothing."""
    _require_moderator(user)
    _refuse_closed(item)
    now = clock.utcnow()
    if item.claimed_by_id is None:
        if not _try_claim(user, item.id, now):
            raise ReviewError("Another moderator has just claimed this item. Nothing was changed.", 409)
        db.session.refresh(item)
        return
    if item.claimed_by_id != user.id:
        if item.claim_expires_at and item.claim_expires_at > now:
            raise ReviewError(f"{item.claimed_by.username} is working on this item. Nothing was changed.", 409)
        raise ReviewError("This item's claim has run out. Claim it again, then decide.", 409)
    if item.claim_expires_at is None or item.claim_expires_at <= now:
        raise ReviewError("Your claim on this item ran out, so nothing was changed. Claim it again, then decide.", 409)


# --- decisions -------------------------------------------------------------------------------------

@dataclass
class _Outcome:
    events: list = field(default_factory=list)
    disconnect_user: int | None = None


def _close(user: User, item: ReviewItem, decision: Decision, reason: str = "", note: str = "") -> None:
    item.state = ReviewState.CLOSED.value
    item.decision = decision.value
    item.decided_by_id, item.decided_at = user.id, clock.utcnow()
    item.decision_reason, item.staff_note = reason, note
    item.claimed_by_id = item.claim_expires_at = None
    # Overturn: a moderator approved what screening held, or took down what it let through.
    screened = item.source == ReviewSource.SCREENING.value
    if decision in (Decision.APPROVED, Decision.EDITED):
        item.overturned = screened and item.action in ("hold", "escalate", "reject")
    elif decision == Decision.REJECTED:
        item.overturned = screened and item.action == "publish_and_flag"


def _notify_author(item: ReviewItem, by: User) -> Notification | None:
    post = item.post
    if post is None or post.author_id is None:
        return None
    note = Notification(user_id=post.author_id, kind="moderation", actor_id=by.id, thread_id=post.thread_id,
                        post_id=post.id, created_at=clock.utcnow())
    db.session.add(note)
    return note


def _commit_and_emit(item: ReviewItem, events: list, event_name: str = "review_decided") -> None:
    from community.forums import live

    db.session.flush()
    events = list(events) + [(event_name, _payload(item), live.MODERATORS_ROOM)]
    db.session.commit()
    live.send(events)


def approve(user: User, item: ReviewItem, note: str = "") -> ReviewItem:
    """Publish the text (a held or hidden post, or board/profile text) and close the item."""
    from community.forums import live
    from community.forums.service import publish_post

    _check_claim(user, item)
    if item.needs_safeguarding and item.safeguarding_seen_at is None:
        raise ReviewError("A safeguarding lead must look at this before it can be published. "
                          "It stays held until they have.", 409)
    before = _snapshot(item)
    events: list = []
    post = item.post
    if post is not None and post.deleted_at is None and post.state != PostState.PUBLISHED.value:
        result = publish_post(post)
        db.session.flush()
        events = live.events_for(result)
    elif item.text_field:
        _apply_text(item)
    _close(user, item, Decision.APPROVED, note=clean_text(note)[:REASON_MAX])
    _notify_author(item, user)
    log_staff_action(user, "review.approve", item, reason=item.staff_note, before=before, after=_snapshot(item))
    _commit_and_emit(item, events)
    return item


def reject(user: User, item: ReviewItem, reason: str, note: str = "") -> ReviewItem:
    """Take the text down (or leave it unpublished) and tell the author why, in kind words."""
    from community.forums import live

    reason = _author_reason(reason)
    _check_claim(user, item)
    before = _snapshot(item)
    events: list = []
    post = item.post
    if post is not None and post.deleted_at is None:
        was_public = post.is_public
        post.state, post.state_reason = PostState.REJECTED.value, reason
        thread = post.thread
        if db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == post.thread_id)) == post.id:
            thread.state = PostState.REJECTED.value
        from community.forums.service import _refresh_thread
        _refresh_thread(thread)
        if was_public:
            events.append(live._gone(post))
    _close(user, item, Decision.REJECTED, reason, clean_text(note)[:REASON_MAX])
    _notify_author(item, user)
    log_staff_action(user, "review.reject", item, reason=reason, before=before, after=_snapshot(item))
    _commit_and_emit(item, events)
    return item


def edit_and_publish(user: User, item: ReviewItem, body: str, note: str = "") -> ReviewItem:
    """Publish the post with contact details taken out by the moderator; the original stays in its history
    (PostRevision) for staff. The new words are screened too: contact details still in them are refused."""
    from community.forums import live
    from community.forums.service import ForumError, clean_body, publish_post
    from community.screening import context_for, screen_text

    _check_claim(user, item)
    post = item.post
    if post is None or post.deleted_at is not None:
        raise ReviewError("There is no post to edit: it was deleted.", 409)
    if item.needs_safeguarding and item.safeguarding_seen_at is None:
        raise ReviewError("A safeguarding lead must look at this before it can be published. "
                          "It stays held until they have.", 409)
    try:
        body = clean_body(body)
    except ForumError as error:
        raise ReviewError(error.message, field="body")
    if body == post.body:
        raise ReviewError("The text is the same as before. Take out the contact details, or approve it as it is.",
                          field="body")
    board = post.thread.board
    verdict = screen_text(body, context_for(post.author, kind="edit", audience=board.audience, board=board.slug))
    if verdict.action == "escalate" or {"contact", "personal_details"} & set(verdict.categories or []):
        raise ReviewError("The edited text still looks like it has contact details or a worry in it. "
                          "Check it again.", field="body")
    before = _snapshot(item)
    db.session.add(PostRevision(post_id=post.id, body=post.body, state=post.state, editor_id=user.id,
                                replaced_at=clock.utcnow()))
    post.body = body
    post.edited_at = clock.utcnow()
    result = publish_post(post)
    db.session.flush()
    events = live.events_for(result)
    _close(user, item, Decision.EDITED, "A moderator took out some details, then published your post.",
           clean_text(note)[:REASON_MAX])
    _notify_author(item, user)
    log_staff_action(user, "review.edit_publish", item, reason=item.staff_note, before=before,
                     after=_snapshot(item))
    _commit_and_emit(item, events)
    return item


def escalate(user: User, item: ReviewItem, note: str) -> ReviewItem:
    """Send the item to a safeguarding lead (the `escalated` signal, in this transaction). The item stays
    open, marked urgent, and cannot be published before a lead has looked (`safeguarding_seen_at`)."""
    note = clean_text(note)
    if not note:
        raise ReviewError("Say briefly why you are worried, so the safeguarding lead knows where to start.",
                          field="note")
    _check_claim(user, item)
    if item.escalated_by_id is not None:
        raise ReviewError("This item has already been sent to a safeguarding lead.", 409)
    before = _snapshot(item)
    item.escalated_by_id = user.id
    item.severity = "urgent"
    item.staff_note = note[:REASON_MAX]
    item.claimed_by_id = item.claim_expires_at = None
    if item.source == ReviewSource.SCREENING.value and item.action == "publish_and_flag":
        item.overturned = True
    post = item.post
    if post is not None and post.is_public:  # keep it off the board while a lead looks
        from community.forums import live
        post.state = PostState.HELD.value
        events = [live._gone(post)]
    else:
        events = []
    log_staff_action(user, "review.escalate", item, reason=note, before=before, after=_snapshot(item))
    db.session.flush()
    escalated.send(current_app._get_current_object(), item=item, post=post, verdict=None, by=user)
    _commit_and_emit(item, events, "review_escalated")
    return item


def _author_reason(reason: str) -> str:
    reason = clean_text(reason)
    preset = dict(REJECT_REASONS).get(reason)
    if preset:
        return preset
    if not reason:
        raise ReviewError("Choose or write a reason. The author will see it, so keep it kind.", field="reason")
    if len(reason) > REASON_MAX:
        raise ReviewError(f"The reason must be {REASON_MAX:,} characters or fewer.", field="reason")
    return reason


def _apply_text(item: ReviewItem) -> None:
    """Board, profile or group text that was held: approving it saves it where it was typed. A draft
    group's description is kept on the group while it waits, and approving it lets the organiser publish
    the group; a listed group's replaces the one it kept showing. Either way, not if the organiser has
    written a newer description since (that one has its own item or passed)."""
    if item.content_kind == "board_text" and item.board is not None and item.text_field in (
            "name", "description", "rules"):
        setattr(item.board, item.text_field, item.text)
    elif item.content_kind == "profile" and item.author is not None and item.text_field == "about":
        item.author.about = item.text
    elif item.content_kind == "group_description" and item.group is not None:
        group = item.group
        if group.description == item.text and group.description_source == "held":
            group.description_source = "screened"
        elif group.description_changed_at is None or group.description_changed_at <= item.created_at:
            # A listed group kept its last description while this one waited; nothing newer since.
            group.description, group.description_source = item.text, "screened"
            group.description_changed_at = clock.utcnow()


def _snapshot(item: ReviewItem) -> dict:
    return {"state": item.state, "decision": item.decision, "severity": item.severity,
            "post_state": item.post.state if item.post is not None else None}


def _payload(item: ReviewItem) -> dict:
    return {"id": item.id, "state": item.state, "decision": item.decision, "severity": item.severity,
            "claimed_by": item.claimed_by.username if item.claimed_by_id and item.claimed_by else None}


def _emit(event: str, item: ReviewItem) -> None:
    from community.forums import live

    live.send([(event, _payload(item), live.MODERATORS_ROOM)])


# --- sanctions -------------------------------------------------------------------------------------

SANCTION_WORDS = {
    SanctionKind.WARNING: "a warning",
    SanctionKind.MUTE: "a pause on posting",
    SanctionKind.SUSPENSION: "a suspension",
    SanctionKind.BAN: "a ban",
}


def sanction(user: User, target: User, kind: str, reason: str, *, days: int | None = None,
             item: ReviewItem | None = None) -> Sanction:
    """Warn, mute (read-only) or suspend for `days` (1 to 365), or ban. Enforced at once: posting checks
    `muted_until`, signing in and every socket event check `is_active`, and a suspended or banned person's
    open sockets are disconnected after the commit."""
    _require_moderator(user)
    try:
        kind_ = SanctionKind(kind)
    except ValueError:
        raise ReviewError("Choose a warning, a mute, a suspension or a ban.", field="kind")
    reason = clean_text(reason)
    if not reason:
        raise ReviewError("Write the reason. The person will see it, so keep it kind and clear.", field="reason")
    if len(reason) > REASON_MAX:
        raise ReviewError(f"The reason must be {REASON_MAX:,} characters or fewer.", field="reason")
    if target.id == user.id:
        raise ReviewError("You cannot sanction yourself.", 403)
    if target.is_staff:
        raise ReviewError("Staff accounts are managed by an administrator, not from the review queue.", 403)
    ends = None
    if kind_ in (SanctionKind.MUTE, SanctionKind.SUSPENSION):
        if not isinstance(days, int) or not 1 <= days <= SANCTION_DAYS_MAX:
            raise ReviewError(f"Enter how many days, from 1 to {SANCTION_DAYS_MAX}.", field="days")
        ends = clock.utcnow() + timedelta(days=days)
    before = {"muted_until": target.muted_until, "is_suspended": target.is_suspended,
              "suspended_until": target.suspended_until}
    if kind_ is SanctionKind.MUTE:
        target.muted_until = max(ends, target.muted_until or ends)
    elif kind_ is SanctionKind.SUSPENSION:
        target.is_suspended, target.suspended_until = True, ends
    elif kind_ is SanctionKind.BAN:
        target.is_suspended, target.suspended_until = True, None
    row = Sanction(user_id=target.id, kind=kind_.value, reason=reason, item_id=item.id if item else None,
                   by_id=user.id, created_at=clock.utcnow(), ends_at=ends)
    db.session.add(row)
    db.session.flush()
    log_staff_action(user, f"sanction.{kind_.value}", target, reason=reason, before=before,
                     after={"muted_until": target.muted_until, "is_suspended": target.is_suspended,
                            "suspended_until": target.suspended_until, "sanction_id": row.id})
    target_id = target.id
    db.session.commit()
    if kind_ in (SanctionKind.SUSPENSION, SanctionKind.BAN):
        from community import realtime
        realtime.disconnect_user(target_id)
    return row


def lift_sanction(user: User, row: Sanction, reason: str, *, log_action: str = "sanction.lift") -> None:
    """End a sanction early (in the caller's transaction; no commit)."""
    if row.lifted_at is not None:
        return
    target = row.user
    before = {"muted_until": target.muted_until, "is_suspended": target.is_suspended}
    row.lifted_at, row.lifted_by_id = clock.utcnow(), user.id
    if row.kind == SanctionKind.MUTE.value:
        target.muted_until = None
    elif row.kind in (SanctionKind.SUSPENSION.value, SanctionKind.BAN.value):
        target.is_suspended, target.suspended_until = False, None
    log_staff_action(user, log_action, row, reason=reason, before=before,
                     after={"muted_until": target.muted_until, "is_suspended": target.is_suspended})


# --- appeals ---------------------------------------------------------------------------------------

def appealable(user: User) -> tuple[list[ReviewItem], list[Sanction], dict]:
    """The person's rejected posts and sanctions, newest first, and their appeals by ("item"|"sanction", id)."""
    items = list(db.session.scalars(select(ReviewItem).where(
        ReviewItem.author_id == user.id, ReviewItem.state == ReviewState.CLOSED.value,
        ReviewItem.decision.in_([Decision.REJECTED.value, Decision.EDITED.value]))
        .options(selectinload(ReviewItem.thread)).order_by(ReviewItem.id.desc()).limit(50)))
    sanctions = list(db.session.scalars(select(Sanction).where(Sanction.user_id == user.id)
                                        .order_by(Sanction.id.desc()).limit(50)))
    appeals = {}
    for a in db.session.scalars(select(Appeal).where(Appeal.user_id == user.id)):
        appeals[("item", a.item_id) if a.item_id else ("sanction", a.sanction_id)] = a
    return items, sanctions, appeals


def appeal(user: User, text: str, *, item: ReviewItem | None = None, sanction_row: Sanction | None = None) -> Appeal:
    """The person's one appeal against a decision on their text or a sanction on them."""
    text = clean_text(text)
    if not text:
        raise ReviewError("Tell us why you think the decision was wrong.", field="text")
    if len(text) > APPEAL_MAX:
        raise ReviewError(f"Your appeal must be {APPEAL_MAX:,} characters or fewer.", field="text")
    if item is not None:
        if item.author_id != user.id or item.decision not in (Decision.REJECTED.value, Decision.EDITED.value):
            raise ReviewError("Page not found", 404)
        exists = select(Appeal.id).where(Appeal.item_id == item.id)
    elif sanction_row is not None:
        if sanction_row.user_id != user.id:
            raise ReviewError("Page not found", 404)
        exists = select(Appeal.id).where(Appeal.sanction_id == sanction_row.id)
    else:
        raise ReviewError("Page not found", 404)
    if db.session.scalar(exists) is not None:
        raise ReviewError("You have already appealed this decision. A moderator will look at it.", 409)
    # Every text is screened: an appeal goes only to moderators, but a worry written in it must still
    # reach a safeguarding lead (an escalating verdict opens an item and a case beside the appeal).
    from community.forums.service import _release_connection
    from community.screening import context_for, screen_text

    audience = next(iter(sorted(a.value for a in user.audiences(clock.today()))), "parents")
    _release_connection()
    verdict = screen_text(text, context_for(user, kind="message", audience=audience))
    row = Appeal(user_id=user.id, item_id=item.id if item else None,
                 sanction_id=sanction_row.id if sanction_row else None, text=text, created_at=clock.utcnow())
    db.session.add(row)
    if verdict.action == "escalate":
        hold_text(user, kind="appeal", text_field="text", text=text, verdict=verdict)
    db.session.commit()
    return row


def open_appeals(user: User, page: int = 1):
    _require_moderator(user)
    query = (select(Appeal).where(Appeal.state == "open").options(
        selectinload(Appeal.user), selectinload(Appeal.item).selectinload(ReviewItem.post),
        selectinload(Appeal.item).selectinload(ReviewItem.decided_by),
        selectinload(Appeal.sanction).selectinload(Sanction.by)).order_by(Appeal.id))
    return db.paginate(query, page=page, per_page=current_app.config["REVIEW_PAGE_SIZE"], error_out=False)


def decide_appeal(user: User, row: Appeal, uphold: bool, outcome: str) -> Appeal:
    """A different moderator from the one who decided decides the appeal. Upholding it publishes the post
    (an item) or lifts the sanction; the outcome is shown to the person."""
    from community.forums.service import publish_post

    _require_moderator(user)
    if row.state != "open":
        raise ReviewError("This appeal was already decided. Nothing was changed.", 409)
    original = row.item.decided_by_id if row.item is not None else (row.sanction.by_id if row.sanction else None)
    if original == user.id:
        raise ReviewError("A different moderator must decide this appeal, not the one who made the decision.", 403)
    outcome = clean_text(outcome)
    if not outcome:
        raise ReviewError("Write a few words for the person about the outcome.", field="outcome")
    row.state = "upheld" if uphold else "refused"
    row.decided_by_id, row.decided_at, row.outcome = user.id, clock.utcnow(), outcome[:REASON_MAX]
    if uphold and row.item is not None:
        post = row.item.post
        if post is not None and post.deleted_at is None and post.state != PostState.PUBLISHED.value:
            publish_post(post)
        row.item.overturned = row.item.overturned or row.item.source == ReviewSource.REPORT.value
    if uphold and row.sanction is not None:
        lift_sanction(user, row.sanction, outcome, log_action="sanction.lift_on_appeal")
    log_staff_action(user, "appeal.uphold" if uphold else "appeal.refuse", row, reason=outcome,
                     before={"state": "open"}, after={"state": row.state})
    db.session.commit()
    return row


# --- reports ----------------------------------------------------------------------------------------

def add_report(user: User, post: Post, reason_key: str, reason: str, note: str) -> ReviewItem:
    """A member's report. Reports on one post gather into its one open item; REVIEW_REPORTS_TO_HIDE reports
    from different people hide the post until a moderator decides. A note that screening escalates makes
    the item urgent and goes to safeguarding (the `escalated` signal, in this transaction)."""
    from community.forums import live
    from community.forums.service import ForumError, _release_connection, _verdict_dict
    from community.screening import context_for, screen_text

    thread = post.thread
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id,
                                                      ReviewItem.state == ReviewState.OPEN.value)
                             .order_by(ReviewItem.id).limit(1))
    if item is not None and db.session.scalar(select(ReviewReport.id).where(
            ReviewReport.item_id == item.id, ReviewReport.reporter_id == user.id)) is not None:
        raise ForumError("You have already reported this post. A moderator will look at it.", 409, field="reason")
    verdict, action = None, ""
    if note:
        _release_connection()
        verdict = screen_text(note, context_for(user, kind="report_note", audience=thread.board.audience,
                                                board=thread.board.slug))
        action = verdict.action
    severity = "urgent" if action == "escalate" else ("high" if reason_key == "safety" else "standard")
    now = clock.utcnow()
    is_new = item is None
    if is_new:
        item = ReviewItem(source=ReviewSource.REPORT.value, content_kind="post", post=post, thread=thread,
                          reporter_id=user.id, reason=reason, note=note,
                          verdict=_verdict_dict(verdict) if verdict is not None else {}, action=action,
                          severity=severity, created_at=now)
        db.session.add(item)
    elif SEVERITIES.index(severity) < SEVERITIES.index(item.severity or "standard"):
        item.severity = severity
    db.session.add(ReviewReport(item=item, reporter_id=user.id, reason=reason, note=note, created_at=now))
    db.session.flush()
    item.report_count = db.session.scalar(select(func.count(ReviewReport.id)).where(ReviewReport.item_id == item.id))
    events = []
    threshold = current_app.config["REVIEW_REPORTS_TO_HIDE"]
    if threshold and item.report_count >= threshold and post.is_public:
        post.state = PostState.HIDDEN.value
        post.hidden_at = now
        events.append(live._gone(post))
        from community.forums.service import _refresh_thread
        _refresh_thread(thread)
    if action == "escalate":
        if not is_new:
            item.action = "escalate"
        escalated.send(current_app._get_current_object(), item=item, post=post, verdict=verdict)
    db.session.flush()
    events.append(live._review(item))
    db.session.commit()
    live.send(events)
    return item


def hold_text(user: User | None, *, kind: str, text_field: str, text: str, verdict, board: Board | None = None,
              group: Group | None = None, audience: str | None = None) -> ReviewItem:
    """Board, profile or group text that screening did not pass (or could not judge): keep it in an item,
    so it is never lost and a moderator can approve it (which saves it). Added to the caller's
    transaction."""
    from community.forums.service import _verdict_dict

    action = getattr(verdict, "action", "hold")
    unavailable = getattr(verdict, "backend", "") == "none" and action == "hold"
    audience = board.audience if board is not None else audience
    item = ReviewItem(source=ReviewSource.SCREENING.value, content_kind=kind, text=text, text_field=text_field,
                      author_id=user.id if user is not None else None, board=board, group=group, audience=audience,
                      reason=("Screening unavailable" if unavailable else
                              "; ".join(getattr(verdict, "reasons", []) or [])[:200] or f"Screening: {action}"),
                      verdict=_verdict_dict(verdict), action=action,
                      severity="urgent" if action == "escalate" else getattr(verdict, "severity", "standard"),
                      created_at=clock.utcnow())
    db.session.add(item)
    db.session.flush()
    if action == "escalate":
        escalated.send(current_app._get_current_object(), item=item, post=None, verdict=verdict)
    return item


# --- measures and labels ------------------------------------------------------------------------------

@dataclass
class Measures:
    open_count: int
    oldest_open: datetime | None
    open_by_severity: dict[str, int]
    decision_minutes: dict[str, dict[str, float | int | None]]  # severity -> median, p95, count
    overturns: list[tuple[str, int, int, float]]  # category, overturned, decided, rate


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def measures(user: User, *, sample: int = 5000) -> Measures:
    """Queue size and age; time to first decision (median, p95, in minutes) by severity over the last
    `sample` decisions; overturn rate by category. Five queries whatever the size of the table."""
    _require_moderator(user)
    open_clause = ReviewItem.state == ReviewState.OPEN.value
    open_count, oldest = db.session.execute(
        select(func.count(ReviewItem.id), func.min(ReviewItem.created_at)).where(open_clause)).one()
    by_severity = dict(db.session.execute(select(ReviewItem.severity, func.count(ReviewItem.id))
                                          .where(open_clause).group_by(ReviewItem.severity)).all())
    rows = db.session.execute(select(ReviewItem.severity, ReviewItem.created_at, ReviewItem.decided_at)
                              .where(ReviewItem.decided_at.is_not(None))
                              .order_by(ReviewItem.decided_at.desc()).limit(sample)).all()
    minutes: dict[str, list[float]] = {s: [] for s in SEVERITIES}
    for severity, created, decided in rows:
        minutes.setdefault(severity, []).append((decided - created).total_seconds() / 60)
    decision = {s: {"median": statistics.median(v) if v else None, "p95": _p95(v), "count": len(v)}
                for s, v in minutes.items()}
    overturns = []
    for category, turned, decided in db.session.execute(
            select(ReviewItem.category, func.sum(case((ReviewItem.overturned, 1), else_=0)),
                   func.count(ReviewItem.id))
            .where(ReviewItem.decided_at.is_not(None)).group_by(ReviewItem.category)
            .order_by(ReviewItem.category)).all():
        turned = int(turned or 0)
        overturns.append((category or "none", turned, decided, turned / decided if decided else 0.0))
    return Measures(open_count, oldest, {s: by_severity.get(s, 0) for s in SEVERITIES}, decision, overturns)


def measures_csv(m: Measures) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["measure", "group", "value"])
    writer.writerow(["open_items", "all", m.open_count])
    for severity, count in m.open_by_severity.items():
        writer.writerow(["open_items", severity, count])
    writer.writerow(["oldest_open_minutes", "all",
                     round((clock.utcnow() - m.oldest_open).total_seconds() / 60, 1) if m.oldest_open else ""])
    for severity, d in m.decision_minutes.items():
        for key in ("median", "p95"):
            writer.writerow([f"minutes_to_first_decision_{key}", severity,
                             "" if d[key] is None else round(d[key], 1)])
    for category, turned, decided, rate in m.overturns:
        writer.writerow(["overturn_rate", category, round(rate, 3)])
    return out.getvalue()


def export_labels(rows_out, *, limit: int = 100_000) -> int:
    """Write decided items as JSONL {"text", "audience", "expect"} for `python -m moderation evaluate`:
    approved -> allow, rejected or edited -> review, escalated by anyone -> escalate. Returns the count."""
    import json

    count = 0
    query = (select(ReviewItem).where(ReviewItem.decided_at.is_not(None) | ReviewItem.escalated_by_id.is_not(None))
             .options(selectinload(ReviewItem.post)).order_by(ReviewItem.id).limit(limit))
    for item in db.session.scalars(query):
        revision = None
        if item.decision == Decision.EDITED.value and item.post is not None:
            revision = db.session.scalar(select(PostRevision.body).where(PostRevision.post_id == item.post_id)
                                         .order_by(PostRevision.id).limit(1))
        text = revision or (item.post.body if item.post is not None else item.text)
        if not text or not item.audience:
            continue
        if item.escalated_by_id is not None or (item.action == "escalate" and item.decision != "approved"):
            expect = "escalate"
        elif item.decision == Decision.APPROVED.value:
            expect = "allow"
        else:
            expect = "review"
        row = {"text": text, "audience": item.audience, "expect": expect}
        if item.category:
            row["category"] = item.category
        rows_out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


# --- the staff log page ----------------------------------------------------------------------------

def staff_log_page(user: User, *, q: str = "", action: str = "", page: int = 1, per_page: int = 50):
    """Staff log events, newest first, matching `action` exactly and `q` in the action, the reason or the
    actor's username. Two queries and one for the actors, whatever the page size."""
    from community.models import StaffEvent

    _require_moderator(user)
    query = select(StaffEvent).options(selectinload(StaffEvent.actor)).order_by(StaffEvent.id.desc())
    if action:
        query = query.where(StaffEvent.action == action)
    if q:
        needle = f"%{q.lower()[:100]}%"
        query = query.outerjoin(User, StaffEvent.actor_id == User.id).where(or_(
            func.lower(StaffEvent.action).like(needle), func.lower(StaffEvent.reason).like(needle),
            func.lower(User.username).like(needle)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def log_actions() -> list[str]:
    from community.models import StaffEvent

    return list(db.session.scalars(select(StaffEvent.action).distinct().order_by(StaffEvent.action).limit(100)))
