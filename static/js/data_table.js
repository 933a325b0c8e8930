// The measure's data table: rows pasted from a spreadsheet into a new row go to the "Paste from a
// spreadsheet" box and the table is filled by the server, checked row by row, nothing saved until the person
// saves. Without scripts the box itself does the same.
(function () {
  "use strict";
  document.addEventListener("paste", function (event) {
    var cell = event.target.closest && event.target.closest("[data-testid='data-form'] tr.new-row input");
    if (!cell) return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\r\n]/.test(text.trim())) return; // one value: an ordinary paste into the cell
    event.preventDefault();
    var form = cell.form;
    var box = form.querySelector("#id_paste");
    box.value = text;
    form.querySelector("#paste").open = true;
    form.requestSubmit(form.querySelector("[data-testid='fill']"));
  });
})();
