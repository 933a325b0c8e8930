/* Draws every Plotly figure on the page from its json_script block (no inline script: the CSP forbids it).
   Markup: <div data-figure="ID"></div> and {{ figure|json_script:"ID" }}. */
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    layout.autosize = true;
    Plotly.newPlot(el, figure.data || [], layout, {
      responsive: true, displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
      toImageButtonOptions: { format: "png", filename: el.getAttribute("data-filename") || "chart" }
    });
  }
  // Pages that draw a chart only when asked (the board report) call this once Plotly is loaded.
  window.QICharts = { draw: draw };
  function init() {
    var charts = document.querySelectorAll("[data-figure]");
    for (var i = 0; i < charts.length; i++) { draw(charts[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
