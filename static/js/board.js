/* The lab board: drag a card onto a column to move the order there (posts the same form the card's buttons
   post); a hold — dropped on "on hold" or the card's button — first asks for its reason in a dialog. A column the card may not go to refuses the drop and says why, in words built as text (never HTML).
   While dragging near the board's left or right edge the board scrolls, so every column can be reached. */
(function () {
  "use strict";
  var EDGE = 60;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key] || ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("drag-move");
    var board = document.querySelector(".board");
    var status = document.getElementById("board-status");
    if (!form || !board) { return; }
    var labels = {};
    document.querySelectorAll(".board-column").forEach(function (column) {
      labels[column.dataset.status] = column.dataset.label;
    });
    var dragged = null;
    var hold = document.getElementById("hold-dialog");

    function askHoldReason(card) {
      var holdForm = hold.querySelector("form");
      holdForm.action = card.dataset.move;
      holdForm.elements.version.value = card.dataset.version;
      holdForm.elements.reason.value = "";
      hold.querySelector("[data-order]").textContent = card.dataset.number;
      hold.showModal();
      holdForm.elements.reason.focus();
    }

    if (hold) {
      hold.querySelector("[data-close]").addEventListener("click", function () { hold.close(); });
      document.querySelectorAll(".card [data-hold]").forEach(function (button) {
        button.addEventListener("click", function () { askHoldReason(button.closest(".card")); });
      });
    }

    function allowed(card, column) {
      return (card.dataset.targets || "").split(" ").indexOf(column.dataset.status) !== -1;
    }

    function refuse(card, column) {
      var targets = (card.dataset.targets || "").split(" ").filter(Boolean).map(function (s) { return labels[s] || s; });
      var text = fill(status.dataset.refusal, { order: card.dataset.number, column: column.dataset.label }) + " " +
        (targets.length ? fill(status.dataset.allowed, { columns: targets.join(", ") }) : status.dataset.none);
      if (status.textContent !== text) { status.textContent = text; }
      status.hidden = false;
    }

    document.querySelectorAll(".card[draggable]").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        dragged = card;
        status.hidden = true;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", card.dataset.number);
      });
      card.addEventListener("dragend", function () { dragged = null; });
    });

    board.addEventListener("dragover", function (event) {
      var box = board.getBoundingClientRect();
      if (event.clientX > box.right - EDGE) { board.scrollLeft += 25; }
      if (event.clientX < box.left + EDGE) { board.scrollLeft -= 25; }
    });

    document.querySelectorAll(".board-column").forEach(function (column) {
      column.addEventListener("dragover", function (event) {
        event.preventDefault();
        if (dragged && !allowed(dragged, column) && dragged.closest(".board-column") !== column) {
          event.dataTransfer.dropEffect = "none";  // the browser will not drop here: say why while it hovers
          column.classList.add("refuse");
          refuse(dragged, column);
        } else {
          column.classList.add("drop");
        }
      });
      column.addEventListener("dragleave", function () { column.classList.remove("drop", "refuse"); });
      column.addEventListener("drop", function (event) {
        event.preventDefault();
        column.classList.remove("drop", "refuse");
        var card = dragged;
        dragged = null;
        if (!card || card.closest(".board-column") === column) { return; }
        if (!allowed(card, column)) { refuse(card, column); return; }
        if (column.dataset.status === "on_hold" && hold) { askHoldReason(card); return; }
        form.action = card.dataset.move;
        form.elements.to.value = column.dataset.status;
        form.elements.version.value = card.dataset.version;
        form.submit();
      });
    });

    document.querySelectorAll(".board-index a[data-column]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById("col-" + link.dataset.column);
        if (!target) { return; }
        event.preventDefault();
        target.closest(".board-column").scrollIntoView({ behavior: "smooth", inline: "start", block: "nearest" });
        target.focus({ preventScroll: true });
      });
    });
  });
})();
