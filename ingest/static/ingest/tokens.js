// API token pages: search the measure, team and project lists; hide them when every measure is allowed;
// copy a new token to the clipboard. Loaded as a file because the CSP allows no inline script.
(function () {
  "use strict";

  document.querySelectorAll("[data-choices]").forEach(function (box) {
    var search = box.querySelector("[data-choices-search]");
    var count = box.querySelector("[data-choices-count]");
    var none = box.querySelector("[data-choices-none]");
    var items = Array.prototype.slice.call(box.querySelectorAll("[data-choice-text]"));
    function recount() {
      count.textContent = box.querySelectorAll("input[type=checkbox]:checked").length;
    }
    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.getAttribute("data-choice-text");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      if (none) { none.hidden = shown > 0 || items.length === 0; }
    });
    // Enter in the search box filters; it must not submit the form half-filled.
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    box.addEventListener("change", recount);
    recount();
  });

  var chooser = document.querySelector("[data-scope-chooser]");
  var radios = document.querySelectorAll("[data-scope-choice]");
  function showChooser() {
    var all = Array.prototype.some.call(radios, function (r) { return r.checked && r.value === "all"; });
    if (chooser) { chooser.hidden = all; }
  }
  radios.forEach(function (r) { r.addEventListener("change", showChooser); });
  showChooser();

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var status = document.querySelector("[data-copy-status]");
      field.select();
      var done = function () { if (status) { status.textContent = "Copied to the clipboard."; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          if (status) { status.textContent = "Select the token and copy it (Ctrl+C)."; }
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
