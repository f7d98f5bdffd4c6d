"""Forums: boards, threads and posts. One service serves HTTP, Socket.IO and the CLI.

Every rule lives here, so the HTML form, the Socket.IO event and any command get the same answer.
Writes happen in one transaction (post + review item + notifications); live events are sent only
after the commit, through `community.forums.live`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import selectinload

from community import clock
from community.errors import RuleError
from community.extensions import db
from community.forms import clean_text
from community.forums import live
from community.models import (Audience, Board, Notification, Post, PostRevision, PostState, Reaction, ReviewItem,
                              ReviewSource, Role, Subscription, Thread, User)
from community.screening import context_for, screen_text
from community.review.stafflog import log_staff_action
from community.signals import escalated
from community.text import excerpt, has_link, mentions


TITLE_MIN, TITLE_MAX = 3, 150
NOTE_MAX = 1000
MENTION_LIMIT = 20  # more @names than this in one post are not notified (spam)
REPLAY_LIMIT = 200  # a reconnecting client further behind than this reloads the page
YOUTH_AUDIENCES = frozenset({Audience.YOUNG_PEOPLE.value, Audience.YOUNG_ADULTS.value})

REPORT_REASONS = [
    ("unkind", "It is unkind, bullying or hateful"),
    ("safety", "I am worried about someone's safety"),
    ("personal", "It shares personal details, like a phone number or address"),
    ("spam", "It is spam or advertising"),
    ("other", "Something else"),
]
REPORT_REASON_LABELS = dict(REPORT_REASONS)

_ACTION_RANK = {"publish": 0, "publish_and_flag": 1, "hold": 2, "reject": 3, "escalate": 4}

# Plain words for why screening refused a post; the author never sees scores or model names.
_REJECT_WORDS = {
    "spam": "it looks like advertising or spam",
    "toxicity": "it has words that could hurt or upset people",
    "contact": "it shares contact details, like a phone number, email or address",
    "personal_details": "it shares contact details, like a phone number, email or address",
}

MSG_PUBLISHED = "Your post is on the board."
MSG_HELD = "Thank you. A moderator will check your post before other people can see it. This is usually quick."
MSG_HELD_LINK = ("Thank you. Posts with web links are checked by a moderator before other people can see them. "
                 "This is usually quick.")
MSG_ESCALATED = ("Thank you for posting. A member of our team will read what you wrote soon. "
                 "If you would like to talk to someone now, these people can help. They are free and kind.")


class ForumError(RuleError):
    """A forum rule said no (see RuleError); by default about the post's body."""

    default_field = "body"


@dataclass
class PostResult:
    post: Post
    thread: Thread
    state: str
    message: str
    show_helplines: bool = False
    review_item: ReviewItem | None = None
    notifications: list[Notification] = field(default_factory=list)


# --- who may do what ---------------------------------------------------------------------------

def readable_audiences(user: User) -> frozenset[Audience]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return user.audiences(clock.today())


def may_read(user: User, board: Board) -> bool:
    """Audiences never mix: checked here for every page, join and event."""
    return Audience(board.audience) in readable_audiences(user)


def is_moderator(user: User) -> bool:
    return bool(user.is_authenticated) and user.has_role(Role.MODERATOR, Role.ADMIN)


def is_youth_board(board: Board) -> bool:
    return board.audience in YOUTH_AUDIENCES


def boards_for(user: User) -> list[Board]:
    audiences = [a.value for a in readable_audiences(user)]
    if not audiences:
        return []
    return list(db.session.scalars(
        select(Board).where(Board.audience.in_(audiences)).options(selectinload(Board.area))
        .order_by(Board.audience, Board.position, Board.name)
    ))


def board_by_slug(slug: str) -> Board | None:
    return db.session.scalar(select(Board).where(Board.slug == slug))


def readable_board(user: User, slug: str) -> Board:
    board = board_by_slug(slug)
    # A board someone may not read looks the same as one that does not exist.
    if board is None or not may_read(user, board):
        raise ForumError("Page not found", 404)
    return board


