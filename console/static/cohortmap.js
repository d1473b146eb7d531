// The map page: the viewer's cohort outlines, with a count per cohort for
// the program manager, and the open referrals they may see as points,
// drawn by Leaflet from the page's data attributes; tiles only when
// configured. The tables under the map say the same without script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("cohort-map");
    if (!el || !window.L) { return; }
    var points = JSON.parse(el.dataset.points || "null") || [];
    var areas = JSON.parse(el.dataset.areas || "null") || [];
    var map = L.map(el, { attributionControl: !!el.dataset.tiles, keyboard: true, zoomSnap: 0.25 }).setView([0, 0], 1);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    var bounds = L.latLngBounds([]);
    points.forEach(function (p) {
      var pt = [p.lat, p.lon];
      var link = document.createElement("a");
      link.href = "/referrals/" + encodeURIComponent(p.code);
      link.textContent = p.code + ": " + p.type + ", " + p.state;
      L.circleMarker(pt, { radius: 8, color: "#7a000b", weight: 3, fillColor: "#a4000f", fillOpacity: 0.9,
        className: "point point-" + p.code }).bindPopup(link).addTo(map);
      bounds.extend(pt);
    });
    var fit = function () {
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10], maxZoom: 15, animate: false }); }
      el.dataset.drawn = "1";
    };
    Promise.all(areas.map(function (a) {
      return fetch(a.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (gj) {
        var layer = L.geoJSON(gj, { style: { color: "#0b4f8a", weight: 2, fillOpacity: 0.08 } }).addTo(map);
        var label = a.count >= 0 ? a.name + ": " + a.count : a.name;
        layer.bindTooltip(label, { permanent: a.count >= 0, direction: "center", className: "area-label" });
        bounds.extend(layer.getBounds());
      });
    })).then(fit, fit);
  });
})();
