/* detente dashboard glue: Alpine what-if state, htmx error display. No network access beyond this app. */
(function () {
  "use strict";
  if (window.htmx) {
    // swap error bodies too: the server sends a one-line message and HX-Retarget: #messages
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "[45]..", swap: true, error: false },
    ];
  }
  window.detenteWhatif = function (d) {
    return {
      actors: d.actors, issues: d.issues, stances: d.stances,
      actor: d.actors.length ? d.actors[0].id : "", issue: d.issues.length ? d.issues[0].id : "",
      position: 0, salience: 0, capability: 0, lo: 0, hi: 100, capMax: 1, hasStance: false,
      init() {
        this.reset();
        // the table was redrawn (a cell checked, a row added or removed): offer what it now holds
        document.addEventListener("htmx:afterSettle", () => {
          const table = document.getElementById("table");
          if (!table || !table.dataset.whatif) return;
          let fresh;
          try { fresh = JSON.parse(table.dataset.whatif); } catch (e) { return; }
          this.follow(fresh);
        });
      },
      follow(fresh) {
        const same = JSON.stringify([this.actors, this.issues, this.stances]) ===
          JSON.stringify([fresh.actors, fresh.issues, fresh.stances]);
        if (same) return;
        this.actors = fresh.actors; this.issues = fresh.issues; this.stances = fresh.stances;
        if (!this.actors.some((a) => a.id === this.actor)) this.actor = this.actors.length ? this.actors[0].id : "";
        if (!this.issues.some((i) => i.id === this.issue)) this.issue = this.issues.length ? this.issues[0].id : "";
        this.reset();
      },
      reset() {
        const iss = this.issues.find((i) => i.id === this.issue) || { low: 0, high: 100 };
        const act = this.actors.find((a) => a.id === this.actor) || { capability: 1 };
        const st = this.stances.find((s) => s.actor === this.actor && s.issue === this.issue);
        this.lo = Number(iss.low); this.hi = Number(iss.high);
        this.hasStance = !!st;
        this.position = st ? Number(st.position) : (this.lo + this.hi) / 2;
        this.salience = st ? Number(st.salience) : 0;
        const caps = this.actors.map((a) => Number(a.capability) || 0);
        this.capMax = Math.max(1e-9, 2 * Math.max.apply(null, caps.concat([1e-9])));
        this.capability = Number(act.capability);
      },
    };
  };
  document.addEventListener("htmx:responseError", function (evt) {
    const box = document.getElementById("messages");
    if (!box) return;
    const text = evt.detail.xhr && evt.detail.xhr.responseText;
    let msg = "request failed (" + (evt.detail.xhr ? evt.detail.xhr.status : "?") + ")";
    try { const j = JSON.parse(text); if (j && j.error) msg = j.error; } catch (e) { /* not JSON */ }
    const div = document.createElement("div");
    div.className = "error"; div.setAttribute("role", "alert"); div.textContent = msg;
    box.replaceChildren(div);
  });
  // Downloads from the editor: posted with fetch, so a table with problems shows its message in
  // #messages and the page (with every edit) stays; a valid table's file is saved from a blob.
  function showMessage(html, cls) {
    const box = document.getElementById("messages");
    if (!box) return;
    const div = document.createElement("div");
    div.className = cls; div.setAttribute("role", cls === "error" ? "alert" : "status"); div.textContent = html;
    box.replaceChildren(div);
  }
  document.addEventListener("click", function (evt) {
    const btn = evt.target.closest && evt.target.closest("button[data-download]");
    if (!btn || !btn.form) return;
    evt.preventDefault();
    // Enter in a cell "clicks" the form's first submit button (implicit submission): a keyboard
    // user committing a cell got the YAML file. That click comes from no pointer (detail 0) while
    // the focus stays in the field; the cell's change is checked as usual, nothing is downloaded.
    const at = document.activeElement;
    if (evt.detail === 0 && at !== btn && at && at.form === btn.form && /^(INPUT|SELECT)$/.test(at.tagName)) return;
    const form = btn.form;
    const body = new URLSearchParams(new FormData(form));
    const opts = document.getElementById("runopts");  // the seed, as Run uses it
    if (opts) new FormData(opts).forEach(function (v, k) { if (!body.has(k)) body.append(k, v); });
    const csrf = form.querySelector("input[name=csrf_token]");
    btn.disabled = true;
    showMessage("preparing " + btn.dataset.download + "…", "muted");
    fetch(btn.getAttribute("formaction"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrf ? csrf.value : "" },
    }).then(function (resp) {
      if (!resp.ok) {
        return resp.text().then(function (text) {
          const box = document.getElementById("messages");
          if (box && /^\s*<div class="error"/.test(text)) box.innerHTML = text;  // the server's escaped fragment
          else showMessage("download failed (" + resp.status + ")", "error");
        });
      }
      const cd = resp.headers.get("content-disposition") || "";
      const m = /filename="([^"]+)"/.exec(cd);
      return resp.blob().then(function (blob) {
        const url = URL.createObjectURL(blob);
        const a = document.createElement("a");
        a.href = url; a.download = m ? m[1] : "download"; a.style.display = "none";
        document.body.appendChild(a); a.click(); a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        const box = document.getElementById("messages");
        if (box) box.replaceChildren();
      });
    }).catch(function () {
      showMessage("download failed: the server did not answer", "error");
    }).finally(function () { btn.disabled = false; });
  });
  // Enter in a table's last row ("new id", "name", ...) adds the row, as its Add button does
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Enter" || !evt.target.closest) return;
    const row = evt.target.closest("#table tr.new-row");
    const add = row && row.querySelector("button[id^=add-]");
    if (!add || evt.target === add) return;
    evt.preventDefault();
    add.click();
  });
  document.addEventListener("htmx:beforeRequest", function () {
    const box = document.getElementById("messages");
    if (box) box.replaceChildren();
  });
  // The editor's check redraws the whole table. Every cell edited after the check's request left
  // keeps what was typed or ticked when the answer comes back (htmx keeps focus, not values): the
  // cell being typed in, and also one the user already left for the next (its own check is queued
  // by hx-sync and reads the form after this swap, so it checks the kept value, not the old one).
  // Cells are known by their row's key (actor, issue, actor/issue) and field, not by their id: ids
  // count rows, and a row removed or added by that answer shifts them.
  let edited = new Map();
  let typing = null;
  function cellKey(el) {
    const row = el.closest("tr[data-key]");
    return row ? row.dataset.key + "|" + el.id.replace(/^(actor|issue|stance)-\d+-/, "") : null;
  }
  function inTable(el) {
    return el && el.id && el.closest && el.closest("#table") && ("value" in el) && cellKey(el) !== null;
  }
  function remember(el) {
    edited.set(cellKey(el), el.type === "checkbox" ? { checked: el.checked } : { value: el.value });
  }
  ["input", "change"].forEach(function (name) {
    document.addEventListener(name, function (evt) { if (inTable(evt.target)) remember(evt.target); }, true);
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    // a request that redraws the table reads every cell as it is now: nothing to keep from before
    if (evt.detail.target && evt.detail.target.id === "table") edited = new Map();
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    typing = null;
    if (!(evt.detail.target && evt.detail.target.id === "table")) return;
    const a = document.activeElement;
    if (inTable(a)) {
      remember(a);
      typing = { key: cellKey(a), start: a.selectionStart, end: a.selectionEnd };
    }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (!(evt.detail.target && evt.detail.target.id === "table") || edited.size === 0) return;
    document.querySelectorAll("#table tr[data-key] input, #table tr[data-key] select").forEach(function (el) {
      const key = cellKey(el);
      const state = edited.get(key);
      if (!state) return;
      if ("checked" in state) el.checked = state.checked;
      else if (el.value !== state.value) el.value = state.value;
      if (typing && typing.key === key) {
        try { el.setSelectionRange(typing.start, typing.end); } catch (e) { /* not a text box */ }
      }
    });
    typing = null;
  });
})();
