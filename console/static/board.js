// The live board's clock: each open referral's age and its standing
// against the 30-minute hand-off target tick on from what the server drew
// (data-age-ms, by the service's clock), so no browser clock is trusted.
// When the server says the session ended, the page reloads (to sign in).
(function () {
  "use strict";
  var target = 30 * 60000, warn = 20 * 60000;
  function mins(ms) { var m = Math.floor(ms / 60000); return m === 1 ? "1 min" : m + " min"; }
  function age(ms) {
    if (ms < 60000) { return "under 1 min"; }
    if (ms < 3600000) { return mins(ms); }
    if (ms < 86400000) {
      var m = Math.floor(ms % 3600000 / 60000);
      return Math.floor(ms / 3600000) + " h " + (m < 10 ? "0" : "") + m + " min";
    }
    return Math.floor(ms / 86400000) + " d";
  }
  function since(el, attr) {
    if (!el.dataset.t0) { el.dataset.t0 = String(performance.now()); }
    return Number(el.getAttribute(attr)) + performance.now() - Number(el.dataset.t0);
  }
  function tick() {
    document.querySelectorAll("[data-age-ms]").forEach(function (el) {
      var t = age(since(el, "data-age-ms"));
      if (el.textContent !== t) { el.textContent = t; }
    });
    document.querySelectorAll("[data-target-ms]").forEach(function (el) {
      var ms = since(el, "data-target-ms"), cls = "t-ok", label = "on track";
      if (ms >= target) { cls = "t-late"; label = "over 30 min"; }
      else if (ms >= warn) { cls = "t-soon"; label = "due in " + mins(target - ms + 59999); }
      var row = el.closest("tr");
      if (row && !row.classList.contains(cls)) {
        row.classList.remove("t-ok", "t-soon", "t-late");
        row.classList.add(cls);
      }
      if (el.textContent !== label) { el.textContent = label; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    document.body.addEventListener("htmx:afterSwap", tick);
    var ended = document.getElementById("board-ended");
    if (ended) { ended.addEventListener("htmx:sseMessage", function () { location.reload(); }); }
  });
})();
