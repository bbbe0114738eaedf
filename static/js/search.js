/* The header search: arrow keys walk from the box through the hits (and back), Escape closes them. The hits are
 * server-rendered HTML from our own escaping templates (htmx swaps them in); nothing here builds HTML. */
(function () {
  "use strict";

  function hits() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-hits a"));
  }

  function close() {
    var box = document.getElementById("search-hits");
    if (box) { box.textContent = ""; }
  }

  document.addEventListener("keydown", function (event) {
    var input = document.querySelector(".global-search input[type=search]");
    if (!input) { return; }
    var links = hits();
    var index = links.indexOf(document.activeElement);
    if (event.key === "Escape" && (document.activeElement === input || index >= 0)) {
      close();
      input.focus();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    if (document.activeElement !== input && index < 0) { return; }
    if (!links.length) { return; }
    event.preventDefault();
    if (event.key === "ArrowDown") {
      links[index < 0 ? 0 : Math.min(index + 1, links.length - 1)].focus();
    } else if (index <= 0) {
      input.focus();
    } else {
      links[index - 1].focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".global-search")) { close(); }
  });
})();
