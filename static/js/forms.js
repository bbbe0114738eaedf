/* Forms that help:
 * - a multiple select with data-follows="id_client" offers only the options of the client chosen there (options
 *   carry data-client); options of another client are hidden and unselected as soon as the client changes;
 * - a form with data-once="Working…" cannot be sent twice: its submit button is disabled, says the text given and
 *   an indeterminate progress bar shows that the (slow) work is under way. */
(function () {
  "use strict";

  function narrow(select) {
    var source = document.getElementById(select.dataset.follows);
    if (!source) { return; }
    var client = source.value;
    Array.prototype.forEach.call(select.options, function (option) {
      var mine = !client || option.dataset.client === client;
      option.hidden = !mine;
      option.disabled = !mine;
      if (!mine) { option.selected = false; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-follows]").forEach(function (select) {
      var source = document.getElementById(select.dataset.follows);
      if (!source) { return; }
      narrow(select);
      source.addEventListener("change", function () { narrow(select); });
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.once) { return; }
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var button = form.querySelector("button[type=submit], button:not([type])");
    if (button) {
      button.setAttribute("aria-busy", "true");
      button.textContent = form.dataset.once;
      window.setTimeout(function () { button.disabled = true; }, 0);  // after the browser has read the form
    }
    var progress = document.createElement("progress");
    progress.setAttribute("aria-label", form.dataset.once);
    form.appendChild(progress);
  });
})();
