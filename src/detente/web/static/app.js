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
      init() { this.reset(); },
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
  document.addEventListener("htmx:beforeRequest", function () {
    const box = document.getElementById("messages");
    if (box) box.replaceChildren();
  });
})();
