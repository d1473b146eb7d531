// The community form's map: the chosen cohort's outline, and a click that
// sets "Where the person can be found" to the point's coordinates, which
// the form reads as it reads typed ones. Without JavaScript (or Leaflet)
// the map stays hidden and the field is typed as before.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("pick");
    var field = document.getElementById("location");
    var cohort = document.getElementById("cohort");
    if (!el || !field || !cohort || !window.L) { return; }
    el.hidden = false;
    var map = L.map(el, { attributionControl: !!el.dataset.tiles, keyboard: true }).setView([0, 0], 2);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    var area = null, marker = null;
    function mark(lat, lon) {
      var pt = [lat, lon];
      if (marker) { marker.setLatLng(pt); } else {
        marker = L.circleMarker(pt, { radius: 8, color: "#7a000b", weight: 3, fillColor: "#a4000f", fillOpacity: 0.9 }).addTo(map);
      }
    }
    // Coordinates already in the field (typed, or kept by a refused form) show as the point.
    function fromField() {
      var m = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(field.value);
      if (m) { mark(Number(m[1]), Number(m[2])); }
    }
    function outline() {
      fetch("/areas/" + encodeURIComponent(cohort.value) + ".geojson", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (gj) {
          if (area) { map.removeLayer(area); area = null; }
          if (!gj) { return; }
          area = L.geoJSON(gj, { style: { color: "#0b4f8a", weight: 2, fillOpacity: 0.08 } }).addTo(map);
          map.fitBounds(area.getBounds(), { padding: [10, 10], animate: false });
          el.dataset.ready = cohort.value; // for tests: the outline is drawn
        });
    }
    map.on("click", function (e) {
      var lat = e.latlng.lat.toFixed(5), lon = e.latlng.lng.toFixed(5);
      field.value = lat + "," + lon;
      mark(Number(lat), Number(lon));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    cohort.addEventListener("change", outline);
    field.addEventListener("change", fromField);
    fromField();
    outline();
  });
})();
