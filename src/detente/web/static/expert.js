/* detente expert questionnaire: the seat token comes from the URL fragment (#TOKEN), which the browser
   never sends to the server, so it appears in no access log; requests carry it in X-Expert-Token.
   Every change is saved (debounced); the server checks each value and answers with one line. */
(function () {
  "use strict";
  const token = decodeURIComponent((window.location.hash || "").slice(1));
  const status = document.getElementById("expert-status");
  const body = document.querySelector("#expert-form tbody");
  const submitBtn = document.getElementById("expert-submit");
  const FIELDS = ["position", "salience", "capability", "confidence"];
  let rows = [];
  let timer = null;
  let locked = false;

  function say(text, bad, full) {
    status.textContent = text;
    status.className = bad ? "error" : "";
    if (full) status.title = full; else status.removeAttribute("title");
  }

  // a stored timestamp (2026-12-07T20:06:21+00:00) as 2026-12-07 20:06 UTC; the full value in the title
  function readable(iso) {
    const t = new Date(iso);
    if (isNaN(t.getTime())) return String(iso);
    return t.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function request(method, url, payload) {
    const opts = { method: method, headers: { "X-Expert-Token": token, "Accept": "application/json" } };
    if (payload !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(payload);
    }
    return fetch(url, opts).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.error || data.detail || ("error " + r.status)); }
        return data;
      });
    });
  }

  function cell(row, k, name, attrs) {
    const td = document.createElement("td");
    const input = document.createElement(name === "notes" ? "textarea" : "input");
    input.name = "r" + k + "-" + name;
    input.dataset.row = String(k);
    input.dataset.field = name;
    if (name === "notes") {
      input.rows = 1;
      input.value = row.notes || "";
    } else {
      input.type = "number";
      input.step = "any";
      Object.keys(attrs).forEach(function (a) { input.setAttribute(a, attrs[a]); });
      input.value = row[name] === null || row[name] === undefined ? "" : String(row[name]);
    }
    input.setAttribute("aria-label", row.actor_name + ", " + row.issue_name + ": " + name);
    input.addEventListener("input", schedule);
    td.appendChild(input);
    return td;
  }

  function draw(data) {
    rows = data.rows;
    body.textContent = "";
    rows.forEach(function (row, k) {
      const tr = document.createElement("tr");
      const a = document.createElement("td");
      a.textContent = row.actor_name;
      const i = document.createElement("td");
      i.textContent = row.issue_name + " (" + row.scale_low + " = " + (row.low_label || "low") + " … " +
        row.scale_high + " = " + (row.high_label || "high") + ")";
      tr.appendChild(a);
      tr.appendChild(i);
      tr.appendChild(cell(row, k, "position", { min: row.scale_low, max: row.scale_high }));
      tr.appendChild(cell(row, k, "salience", { min: 0, max: 1 }));
      tr.appendChild(cell(row, k, "capability", { min: 0 }));
      tr.appendChild(cell(row, k, "confidence", { min: 0, max: 1 }));
      tr.appendChild(cell(row, k, "notes", {}));
      body.appendChild(tr);
    });
    document.querySelector("h1").textContent = "Questionnaire of " + data.expert + ": " + data.scenario;
    if (data.submitted_at) { lock("Submitted on " + readable(data.submitted_at) + ". Thank you.", data.submitted_at); }
    else { say(data.updated_at ? "Last saved " + readable(data.updated_at) + "." : "Nothing saved yet.", false, data.updated_at); }
  }

  function collect() {
    return rows.map(function (row, k) {
      const out = { actor: row.actor, issue: row.issue };
      FIELDS.forEach(function (f) {
        const v = body.querySelector('[name="r' + k + "-" + f + '"]').value.trim();
        out[f] = v === "" ? null : v;
      });
      out.notes = body.querySelector('[name="r' + k + '-notes"]').value;
      return out;
    });
  }

  function lock(text, full) {
    locked = true;
    body.querySelectorAll("input, textarea").forEach(function (el) { el.readOnly = true; });
    submitBtn.disabled = true;
    say(text, false, full);
  }

  function save(submit) {
    if (locked) { return Promise.resolve(); }
    clearTimeout(timer);
    say(submit ? "Submitting …" : "Saving …");
    return request("PUT", "/api/expert/answers", { answers: collect(), submit: !!submit }).then(function (r) {
      if (r.submitted_at) { lock("Submitted on " + readable(r.submitted_at) + ". Thank you.", r.submitted_at); }
      else { say("Saved " + readable(r.updated_at) + " (" + r.answered + " rows answered).", false, r.updated_at); }
    }).catch(function (e) { say("Not saved: " + e.message, true); });
  }

  function schedule() {
    clearTimeout(timer);
    say("Unsaved changes …");
    timer = setTimeout(function () { save(false); }, 600);
  }

  submitBtn.addEventListener("click", function () {
    if (window.confirm("Submit your answers? You cannot change them afterwards.")) { save(true); }
  });
  if (!token) {
    say("This page needs the questionnaire link the analyst sent you (it ends in #…).", true);
    submitBtn.disabled = true;
    return;
  }
  request("GET", "/api/expert/questionnaire").then(draw).catch(function (e) {
    say(e.message, true);
    submitBtn.disabled = true;
  });
})();
