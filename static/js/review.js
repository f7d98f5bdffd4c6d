// Review queue: one-key shortcuts and live updates for moderators. Progressive enhancement only: every
// button is a plain form that works without JavaScript.
const keys = new Map();
document.querySelectorAll("[data-review-key]").forEach((button) => {
  keys.set(button.dataset.reviewKey, button);
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  const target = event.target;
  // Never while typing in a field: the keys are letters people type.
  if (target.closest("input, textarea, select, [contenteditable]")) return;
  const button = keys.get(event.key.toLowerCase());
  if (!button || button.disabled) return;
  event.preventDefault();
  button.form.requestSubmit(button);
});

// Live updates (moderators only: the server puts only them in the moderators' room).
const live = document.getElementById("review-live");
if (live && window.io) {
  const socket = window.io({ transports: ["websocket", "polling"] });
  const say = (text) => {
    live.hidden = false;
    live.textContent = text;
  };
  socket.on("review_item", (item) => say(`A new ${item.severity} item has arrived. Reload the page to see it.`));
  socket.on("review_claimed", (item) => {
    const card = document.querySelector(`[data-item-id="${item.id}"]`);
    if (card) say(`Item ${item.id} was claimed by ${item.claimed_by || "a moderator"}.`);
  });
  socket.on("review_decided", (item) => {
    const card = document.querySelector(`[data-item-id="${item.id}"]`);
    if (card) {
      card.classList.add("village-review-item--done");
      say(`Item ${item.id} was ${item.decision || "decided"}.`);
    }
  });
}
