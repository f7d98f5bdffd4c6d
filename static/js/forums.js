// Live threads: new posts, typing, reading-now and notifications over Socket.IO.
// Progressive enhancement only: without this file (or without a connection) every form still posts
// normally and the page works. Post HTML comes from the server's one sanitiser; nothing a member
// typed is ever put into the page as HTML here except that sanitised output.

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
  let lastId = Number(root.dataset.lastPostId) || 0;

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

  socket.on("connect", () => {
    // After a reconnect the server sends every published post after lastId before it answers.
    socket.emit("join_thread", { thread_id: threadId, last_post_id: live ? lastId : null }, (ack) => {
      if (!ack || !ack.ok) return;
      if (ack.more) window.location.reload();
      setReading(ack.reading);
    });
  });

  function setReading(count) {
    if (!readingEl || typeof count !== "number") return;
    readingEl.textContent = count <= 1 ? "Only you are reading this thread now." : `${count} people are reading this thread now.`;
  }

  socket.on("reading", (data) => { if (data.thread_id === threadId) setReading(data.count); });

  socket.on("post", (post) => {
    if (post.thread_id !== threadId) return;
    const existing = document.getElementById(`post-${post.id}`);
    if (existing) {
      fillPost(existing, post);
    } else if (!live) {
      notice("There are new posts. Go to the newest posts.", postUrl.replace(/\/0$/, `/${post.id}`));
      return;
    } else {
      postsEl.append(buildPost(post));
      announce(post.author === me ? "Your post is on the page." : `New post from ${post.author}.`);
    }
    if (post.state === "published") lastId = Math.max(lastId, post.id);
  });

  socket.on("post_hidden", (data) => {
    if (data.thread_id !== threadId) return;
    const el = document.getElementById(`post-${data.id}`);
    if (!el) return;
    if (moderator) {
      el.classList.add("village-post--hidden");
    } else {
      el.remove();
      announce("A post was taken down.");
    }
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
