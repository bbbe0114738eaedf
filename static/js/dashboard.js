/* The dashboard's on-time chart: the figures come from a JSON data block (never executed, no inline script) and
 * Chart.js draws them on a canvas — labels are painted, not inserted as HTML. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("on-time-chart");
    var source = document.getElementById("on-time-data");
    if (!canvas || !source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: canvas.dataset.label, data: data.shares, backgroundColor: "#2f7d4f" }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 100, ticks: { callback: function (value) { return value + " %"; } } } },
        plugins: { legend: { display: false } }
      }
    });
    canvas.dataset.drawn = String(data.labels.length);
  });
})();
