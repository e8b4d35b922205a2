/* detente draft review: select a suggestion (j/k, arrows, click), its quotes light up in the text;
   a/Enter accepts with the numbers typed, r rejects, e edits. Each decision is one JSON POST to
   /api/drafts/KEY/decisions (saved as a new version); the page updates in place. */
(function () {
  "use strict";
  const list = document.getElementById("sugs");
  if (!list) { return; }
  const key = document.getElementById("draft-counts").dataset.key;
  const items = Array.prototype.slice.call(list.querySelectorAll(".sug"));
  const marks = Array.prototype.slice.call(document.querySelectorAll("#draft-text mark"));
  const msg = document.getElementById("messages");
  let current = -1;

  function say(text, bad) {
    msg.innerHTML = "";
    const p = document.createElement("p");
    p.className = bad ? "error" : "ok";
    p.textContent = text;
    msg.appendChild(p);
  }

  function select(k, focus) {
    if (k < 0 || k >= items.length) { return; }
    items.forEach(function (li) { li.classList.remove("sel"); });
    current = k;
    const li = items[k];
    li.classList.add("sel");
    if (focus !== false) { li.focus({ preventScroll: false }); }
    let first = null;
    marks.forEach(function (m) {
      const on = m.dataset.ids.split(" ").indexOf(li.id) >= 0 && !li.classList.contains("rejected");
      m.classList.toggle("on", on);
      if (on && first === null) { first = m; }
    });
    if (first) { first.scrollIntoView({ block: "nearest" }); }
  }

  function counts(data) {
    document.getElementById("n-pending").textContent = String(data.pending);
    document.getElementById("n-accepted").textContent = String(data.accepted);
    const rej = items.filter(function (li) { return li.classList.contains("rejected"); }).length;
    document.getElementById("n-rejected").textContent = String(rej);
  }

  function nextPending() {
    for (let i = 1; i <= items.length; i++) {
      const k = (current + i) % items.length;
      if (items[k].dataset.status === "draft") { select(k); return; }
    }
  }

  function decide(li, action) {
    if (li.classList.contains("rejected")) { return; }
    const pos = li.querySelector("input[name=position]").value;
    const sal = li.querySelector("input[name=salience]").value;
    if (action === "accept" && (pos === "" || sal === "")) {
      say(li.dataset.actor + "/" + li.dataset.issue + ": type a position and a salience first (e edits)", true);
      li.querySelector(pos === "" ? "input[name=position]" : "input[name=salience]").focus();
      return;
    }
    const body = { actor: li.dataset.actor, issue: li.dataset.issue, action: action };
    if (action === "accept") { body.position = Number(pos); body.salience = Number(sal); }
    fetch("/api/drafts/" + encodeURIComponent(key) + "/decisions", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.error || ("error " + r.status)); }
        return data;
      });
    }).then(function (data) {
      li.dataset.status = action === "accept" ? "accepted" : "rejected";
      li.classList.remove("accepted", "rejected");
      li.classList.add(action === "accept" ? "accepted" : "rejected");
      li.querySelector(".status").textContent = action === "accept" ? "accepted" : "rejected";
      if (action === "reject") {
        li.querySelectorAll("input, button").forEach(function (x) { x.disabled = true; });
      }
      counts(data);
      say(li.dataset.actor + "/" + li.dataset.issue + ": " + (action === "accept" ? "accepted" : "rejected") +
          " (saved as version " + data.version + ")", false);
      nextPending();
    }).catch(function (err) { say(String(err.message || err), true); });
  }

  items.forEach(function (li, k) {
    li.addEventListener("click", function (ev) {
      if (ev.target.tagName !== "INPUT" && ev.target.tagName !== "BUTTON") { select(k, true); }
    });
    li.addEventListener("focusin", function () { if (current !== k) { select(k, false); } });
    li.querySelector(".accept").addEventListener("click", function () { decide(li, "accept"); });
    li.querySelector(".reject").addEventListener("click", function () { decide(li, "reject"); });
    li.querySelectorAll("input").forEach(function (inp) {
      inp.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") { ev.preventDefault(); decide(li, "accept"); }
        if (ev.key === "Escape") { ev.preventDefault(); li.focus(); }
      });
    });
  });
  marks.forEach(function (m) {
    m.addEventListener("click", function () {
      const id = m.dataset.ids.split(" ")[0];
      const k = items.findIndex(function (li) { return li.id === id; });
      select(k);
    });
  });

  document.addEventListener("keydown", function (ev) {
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) { return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    const li = items[current];
    if (ev.key === "j" || ev.key === "ArrowDown") { ev.preventDefault(); select(Math.min(current + 1, items.length - 1)); }
    else if (ev.key === "k" || ev.key === "ArrowUp") { ev.preventDefault(); select(Math.max(current - 1, 0)); }
    else if (!li) { return; }
    else if (ev.key === "a" || ev.key === "Enter") { ev.preventDefault(); decide(li, "accept"); }
    else if (ev.key === "r") { ev.preventDefault(); decide(li, "reject"); }
    else if (ev.key === "e") { ev.preventDefault(); li.querySelector("input[name=position]").focus(); }
  });

  if (items.length) { select(0, false); }
}());