def _visible(user: User, thing: Thread | Post) -> bool:
    """Moderators see everything; others see what is published, and their own held things, not deleted."""
    if is_moderator(user):
        return True
    if thing.deleted_at is not None:
        return False
    return thing.state == PostState.PUBLISHED.value or (
        thing.author_id == user.id and thing.state == PostState.HELD.value)


def _thread_visible(user: User, thread: Thread) -> bool:
    return may_read(user, thread.board) and _visible(user, thread)


def readable_thread(user: User, thread_id: int) -> Thread:
    thread = db.session.get(Thread, thread_id)
    if thread is None or not _thread_visible(user, thread):
        raise ForumError("Page not found", 404)
    return thread


def readable_post(user: User, post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or not _thread_visible(user, post.thread) or not _visible(user, post):
        raise ForumError("Page not found", 404)
    return post


def _visible_posts_clause(user: User):
    if is_moderator(user):
        return True
    return and_(Post.deleted_at.is_(None), or_(
        Post.state == PostState.PUBLISHED.value,
        and_(Post.author_id == user.id, Post.state == PostState.HELD.value),
    ))


# --- reading -------------------------------------------------------------------------------------

def threads_page(user: User, board: Board, page: int):
    query = select(Thread).where(Thread.board_id == board.id).options(selectinload(Thread.author))
    if not is_moderator(user):
        query = query.where(Thread.deleted_at.is_(None), or_(
            Thread.state == PostState.PUBLISHED.value,
            and_(Thread.author_id == user.id, Thread.state == PostState.HELD.value),
        ))
    query = query.order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    return db.paginate(query, page=page, per_page=current_app.config["FORUM_PAGE_SIZE"], error_out=False)


def posts_page(user: User, thread: Thread, page: int):
    query = (select(Post).where(Post.thread_id == thread.id, _visible_posts_clause(user))
             .options(selectinload(Post.author), selectinload(Post.quote).selectinload(Post.author))
             .order_by(Post.id))
    return db.paginate(query, page=page, per_page=current_app.config["FORUM_PAGE_SIZE"], error_out=False)


def page_of_post(user: User, post: Post) -> int:
    before = db.session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == post.thread_id, Post.id < post.id, _visible_posts_clause(user)))
    return before // current_app.config["FORUM_PAGE_SIZE"] + 1


def last_page(user: User, thread: Thread) -> int:
    total = db.session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == thread.id, _visible_posts_clause(user)))
    return max(1, math.ceil(total / current_app.config["FORUM_PAGE_SIZE"]))


def helped_counts(post_ids: list[int]) -> dict[int, int]:
    if not post_ids:
        return {}
    rows = db.session.execute(select(Reaction.post_id, func.count(Reaction.id)).where(
        Reaction.post_id.in_(post_ids), Reaction.kind == "helped").group_by(Reaction.post_id))
    return dict(rows.all())


def helped_by(user: User, post_ids: list[int]) -> set[int]:
    if not post_ids:
        return set()
    return set(db.session.scalars(select(Reaction.post_id).where(
        Reaction.post_id.in_(post_ids), Reaction.user_id == user.id, Reaction.kind == "helped")))


def is_subscribed(user: User, thread: Thread) -> bool:
    return db.session.scalar(select(Subscription.id).where(
        Subscription.thread_id == thread.id, Subscription.user_id == user.id)) is not None


def revisions(user: User, post: Post) -> list[PostRevision]:
    if not is_moderator(user):
        raise ForumError("Page not found", 404)
    return list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .options(selectinload(PostRevision.editor)).order_by(PostRevision.id)))


