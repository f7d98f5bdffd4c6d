// Live threads: new posts, typing, reading-now and notifications over Socket.IO.
// Progressive enhancement only: without this file (or without a connection) every form still posts
// normally and the page works. Post HTML comes from the server's one sanitiser; nothing a member
// typed is ever put into the page as HTML here except that sanitised output.
// Nothing missed: the page re-syncs on every (re)connect, on the server's `resync` and when a post shows
// a gap (the rules are in live-sync.js; community/forums/live.py explains the protocol).

import { GAP_GRACE_MS, RESYNC_JITTER_MS, ThreadSync } from "./live-sync.js";

const root = document.getElementById("thread");

const londonTime = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit",
  hour12: true,
});

function formatTime(iso) {
  return londonTime.format(new Date(iso));
}

if (root && typeof window.io === "function") {
  const threadId = Number(root.dataset.threadId);
  const live = root.dataset.live === "true";
  const me = root.dataset.username;
  const moderator = root.dataset.moderator === "true";
  const postUrl = root.dataset.postUrl; // the address of post 0, e.g. /boards/p/0
  const lastId = Number(root.dataset.lastPostId) || 0;

  const postsEl = document.getElementById("posts");
  const template = document.getElementById("post-template");
  const readingEl = document.getElementById("reading-now");
  const typingEl = document.getElementById("typing");
  const announcer = document.getElementById("live-announcer");
  const noticesEl = document.getElementById("live-notices");
  const form = document.getElementById("reply-form");

  const socket = window.io({ transports: ["websocket", "polling"] });

  const announce = (text) => { if (announcer) announcer.textContent = text; };

  const notice = (text, href) => {
    if (!noticesEl) return;
    const item = document.createElement("p");
    item.className = "govuk-body";
    if (href) {
      const link = document.createElement("a");
      link.className = "govuk-link";
      link.href = href;
      link.textContent = text;
      item.append(link);
    } else {
      item.textContent = text;
    }
    noticesEl.append(item);
  };

  function fillPost(el, post) {
    el.id = `post-${post.id}`;
    el.dataset.postId = String(post.id);
    el.dataset.state = post.state;
    el.classList.toggle("village-post--held", post.state === "held");
    el.querySelector("[data-slot=author]").textContent = post.author;
    const time = el.querySelector("[data-slot=time]");
    time.dateTime = post.created_at;
    time.textContent = formatTime(post.created_at);
    el.querySelector("[data-slot=edited]").textContent = post.edited ? "(changed)" : "";
    const status = el.querySelector("[data-slot=status]");
    status.textContent = "";
    if (post.state === "held") {
      const tag = document.createElement("strong");
      tag.className = "govuk-tag govuk-tag--yellow";
      tag.textContent = "Waiting for a moderator";
      status.append(tag);
    }
    const quote = el.querySelector("[data-slot=quote]");
    quote.textContent = "";
    if (post.quote) {
      const block = document.createElement("blockquote");
      const who = document.createElement("p");
      who.className = "govuk-body-s govuk-!-margin-bottom-1";
      who.textContent = `${post.quote.author} wrote:`;
      const body = document.createElement("div");
      body.innerHTML = post.quote.html; // sanitised by the server
      block.append(who, body);
      quote.append(block);
    }
    el.querySelector("[data-slot=body]").innerHTML = post.html; // sanitised by the server
  }

  function buildPost(post) {
    const el = template.content.firstElementChild.cloneNode(true);
    const swap = (value) => value.replace(/\/p\/0\//, `/p/${post.id}/`).replace(/quote=0\b/, `quote=${post.id}`)
      .replace(/\/t\/0\b/, `/t/${post.thread_id}`);
    el.querySelectorAll("[data-slot=helped-form]").forEach((f) => { f.action = swap(f.getAttribute("action")); });
    el.querySelectorAll("a[data-slot]").forEach((a) => { a.href = swap(a.getAttribute("href")); });
    if (post.author === me || post.state !== "published") {
      el.querySelectorAll("[data-slot=helped-form]").forEach((f) => f.closest("li").remove());
    }
    if (post.state !== "published") {
      el.querySelectorAll("a[data-slot]").forEach((a) => a.closest("li").remove());
    }
    fillPost(el, post);
    return el;
  }

  const shownIds = [...postsEl.querySelectorAll("[data-post-id]")].map((el) => Number(el.dataset.postId));
  const sync = new ThreadSync(lastId, shownIds);
  let catchingUp = false;
  let catchUpAgain = false;
  let gapTimer = null;

  function takeDown(ids) {
    ids.forEach((id) => {
      const el = document.getElementById(`post-${id}`);
      if (!el) return;
      if (moderator) {
        el.classList.add("village-post--hidden");
      } else {
        el.remove();
        announce("A post was taken down.");
      }
    });
  }

  // Ask for what was missed: the server sends the posts after `synced` before it answers. One at a time.
  function catchUp() {
    if (!live) {
      socket.emit("join_thread", { thread_id: threadId, last_post_id: null }, (ack) => {
        if (ack && ack.ok) setReading(ack.reading);
      });
      return;
    }
    if (catchingUp) { catchUpAgain = true; return; }
    catchingUp = true;
    catchUpAgain = false;
    socket.timeout(30000).emit("join_thread", sync.catchUp(threadId), (err, ack) => {
      catchingUp = false;
      if (err || !ack || !ack.ok) return; // a reconnect catches up again
      setReading(ack.reading);
      const result = sync.acknowledge(ack);
      takeDown(result.hidden);
      if (result.more) { window.location.reload(); return; }
      if (catchUpAgain) catchUp();
    });
  }

  socket.on("connect", catchUp);
  // The server's Redis connection came back: events from other server processes may have been lost.
  socket.on("resync", () => { setTimeout(catchUp, Math.random() * RESYNC_JITTER_MS); });

  function setReading(count) {
    if (!readingEl || typeof count !== "number") return;
    readingEl.textContent = count <= 1 ? "Only you are reading this thread now." : `${count} people are reading this thread now.`;
  }

  socket.on("reading", (data) => { if (data.thread_id === threadId) setReading(data.count); });

  // Posts are shown in id order (a missed post arrives after later ones), each once.
  function place(el, id) {
    const after = [...postsEl.querySelectorAll("[data-post-id]")].find((other) => Number(other.dataset.postId) > id);
    postsEl.insertBefore(el, after || null);
  }

  socket.on("post", (post) => {
    if (post.thread_id !== threadId) return;
    const existing = document.getElementById(`post-${post.id}`);
    if (!live) {
      if (existing) fillPost(existing, post);
      else notice("There are new posts. Go to the newest posts.", postUrl.replace(/\/0$/, `/${post.id}`));
      return;
    }
    sync.receive(post);
    if (existing) {
      fillPost(existing, post);
    } else {
      place(buildPost(post), post.id);
      announce(post.author === me ? "Your post is on the page." : `New post from ${post.author}.`);
    }
    if (sync.hasGap() && gapTimer === null) {
      gapTimer = setTimeout(() => { gapTimer = null; if (sync.hasGap()) catchUp(); }, GAP_GRACE_MS);
    }
  });

  socket.on("post_hidden", (data) => {
    if (data.thread_id !== threadId) return;
    if (live && !moderator) sync.hide([data.id]);
    takeDown([data.id]);
  });

  let typingTimer = null;
  socket.on("typing", (data) => {
    if (data.thread_id !== threadId || !typingEl) return;
    typingEl.textContent = `${data.username} is writing a reply…`;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typingEl.textContent = ""; }, 4000);
  });

  socket.on("notification", (data) => {
    notice(data.text, data.url);
  });

  if (form) {
    const textarea = form.querySelector("textarea");
    const quoteInput = form.querySelector("#quote_post_id");
    const errorEl = document.getElementById("reply-error");
    const statusEl = document.getElementById("reply-status");
    const helplines = document.getElementById("helplines-live");
    let lastTyping = 0;

    textarea.addEventListener("input", () => {
      const now = Date.now();
      if (socket.connected && now - lastTyping > 3000) {
        lastTyping = now;
        socket.emit("typing", { thread_id: threadId });
      }
    });

    form.addEventListener("submit", (event) => {
      if (!socket.connected || !live) return; // the plain form does the work
      event.preventDefault();
      const quoteId = Number(quoteInput && quoteInput.value) || null;
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      socket.timeout(15000).emit("new_post", { thread_id: threadId, body: textarea.value, quote_post_id: quoteId }, (err, ack) => {
        button.disabled = false;
        if (err) { form.submit(); return; } // no answer: fall back to the plain form
        if (ack.ok && ack.state !== "rejected") {
          textarea.value = "";
          if (quoteInput) quoteInput.value = "";
          const quoting = document.getElementById("quoting");
          if (quoting) quoting.remove();
          errorEl.hidden = true;
          statusEl.textContent = ack.message;
          if (helplines) helplines.hidden = !ack.helplines;
        } else {
          errorEl.textContent = ack.ok ? ack.message : ack.error;
          errorEl.hidden = false;
          statusEl.textContent = "";
          textarea.focus();
        }
      });
    });
  }
}
