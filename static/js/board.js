/* Drag a card onto a column to move the order there: posts the same form the card's buttons post. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("drag-move");
    var dragged = null;
    document.querySelectorAll(".card[draggable]").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        dragged = card;
        event.dataTransfer.setData("text/plain", card.dataset.move);
      });
    });
    document.querySelectorAll(".board-column").forEach(function (column) {
      column.addEventListener("dragover", function (event) { event.preventDefault(); column.classList.add("drop"); });
      column.addEventListener("dragleave", function () { column.classList.remove("drop"); });
      column.addEventListener("drop", function (event) {
        event.preventDefault();
        column.classList.remove("drop");
        if (!dragged) { return; }
        form.action = dragged.dataset.move;
        form.elements.to.value = column.dataset.status;
        form.elements.version.value = dragged.dataset.version;
        form.submit();
      });
    });
  });
})();
