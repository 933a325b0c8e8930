/* Board report: each measure's chart arrives as a static SVG drawn on the server (on screen at once, readable
   without scripts, the same chart as in the PDF). Its button turns it into the interactive Plotly chart;
   Plotly (about 4.8 MB) is fetched once, the first time a person points at or asks for a chart, so a
   40-measure report never pays for it on load. Static file: the CSP forbids inline scripts. */
(function () {
  "use strict";
  var section = document.querySelector("[data-plotly-src]");
  var buttons = document.querySelectorAll("[data-open-chart]");
  if (!section || !window.QICharts || !window.Promise) { return; }
  var loading = null;

  function loadPlotly() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (typeof window.Plotly !== "undefined") { resolve(); return; }
        var script = document.createElement("script");
        script.src = section.getAttribute("data-plotly-src");
        script.onload = resolve;
        script.onerror = function () { loading = null; script.remove(); reject(new Error("Plotly did not load")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function open(button) {
    var host = document.getElementById(button.getAttribute("aria-controls"));
    if (!host || button.disabled) { return; }
    var label = button.innerHTML;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = "Loading the interactive chart…";
    loadPlotly().then(function () {
      var chart = document.createElement("div");
      chart.className = "board-chart";
      chart.id = host.id + "-interactive";
      chart.tabIndex = -1;
      chart.setAttribute("role", "region");
      chart.setAttribute("aria-label", "Interactive " + (host.querySelector("svg title") || {}).textContent);
      chart.setAttribute("data-figure", host.getAttribute("data-figure-source"));
      chart.setAttribute("data-filename", host.getAttribute("data-filename") || "chart");
      while (host.firstChild) { host.removeChild(host.firstChild); }
      host.appendChild(chart);
      window.QICharts.draw(chart);
      button.hidden = true;
      button.removeAttribute("aria-busy");
      chart.focus();
    }, function () {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.innerHTML = label;
      button.setAttribute("title", "The interactive chart could not be loaded: try again.");
    });
  }

  for (var i = 0; i < buttons.length; i++) {
    var button = buttons[i];
    button.hidden = false;
    button.addEventListener("click", function (e) { open(e.currentTarget); });
    // Start fetching Plotly as soon as someone points at or tabs to a chart's button: the click then waits less.
    button.addEventListener("pointerenter", loadPlotly, { once: true });
    button.addEventListener("focus", loadPlotly, { once: true });
  }
})();