def replay_posts(user: User, thread: Thread, after_id: int) -> tuple[list[Post], bool]:
    """Published posts after `after_id`, oldest first; True as well if more were missed than are sent."""
    posts = list(db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.id > after_id,
                           Post.state == PostState.PUBLISHED.value, Post.deleted_at.is_(None))
        .options(selectinload(Post.author), selectinload(Post.quote).selectinload(Post.author))
        .order_by(Post.id).limit(REPLAY_LIMIT + 1)))
    return posts[:REPLAY_LIMIT], len(posts) > REPLAY_LIMIT


GONE_LIMIT = 200  # a page shows 20 posts plus what arrived live; older pages are not live


def gone_posts(user: User, thread: Thread, from_id: int) -> list[int]:
    """Ids (newest first, at most GONE_LIMIT) of posts from `from_id` on that this person should no longer
    see as they were: deleted or hidden (for a moderator, who still sees them, marked as hidden), or for
    anyone else not visible any more (held again after an edit). A re-syncing client drops them."""
    if is_moderator(user):
        gone = or_(Post.deleted_at.is_not(None), Post.state == PostState.HIDDEN.value)
    else:
        gone = not_(_visible_posts_clause(user))
    return list(db.session.scalars(select(Post.id).where(Post.thread_id == thread.id, Post.id >= from_id, gone)
                                   .order_by(Post.id.desc()).limit(GONE_LIMIT)))


# --- checks before writing -------------------------------------------------------------------------

def clean_body(body: str | None) -> str:
    text = clean_text(body)
    if not text:
        raise ForumError("Write your message.")
    limit = current_app.config["FORUM_POST_MAX_CHARS"]
    if len(text) > limit:
        raise ForumError(f"Your message is {len(text):,} characters long. The most you can post is {limit:,}. "
                         "Make it shorter, then try again.")
    return text


def clean_title(title: str | None) -> str:
    text = " ".join(clean_text(title).split())
    if len(text) < TITLE_MIN:
        raise ForumError("Write a title of at least 3 characters.", field="title")
    if len(text) > TITLE_MAX:
        raise ForumError(f"Your title must be {TITLE_MAX} characters or fewer.", field="title")
    return text


def _check_may_post(user: User, board: Board, thread: Thread | None = None) -> None:
    if not may_read(user, board):
        raise ForumError("Page not found", 404)
    if not user.is_active or user.is_muted:  # sanctions from the review queue count at once
        from community.templating import london_time

        until = f" until {london_time(user.muted_until)}" if user.is_active else ""
        raise ForumError(f"You cannot post{until}. A moderator has sent you a message about why.", 403)
    if thread is not None and thread.is_locked and not is_moderator(user):
        raise ForumError("This thread is locked. You can read it, but nobody can reply.", 403)
    now = clock.utcnow()
    per_minute = current_app.config["FORUM_POSTS_PER_MINUTE"]
    recent = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == user.id, Post.created_at > now - timedelta(minutes=1)))
    if per_minute and recent >= per_minute:
        raise ForumError("You are posting very quickly. Please wait a minute, then try again.", 429)
    if board.slow_mode_seconds and not is_moderator(user):
        last = db.session.scalar(select(func.max(Post.created_at)).join(Thread, Post.thread_id == Thread.id).where(
            Post.author_id == user.id, Thread.board_id == board.id))
        if last is not None:
            wait = board.slow_mode_seconds - int((now - last).total_seconds())
            if wait > 0:
                raise ForumError(f"This board is in slow mode, so everyone gets a turn. You can post again in "
                                 f"{wait} second{'s' if wait != 1 else ''}. Your message is still here.", 429)


def _author_history(user: User) -> dict:
    """What screening may weigh: how established the author is and what they posted lately."""
    now = clock.utcnow()
    approved = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == user.id, Post.state == PostState.PUBLISHED.value))
    last_10 = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == user.id, Post.created_at > now - timedelta(minutes=10)))
    recent = tuple(db.session.scalars(select(Post.body).where(Post.author_id == user.id)
                                      .order_by(Post.id.desc()).limit(5)))
    return {"approved_posts": approved, "posts_last_10_minutes": last_10, "recent_texts": recent}


