// The safeguarding dashboard, live: a new or changed case appears at the top of the table with a visible
// alert, a short sound (once the lead has turned sound on: browsers block sound until a click) and a
// count in the page title. Without JavaScript the page still lists every open case on reload.

const root = document.getElementById("safeguarding-dashboard");

if (root && typeof window.io === "function") {
  const rows = document.getElementById("case-rows");
  const alertBox = document.getElementById("live-alert");
  const status = document.getElementById("live-status");
  const soundButton = document.getElementById("sound-toggle");
  const baseTitle = document.title;
  const labels = { urgent: "Urgent", high: "High", standard: "Standard" };
  const tags = { urgent: "govuk-tag--red", high: "govuk-tag--orange", standard: "govuk-tag--blue" };
  let unseen = 0;
  let audio = null;

  soundButton.hidden = false;
  soundButton.addEventListener("click", () => {
    audio = audio || new AudioContext();
    audio.resume();
    soundButton.textContent = "Sound alerts are on";
    soundButton.disabled = true;
  });

  function beep() {
    if (!audio || audio.state !== "running") return;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.2;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  }

  function cell(content) {
    const td = document.createElement("td");
    td.className = "govuk-table__cell";
    if (typeof content === "string") td.textContent = content;
    else td.append(content);
    return td;
  }

  function row(data) {
    const tr = document.createElement("tr");
    tr.className = "govuk-table__row village-case--new";
    tr.dataset.state = data.state;
    tr.id = `case-${data.id}`;
    tr.dataset.caseId = String(data.id);
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = data.url;
    link.textContent = `Case ${data.id}`;
    const tag = document.createElement("strong");
    tag.className = `govuk-tag ${tags[data.severity] || ""}`;
    tag.textContent = labels[data.severity] || data.severity;
    let state = data.state === "open" ? "Waiting for a lead" : data.state === "closed" ? "Closed" : "Acknowledged";
    if (data.breached) {
      tr.classList.add("village-case--breached");
      state = "Overdue";
    }
    const time = document.createElement("time");
    time.dateTime = data.deadline_at;
    time.textContent = data.deadline_text;
    tr.append(cell(link), cell(tag), cell(state), cell(time), cell(data.step ? "Re-escalated" : ""));
    return tr;
  }

  const socket = window.io({ transports: ["websocket", "polling"] });
  socket.on("connect", () => { status.textContent = "Live: new cases appear here without reloading."; });
  socket.on("disconnect", () => { status.textContent = "Not live: reload the page to see new cases."; });
  socket.on("safeguarding_case", (data) => {
    const old = document.getElementById(`case-${data.id}`);
    const empty = document.getElementById("no-cases");
    if (empty) empty.remove();
    if (data.event === "closed") {
      if (old) old.remove();
      return;
    }
    const fresh = row(data);
    if (old) old.replaceWith(fresh);
    else rows.prepend(fresh);
    if (data.event === "opened" || data.event === "escalated") {
      unseen += 1;
      document.title = `(${unseen}) New case – ${baseTitle}`;
      alertBox.hidden = false;
      alertBox.textContent = `New ${labels[data.severity] || ""} case ${data.id}: acknowledge it by ${data.deadline_text}.`;
      beep();
    }
  });
  // A time limit can pass with no event: mark waiting cases overdue as their deadline goes by.
  setInterval(() => {
    for (const tr of rows.querySelectorAll("tr[data-state=open]")) {
      const due = tr.querySelector("time");
      if (due && new Date(due.dateTime) < new Date() && !tr.classList.contains("village-case--breached")) {
        tr.classList.add("village-case--breached");
        tr.cells[2].textContent = "Overdue";
      }
    }
  }, 15000);

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      unseen = 0;
      document.title = baseTitle;
    }
  });
}
