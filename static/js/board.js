/* Board report: polls the PDF's status endpoint while it is being built, then offers the download.
   Static file (the CSP forbids inline scripts); the endpoint's URL comes from data-status-url. */
(function () {
  "use strict";
  var box = document.getElementById("pdf-status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var hide = box.querySelectorAll(".js-hide");
  for (var i = 0; i < hide.length; i++) { hide[i].hidden = true; }

  function render(s) {
    box.textContent = "";
    if (s.status === "ready") {
      var a = document.createElement("a");
      a.className = "btn btn-primary";
      a.href = s.download;
      a.setAttribute("data-testid", "pdf-download");
      a.textContent = "Download the PDF (" + s.pages + " pages)";
      box.appendChild(a);
      return true;
    }
    if (s.status === "failed") {
      var err = document.createElement("span");
      err.className = "text-danger";
      err.textContent = "The PDF could not be made: " + s.error + " Reload the page to try again.";
      box.appendChild(err);
      return true;
    }
    if (s.status === "none") { return true; }
    var wrap = document.createElement("div");
    wrap.className = "d-flex align-items-center gap-2";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = s.percent;
    bar.setAttribute("aria-label", "PDF progress");
    var label = document.createElement("span");
    label.className = "pdf-progress";
    label.textContent = s.label + ": " + s.step + " (" + s.percent + "%)";
    wrap.appendChild(bar);
    wrap.appendChild(label);
    box.appendChild(wrap);
    return false;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) { if (!render(s)) { window.setTimeout(poll, 1000); } })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (!box.querySelector("[data-testid=pdf-download]")) { poll(); }
})();