@dataclass
class _Decision:
    action: str
    verdict: object  # moderation.Verdict
    kind: str
    link_hold: bool = False


def _screen(user: User, board: Board, texts: list[tuple[str, str]]) -> _Decision:
    """Screen each (kind, text); the most serious verdict decides. Youth boards hold links for review."""
    history = _author_history(user)
    _release_connection()
    worst: _Decision | None = None
    for kind, text in texts:
        verdict = screen_text(text, context_for(user, kind=kind, audience=board.audience, board=board.slug, **history))
        if worst is None or _ACTION_RANK.get(verdict.action, 2) > _ACTION_RANK.get(worst.action, 2):
            worst = _Decision(verdict.action if verdict.action in _ACTION_RANK else "hold", verdict, kind)
    assert worst is not None
    if (is_youth_board(board) and worst.action in ("publish", "publish_and_flag") and not is_moderator(user)
            and any(has_link(text) for _, text in texts)):
        worst.action, worst.link_hold = "hold", True
    return worst


def _release_connection() -> None:
    """End the read-only transaction before screening, so no database connection is held while the text
    waits for the models (screening is queued one text at a time; 25 people posting at once otherwise
    used up the connection pool). Nothing is pending here; loaded objects are kept as they are."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def _reject_message(verdict) -> str:
    words = next((_REJECT_WORDS[c] for c in getattr(verdict, "categories", []) or [] if c in _REJECT_WORDS),
                 "it breaks the board rules")
    return f"We could not post this because {words}. Please change it, then try again."


def _apply(decision: _Decision, post: Post, thread: Thread, *, new_thread: bool,
           reporter: User | None = None) -> tuple[str, str, bool, ReviewItem | None]:
    """Turn the decision into the post's state and a review item. Returns (state, message, helplines, item)."""
    verdict = decision.verdict
    helplines = bool(getattr(verdict, "show_helplines", False))
    item = None
    action = decision.action
    if action in ("publish", "publish_and_flag"):
        state, message = PostState.PUBLISHED.value, MSG_PUBLISHED
    elif action == "reject":
        state, message = PostState.REJECTED.value, _reject_message(verdict)
    elif action == "escalate":
        state, message, helplines = PostState.HELD.value, MSG_ESCALATED, True
    else:
        state, message = PostState.HELD.value, MSG_HELD_LINK if decision.link_hold else MSG_HELD
    post.state = state
    post.show_helplines = helplines
    post.state_reason = "" if state == PostState.PUBLISHED.value else message
    if new_thread:
        thread.state = state
    if action in ("publish_and_flag", "hold", "escalate"):
        if decision.link_hold:
            reason = "Web link in a young people's board"
        else:
            reason = "; ".join(getattr(verdict, "reasons", []) or [])[:200] or f"Screening asked for review ({action})"
        item = ReviewItem(source=ReviewSource.SCREENING.value, content_kind=decision.kind, post=post, thread=thread,
                          reason=reason, verdict=_verdict_dict(verdict), action=action,
                          severity="urgent" if action == "escalate" else getattr(verdict, "severity", "standard"))
        db.session.add(item)
    return state, message, helplines, item


def _verdict_dict(verdict) -> dict:
    try:
        return verdict.to_dict()
    except Exception:  # noqa: BLE001 - the stand-in Verdict has no to_dict; the record still matters
        return {k: getattr(verdict, k, None) for k in ("action", "severity", "categories", "reasons", "scores",
                                                        "backend", "show_helplines")}


