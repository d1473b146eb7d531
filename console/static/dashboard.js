// The dashboard's two charts, drawn by uPlot from the page's data
// attributes; the tables beside them carry the same figures without script.
(function () {
  "use strict";
  function width(el) { return Math.max(280, Math.min(el.clientWidth || 600, 900)); }
  function bars(u, seriesIdx, idx0, idx1) {
    var s = u.series[seriesIdx], ctx = u.ctx, xs = u.data[0], ys = u.data[seriesIdx];
    ctx.save();
    ctx.fillStyle = s._fill || "#0b4f8a";
    for (var i = idx0; i <= idx1; i++) {
      if (ys[i] == null) { continue; }
      var x = u.valToPos(xs[i], "x", true), y = u.valToPos(ys[i], "y", true), y0 = u.valToPos(0, "y", true);
      var w = Math.max(4, (u.bbox.width / xs.length) * 0.6);
      ctx.fillRect(x - w / 2, y, w, y0 - y);
    }
    ctx.restore();
    return null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.uPlot) { return; }
    var wk = document.getElementById("chart-weeks");
    if (wk) {
      var weeks = JSON.parse(wk.dataset.weeks || "[]");
      var xs = weeks.map(function (_, i) { return i; });
      new uPlot({
        width: width(wk), height: 240,
        scales: { x: { time: false }, min: { auto: true } },
        axes: [
          { values: function (u, vals) { return vals.map(function (v) { return weeks[v] ? weeks[v].start.slice(5) : ""; }); } },
          { label: "Referrals" },
          { side: 1, scale: "min", label: "Median to accept (min)", grid: { show: false } }
        ],
        series: [
          {},
          { label: "Referrals", stroke: "#0b4f8a", width: 2, points: { show: true } },
          { label: "Median to accept (min)", scale: "min", stroke: "#a4000f", width: 2, dash: [6, 4], points: { show: true } }
        ]
      }, [xs, weeks.map(function (w) { return w.count; }),
        weeks.map(function (w) { return w.median_accept_s == null ? null : Math.round(w.median_accept_s / 6) / 10; })], wk);
    }
    var ac = document.getElementById("chart-accept");
    if (ac) {
      var bs = JSON.parse(ac.dataset.buckets || "[]");
      new uPlot({
        width: width(ac), height: 240,
        scales: { x: { time: false, range: [-0.5, bs.length - 0.5] }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
        axes: [
          { values: function (u, vals) { return vals.map(function (v) { return bs[v] ? bs[v].label : ""; }); }, incrs: [1] },
          { label: "Referrals" }
        ],
        series: [{}, { label: "Referrals", stroke: "#0b4f8a", paths: bars, points: { show: false } }]
      }, [bs.map(function (_, i) { return i; }), bs.map(function (b) { return b.count; })], ac);
    }
  });
})();
