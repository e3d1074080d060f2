// The page's own script: draws each plot of the embedded data with uPlot (drag to zoom x, double-click to reset,
// cursors and zoom synced within a scenario, values at the cursor in the legend, limit events and fallback
// spans named in a tooltip) and hides the static SVG drawn for readers without JavaScript. Plain ES2017 text.
export const LIVE_SCRIPT = String.raw`(function () {
  "use strict";
  var el = document.getElementById("lam-plot-data");
  if (!el || typeof uPlot !== "function") return;
  var data = JSON.parse(el.textContent);
  document.documentElement.classList.add("js-plots");
  var groups = {};
  var syncing = false;
  var made = [];
  function num(v) {
    if (v === null || v === undefined) return "–";
    var a = Math.abs(v);
    return a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  function overlay(p) {
    return {
      drawClear: [function (u) {
        var ctx = u.ctx, b = u.bbox;
        ctx.save();
        ctx.fillStyle = "rgba(255,152,0,0.22)";
        (p.spans || []).forEach(function (s) {
          var a = Math.max(u.valToPos(s.x0, "x", true), b.left);
          var z = Math.min(u.valToPos(s.x1, "x", true), b.left + b.width);
          if (z > a) ctx.fillRect(a, b.top, Math.max(z - a, 1), b.height);
        });
        ctx.restore();
      }],
      draw: [function (u) {
        var ctx = u.ctx, b = u.bbox, px = window.devicePixelRatio || 1;
        ctx.save();
        (p.hlines || []).forEach(function (h) {
          var y = u.valToPos(h.y, "y", true);
          if (y < b.top || y > b.top + b.height) return;
          ctx.strokeStyle = h.color;
          ctx.setLineDash([6 * px, 3 * px]);
          ctx.beginPath();
          ctx.moveTo(b.left, y);
          ctx.lineTo(b.left + b.width, y);
          ctx.stroke();
        });
        ctx.setLineDash([]);
        ctx.strokeStyle = "#d00";
        ctx.lineWidth = 2 * px;
        (p.events || []).forEach(function (e) {
          var x = u.valToPos(e.x, "x", true);
          if (x < b.left || x > b.left + b.width) return;
          ctx.beginPath();
          ctx.moveTo(x, b.top + b.height);
          ctx.lineTo(x, b.top + b.height - 10 * px);
          ctx.stroke();
        });
        ctx.restore();
      }],
      init: [function (u) {
        var tip = document.createElement("div");
        tip.className = "lam-tip";
        u.over.appendChild(tip);
      }],
      setCursor: [function (u) {
        var tip = u.over.querySelector(".lam-tip");
        var left = u.cursor.left;
        if (!tip) return;
        if (left === null || left === undefined || left < 0) {
          tip.style.display = "none";
          return;
        }
        var xv = u.posToVal(left, "x");
        var tol = Math.abs(u.posToVal(left + 5, "x") - xv);
        var lines = [];
        (p.events || []).forEach(function (e) {
          if (Math.abs(e.x - xv) <= tol) lines.push(e.text);
        });
        (p.spans || []).forEach(function (s) {
          if (xv >= s.x0 && xv <= s.x1) lines.push(s.text);
        });
        if (!lines.length) {
          tip.style.display = "none";
          return;
        }
        tip.textContent = lines.slice(0, 6).join("\n") + (lines.length > 6 ? "\n… " + (lines.length - 6) + " more" : "");
        tip.style.display = "block";
        tip.style.left = Math.min(left + 12, Math.max(0, u.over.clientWidth - tip.offsetWidth)) + "px";
      }],
      setScale: [function (u, key) {
        if (key !== "x" || syncing || !p.group) return;
        syncing = true;
        (groups[p.group] || []).forEach(function (o) {
          if (o !== u) o.setScale("x", { min: u.scales.x.min, max: u.scales.x.max });
        });
        syncing = false;
      }],
    };
  }
  data.plots.forEach(function (p) {
    var fig = document.getElementById(p.id);
    if (!fig) return;
    var cols = [p.x];
    var series = [{ label: p.xLabel, value: function (u, v) { return num(v); } }];
    p.series.forEach(function (s) {
      cols.push(s.y);
      series.push({ label: s.name, stroke: s.color, width: s.width || 1.5, dash: s.dash ? [6, 4] : undefined, points: { show: false }, value: function (u, v) { return num(v); } });
    });
    var bands = [];
    if (p.band) {
      cols.push(p.band.hi, p.band.lo);
      series.push({ label: p.band.name + " +", stroke: p.band.color + "55", width: 0.5, points: { show: false }, value: function (u, v) { return num(v); } });
      series.push({ label: p.band.name + " −", stroke: p.band.color + "55", width: 0.5, points: { show: false }, value: function (u, v) { return num(v); } });
      bands.push({ series: [cols.length - 2, cols.length - 1], fill: p.band.color + "26" });
    }
    var host = document.createElement("div");
    host.className = "live";
    fig.appendChild(host);
    var u = new uPlot({
      title: p.title,
      width: Math.max(320, fig.clientWidth),
      height: p.height || 240,
      series: series,
      bands: bands,
      scales: { x: { time: false } },
      axes: [{ label: p.xLabel }, { label: p.yLabel }],
      cursor: p.group ? { sync: { key: p.group }, drag: { x: true, y: false } } : { drag: { x: true, y: false } },
      hooks: overlay(p),
    }, cols, host);
    fig.classList.add("drawn");
    made.push({ u: u, fig: fig, h: p.height || 240 });
    if (p.group) (groups[p.group] = groups[p.group] || []).push(u);
  });
  var pending = 0;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      made.forEach(function (m) { m.u.setSize({ width: Math.max(320, m.fig.clientWidth), height: m.h }); });
    }, 100);
  });
})();`;
