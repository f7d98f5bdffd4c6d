// The re-sync protocol for a live thread (community/forums/live.py explains it): which posts to show,
// in which order, and when to ask the server for what was missed. No DOM and no socket here, so that
// node can run it on the shared cases in tests/data/live_sync_cases.json; tests/live_sync.py is the
// same rules in Python for the tests and the benchmark. Keep the two in step.

export const GAP_GRACE_MS = 300; // two writers' events may arrive out of order; wait this long first
export const RESYNC_JITTER_MS = 1000; // after a `resync`, spread the catch-ups of many readers

export class ThreadSync {
  // synced: every published post with an id up to this one is shown (the page's newest post).
  // shown: ids already on the page.
  constructor(synced, shown = []) {
    this.synced = synced || 0;
    this.shown = new Set(shown);
    this.prev = new Map(); // published id above `synced` -> the prev_id it came with
  }

  // A `post` event. Returns "show" (new: put it on the page in id order), "update" (already shown:
  // refresh it).
  receive(post) {
    const seen = this.shown.has(post.id);
    this.shown.add(post.id);
    if (post.state === "published" && post.id > this.synced && "prev_id" in post) {
      this.prev.set(post.id, post.prev_id);
      this.advance();
    }
    return seen ? "update" : "show";
  }

  // Posts taken down (a `post_hidden` event, or the `hidden` list of a catch-up).
  hide(ids) {
    const gone = ids.filter((id) => this.shown.has(id));
    gone.forEach((id) => { this.shown.delete(id); this.prev.delete(id); });
    this.advance();
    return gone;
  }

  // Walk the chain: a post whose prev_id is already covered extends what is known complete.
  advance() {
    const waiting = [...this.prev.keys()].sort((a, b) => a - b);
    for (const id of waiting) {
      const prev = this.prev.get(id);
      if (id <= this.synced) {
        this.prev.delete(id);
      } else if (prev === null || prev <= this.synced) {
        this.synced = id;
        this.prev.delete(id);
      } else {
        break;
      }
    }
  }

  // True while a post shown live is above `synced`: something between them was missed (or is late).
  hasGap() {
    return this.prev.size > 0;
  }

  // The join_thread payload that asks for what was missed.
  catchUp(threadId) {
    const first = this.shown.size ? Math.min(...this.shown) : null;
    return { thread_id: threadId, last_post_id: this.synced, first_post_id: first };
  }

  // The catch-up's acknowledgement. Returns { hidden: ids to take off the page, more: true if more
  // was missed than one catch-up sends (the page reloads; a script asks again) }.
  acknowledge(ack) {
    if (!ack || !ack.ok) return { hidden: [], more: false };
    if (typeof ack.synced === "number") this.synced = Math.max(this.synced, ack.synced);
    this.advance();
    return { hidden: this.hide(ack.hidden || []), more: Boolean(ack.more) };
  }
}
