// The referral page's map: the point and its cohort's outline, drawn by
// Leaflet from the page's data attributes; tiles only when configured.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (!el || !window.L) { return; }
    var pt = [Number(el.dataset.lat), Number(el.dataset.lon)];
    var map = L.map(el, { attributionControl: !!el.dataset.tiles, keyboard: true }).setView(pt, 14);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    L.circleMarker(pt, { radius: 8, color: "#7a000b", weight: 3, fillColor: "#a4000f", fillOpacity: 0.9 }).addTo(map);
    fetch(el.dataset.area, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (gj) {
      var area = L.geoJSON(gj, { style: { color: "#0b4f8a", weight: 2, fillOpacity: 0.08 } }).addTo(map);
      // At once, not animated: the outline is drawn for the view it ends in.
      map.fitBounds(area.getBounds().extend(pt), { padding: [10, 10], animate: false });
    });
  });
})();