def _after_publish(post: Post, thread: Thread) -> list[Notification]:
    """Thread counters, and notifications for subscribers and @mentions. Call inside the transaction."""
    _refresh_thread(thread)
    board = thread.board
    notes: list[Notification] = []
    mentioned_names = mentions(post.body)[:MENTION_LIMIT]
    mentioned: list[User] = []
    if mentioned_names:
        mentioned = [u for u in db.session.scalars(select(User).where(func.lower(User.username).in_(mentioned_names)))
                     if u.id != post.author_id and may_read(u, board)]
    mentioned_ids = {u.id for u in mentioned}
    for user in mentioned:
        notes.append(Notification(user_id=user.id, kind="mention", actor_id=post.author_id, thread_id=thread.id,
                                  post_id=post.id))
    # One unread reply notification per thread and person (as Discourse does): it points at the first
    # reply they have not seen, and a busy thread does not bury everything else. It also keeps the
    # posting path from writing and sending a row per follower for every reply.
    waiting = select(Notification.user_id).where(
        Notification.thread_id == thread.id, Notification.kind == "reply", Notification.read_at.is_(None))
    subscriber_ids = db.session.scalars(select(Subscription.user_id).where(
        Subscription.thread_id == thread.id, Subscription.user_id != post.author_id,
        Subscription.user_id.not_in(waiting)))
    for user_id in subscriber_ids:
        if user_id not in mentioned_ids:
            notes.append(Notification(user_id=user_id, kind="reply", actor_id=post.author_id, thread_id=thread.id,
                                      post_id=post.id))
    db.session.add_all(notes)
    return notes


def _refresh_thread(thread: Thread) -> None:
    count, last = db.session.execute(select(func.count(Post.id), func.max(Post.created_at)).where(
        Post.thread_id == thread.id, Post.state == PostState.PUBLISHED.value, Post.deleted_at.is_(None))).one()
    thread.post_count = count
    if last is not None:
        thread.last_post_at = last


def _subscribe(user: User, thread: Thread) -> None:
    if not is_subscribed(user, thread):
        db.session.add(Subscription(user_id=user.id, thread_id=thread.id, created_at=clock.utcnow()))


def _finish(result: PostResult, decision: _Decision | None) -> PostResult:
    """Commit, then tell the world. Nothing is emitted for a transaction that did not commit."""
    if result.review_item is not None and result.review_item.action == "escalate":
        escalated.send(current_app._get_current_object(), item=result.review_item, post=result.post,
                       verdict=decision.verdict if decision else None)
    db.session.flush()  # ids for the review item and notifications
    events = live.events_for(result)
    db.session.commit()
    live.send(events)
    return result


# --- writing ---------------------------------------------------------------------------------------

def start_thread(user: User, board: Board, title: str, body: str) -> PostResult:
    title, body = clean_title(title), clean_body(body)
    _check_may_post(user, board)
    decision = _screen(user, board, [("thread_title", title), ("post", body)])
    now = clock.utcnow()
    thread = Thread(board=board, author=user, title=title, created_at=now, last_post_at=now)
    post = Post(thread=thread, author=user, body=body, created_at=now)
    db.session.add_all([thread, post])
    state, message, helplines, item = _apply(decision, post, thread, new_thread=True)
    db.session.flush()
    _subscribe(user, thread)
    notes = _after_publish(post, thread) if state == PostState.PUBLISHED.value else []
    return _finish(PostResult(post, thread, state, message, helplines, item, notes), decision)


def reply(user: User, thread: Thread, body: str, quote_post_id: int | None = None) -> PostResult:
    body = clean_body(body)
    if not _thread_visible(user, thread) or thread.deleted_at is not None:
        raise ForumError("Page not found", 404)
    if thread.state != PostState.PUBLISHED.value and not is_moderator(user):
        raise ForumError("You can reply once a moderator has checked this thread.", 403)
    _check_may_post(user, thread.board, thread)
    quote = None
    if quote_post_id:
        quote = db.session.get(Post, quote_post_id)
        if quote is None or quote.thread_id != thread.id or not quote.is_public:
            raise ForumError("The post you are quoting is not there any more. Remove the quote and try again.")
    decision = _screen(user, thread.board, [("post", body)])
    post = Post(thread=thread, author=user, body=body, quote=quote, created_at=clock.utcnow())
    db.session.add(post)
    state, message, helplines, item = _apply(decision, post, thread, new_thread=False)
    db.session.flush()
    _subscribe(user, thread)
    notes = _after_publish(post, thread) if state == PostState.PUBLISHED.value else []
    return _finish(PostResult(post, thread, state, message, helplines, item, notes), decision)


