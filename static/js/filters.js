// Filter forms: choosing a directorate reloads the page so its teams and coaches are offered.
// Without JavaScript the Filter button does the same.
document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
  select.addEventListener("change", function () {
    var form = select.form;
    ["team", "coach", "find_directorate"].forEach(function (name) {
      if (form.elements[name]) { form.elements[name].value = ""; }
    });
    form.submit();
  });
});
