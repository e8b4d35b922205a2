/* detente: draw each chart when it comes near the window, not all of them while the page loads.
 *
 * Every chart's script (report.html.figure_html) hands its drawing to detenteCharts.add(id, draw)
 * instead of drawing at once: a report of 60 actors x 10 issues froze the browser for
 * seconds drawing charts nobody had scrolled to. A chart is drawn when it comes within one window
 * height of the visible part of the page (IntersectionObserver), one chart per task so that the page
 * keeps answering in between, the nearest first. A chart that becomes visible in any way (scrolling,
 * a link to an anchor, a box opened) is drawn then; before printing every chart is drawn at once.
 * Without IntersectionObserver every chart is drawn as it is added, as before.
 * Shared by the HTML report (inlined after plotly.js) and the dashboard (/static/lazy-charts.js).
 */
(function () {
  "use strict";
  if (window.detenteCharts) return;
  var waiting = new Map(); // chart element -> its draw function, until it is drawn
  var queue = []; // charts that came near the window, to draw one per task
  var scheduled = false;
  var observer = null;

  function run(draw) {
    try {
      return Promise.resolve(draw());
    } catch (err) {
      setTimeout(function () { throw err; }); // reported as before, the other charts still drawn
      return Promise.resolve();
    }
  }

  function drawChart(el) {
    var draw = waiting.get(el);
    if (!draw) return Promise.resolve();
    waiting.delete(el);
    if (observer) observer.unobserve(el);
    return el.isConnected ? run(draw) : Promise.resolve();
  }

  function distance(el) {
    var r = el.getBoundingClientRect();
    var h = window.innerHeight || document.documentElement.clientHeight;
    return r.bottom < 0 ? -r.bottom : r.top > h ? r.top - h : 0;
  }

  function pump() {
    scheduled = false;
    queue = queue.filter(function (el) { return waiting.has(el); });
    if (!queue.length) return;
    var best = 0;
    var bestDist = Infinity;
    for (var i = 0; i < queue.length; i++) {
      var d = distance(queue[i]);
      if (d < bestDist) { best = i; bestDist = d; }
    }
    var h = window.innerHeight || document.documentElement.clientHeight;
    if (observer && bestDist > h) {
      // the page moved on before their turn (a jump to an anchor, a fast scroll): none is near the
      // window any more, so watch them again instead of drawing charts nobody looks at
      queue.forEach(function (q) { observer.observe(q); });
      queue = [];
      return;
    }
    var el = queue.splice(best, 1)[0];
    drawChart(el);
    if (queue.length) schedule();
  }

  function schedule() {
    if (!scheduled) { scheduled = true; setTimeout(pump, 0); }
  }

  function drawAll() {
    var els = Array.from(waiting.keys());
    queue = [];
    return Promise.all(els.map(drawChart));
  }

  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting && waiting.has(e.target)) {
          observer.unobserve(e.target);
          queue.push(e.target);
        }
      });
      if (queue.length) schedule();
    }, { rootMargin: "100% 0px 100% 0px" });
  }

  window.detenteCharts = {
    /** Draw the chart of element `id` with `draw` once it comes near the window. */
    add: function (id, draw) {
      var el = document.getElementById(id);
      if (!el) return;
      waiting.forEach(function (_d, old) { // charts a dashboard fragment replaced
        if (!old.isConnected) { waiting.delete(old); if (observer) observer.unobserve(old); }
      });
      if (!observer) { run(draw); return; }
      waiting.set(el, draw);
      observer.observe(el);
    },
    /** Draw every chart not drawn yet, now (before printing); resolves once all are drawn. */
    drawAll: drawAll,
    /** How many charts wait to be drawn. */
    waiting: function () { return waiting.size; },
  };
  window.addEventListener("beforeprint", drawAll);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) print.addEventListener("change", function (e) { if (e.matches) drawAll(); });
  }
})();