def edit_post(user: User, post: Post, body: str) -> PostResult:
    body = clean_body(body)
    thread = post.thread
    if post.author_id != user.id or post.deleted_at is not None or post.state not in (
            PostState.PUBLISHED.value, PostState.HELD.value) or not may_read(user, thread.board):
        raise ForumError("You can only change your own posts.", 403)
    if thread.is_locked and not is_moderator(user):
        raise ForumError("This thread is locked, so posts in it cannot be changed.", 403)
    if body == post.body:
        return PostResult(post, thread, post.state, "Nothing changed.")
    was_public, was_state = post.is_public, post.state
    decision = _screen(user, thread.board, [("edit", body)])
    db.session.add(PostRevision(post_id=post.id, body=post.body, state=post.state, editor_id=user.id,
                                replaced_at=clock.utcnow()))
    post.body = body
    post.edited_at = clock.utcnow()
    is_first = _is_opening_post(post)
    state, message, helplines, item = _apply(decision, post, thread, new_thread=is_first)
    if was_state == PostState.HELD.value and state == PostState.PUBLISHED.value:
        # A post waiting for a moderator stays waiting: an edit is not a way round review.
        post.state = PostState.HELD.value
        if is_first:
            thread.state = PostState.HELD.value
        state, message = PostState.HELD.value, MSG_HELD
    if state == PostState.REJECTED.value:
        # A refused edit changes nothing: the old words stay, and the person is told why.
        db.session.rollback()
        raise ForumError(message)
    _refresh_thread(thread)
    result = PostResult(post, thread, state, message if state != PostState.PUBLISHED.value else "Your changes are saved.",
                        helplines, item)
    result.was_public = was_public  # type: ignore[attr-defined]
    return _finish(result, decision)


def _is_opening_post(post: Post) -> bool:
    """The thread's first post: deleting, hiding or publishing it does the same to the thread."""
    return db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == post.thread_id)) == post.id


def delete_post(user: User, post: Post) -> None:
    if post.author_id != user.id and not is_moderator(user):
        raise ForumError("You can only delete your own posts.", 403)
    if post.deleted_at is not None:
        return
    post.deleted_at = clock.utcnow()
    post.deleted_by_id = user.id
    thread = post.thread
    if _is_opening_post(post):
        thread.deleted_at = post.deleted_at  # deleting the opening post takes the thread with it
    _refresh_thread(thread)
    db.session.commit()
    live.post_gone(post)


def hide_post(moderator: User, post: Post) -> None:
    if not is_moderator(moderator):
        raise ForumError("Only moderators can hide posts.", 403)
    log_staff_action(moderator, "forums.hide", post, before={"state": post.state}, after={"state": "hidden"})
    post.state = PostState.HIDDEN.value
    post.hidden_by_id, post.hidden_at = moderator.id, clock.utcnow()
    thread = post.thread
    if _is_opening_post(post):
        thread.state = PostState.HIDDEN.value
    _refresh_thread(thread)
    db.session.commit()
    live.post_gone(post)


def unhide_post(moderator: User, post: Post) -> PostResult:
    """Publish a hidden or held post from the thread page, and log it."""
    if not is_moderator(moderator):
        raise ForumError("Only moderators can do that.", 403)
    log_staff_action(moderator, "forums.unhide", post, before={"state": post.state}, after={"state": "published"})
    return _finish(publish_post(post), None)


