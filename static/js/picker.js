// Pickers (organisation/widgets.py PickerSelect): type two letters or more, pick a result, and it is added
// to the select beside as a chosen option, so the form posts as it always did.
document.querySelectorAll("[data-picker]").forEach(function (box) {
  var select = document.getElementById(box.dataset.picker);
  var input = box.querySelector("input[type=search]");
  var results = box.querySelector(".picker-results");
  var multiple = box.dataset.multiple === "true";
  var timer = null;
  if (!select || !input) { return; }

  function message(text) {
    results.textContent = "";
    var li = document.createElement("li");
    li.className = "text-muted";
    li.textContent = text;
    results.appendChild(li);
  }

  function groupFor(label) {
    var groups = select.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      if (groups[i].label === label) { return groups[i]; }
    }
    var group = document.createElement("optgroup");
    group.label = label;
    select.appendChild(group);
    return group;
  }

  function choose(item) {
    var option = null;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === String(item.id)) { option = select.options[i]; }
    }
    if (!option) {
      option = new Option(item.label, item.id);
      groupFor(item.group).appendChild(option);
    }
    if (!multiple) { select.value = String(item.id); }
    option.selected = true;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    input.value = "";
    message(item.label + (multiple ? " added." : " chosen."));
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }  // never submit the form from the search box
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 2) { results.textContent = ""; return; }
    timer = window.setTimeout(function () {
      var url = box.dataset.url + (box.dataset.url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          results.textContent = "";
          if (!data.results.length) { message("Nothing found for “" + query + "”."); return; }
          data.results.forEach(function (item) {
            var li = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-link btn-sm p-0 text-start";
            button.textContent = item.label + " (" + item.group + ")";
            button.dataset.id = item.id;
            button.addEventListener("click", function () { choose(item); });
            li.appendChild(button);
            results.appendChild(li);
          });
        })
        .catch(function () { message("The search did not answer; try again."); });
    }, 200);
  });
});