def publish_post(post: Post) -> PostResult:
    """Publish a held or hidden post (and its thread, if it opens it) in the caller's transaction; no commit.
    The review queue's approve and the thread page's unhide both use it."""
    thread = post.thread
    was = post.state
    post.state, post.state_reason = PostState.PUBLISHED.value, ""
    post.hidden_by_id = post.hidden_at = None
    if _is_opening_post(post):
        thread.state = PostState.PUBLISHED.value
    notes = _after_publish(post, thread) if was == PostState.HELD.value else []
    if was != PostState.HELD.value:
        _refresh_thread(thread)
    return PostResult(post, thread, post.state, "The post is back on the board.", notifications=notes)


def set_locked(moderator: User, thread: Thread, locked: bool) -> None:
    if not is_moderator(moderator):
        raise ForumError("Only moderators can lock threads.", 403)
    log_staff_action(moderator, "forums.lock" if locked else "forums.unlock", thread,
                     before={"is_locked": thread.is_locked}, after={"is_locked": locked})
    thread.is_locked = locked
    db.session.commit()


def set_pinned(moderator: User, thread: Thread, pinned: bool) -> None:
    if not is_moderator(moderator):
        raise ForumError("Only moderators can pin threads.", 403)
    log_staff_action(moderator, "forums.pin" if pinned else "forums.unpin", thread,
                     before={"is_pinned": thread.is_pinned}, after={"is_pinned": pinned})
    thread.is_pinned = pinned
    db.session.commit()


def toggle_helped(user: User, post: Post) -> bool:
    """'This helped me': on if it was off, off if it was on. Returns the new setting."""
    if not post.is_public or not may_read(user, post.thread.board):
        raise ForumError("Page not found", 404)
    if post.author_id == user.id:
        raise ForumError("You cannot mark your own post as helpful.", 400)
    existing = db.session.scalar(select(Reaction).where(
        Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == "helped"))
    if existing:
        db.session.delete(existing)
    else:
        db.session.add(Reaction(post_id=post.id, user_id=user.id, kind="helped", created_at=clock.utcnow()))
    db.session.commit()
    return existing is None


def toggle_subscription(user: User, thread: Thread) -> bool:
    if not _thread_visible(user, thread):
        raise ForumError("Page not found", 404)
    existing = db.session.scalar(select(Subscription).where(
        Subscription.thread_id == thread.id, Subscription.user_id == user.id))
    if existing:
        db.session.delete(existing)
    else:
        db.session.add(Subscription(thread_id=thread.id, user_id=user.id, created_at=clock.utcnow()))
    db.session.commit()
    return existing is None


def report_post(user: User, post: Post, reason: str, note: str = "") -> ReviewItem:
    """A member's report. Reports on one post gather into one review item (see community.review.service)."""
    from community.review.service import add_report

    if reason not in REPORT_REASON_LABELS:
        raise ForumError("Choose why you are reporting this post.", field="reason")
    note = clean_text(note)
    if len(note) > NOTE_MAX:
        raise ForumError(f"Your note must be {NOTE_MAX:,} characters or fewer.", field="note")
    if not may_read(user, post.thread.board):
        raise ForumError("Page not found", 404)
    return add_report(user, post, reason, REPORT_REASON_LABELS[reason], note)


# --- notifications -----------------------------------------------------------------------------------

def notifications_page(user: User, page: int):
    query = (select(Notification).where(Notification.user_id == user.id)
             .options(selectinload(Notification.actor), selectinload(Notification.thread))
             .order_by(Notification.id.desc()))
    return db.paginate(query, page=page, per_page=current_app.config["FORUM_PAGE_SIZE"], error_out=False)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def mark_all_read(user: User) -> None:
    db.session.execute(Notification.__table__.update().where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=clock.utcnow()))
    db.session.commit()


def notification_text(note: Notification) -> str:
    if note.thread_id is None:  # not a forum notification (a group's): it carries its own words
        return note.text
    return Notification.words(note.kind, note.actor.username if note.actor else "Someone", note.thread.title)


def post_excerpt(post: Post) -> str:
    return excerpt(post.body, 200)

