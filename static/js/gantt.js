/* The project timeline: milestones from the REST API drawn with jsgantt-improved, the current plan as solid
   bars and the baseline (first plan) as pale "planned" bars behind them. */
(function () {
  "use strict";
  function draw(container, milestones) {
    var chart = new JSGantt.GanttChart(container, "month");
    chart.setOptions({
      vCaptionType: "Caption", vShowRes: 0, vShowCost: 0, vShowComp: 0, vShowDur: 0, vShowTaskInfoLink: 0,
      vShowStartDate: 1, vShowEndDate: 1, vShowPlanStartDate: 1, vShowPlanEndDate: 1, vShowEndWeekDate: 0,
      vFormatArr: ["Week", "Month", "Quarter"], vDateTaskDisplayFormat: "yyyy-mm-dd",
      vDayMajorDateDisplayFormat: "yyyy-mm-dd", vLang: container.dataset.lang || "en", vUseSingleCell: 10000
    });
    milestones.forEach(function (m) {
      var start = m.planned_start || m.due_date;
      chart.AddTaskItemObject({
        pID: m.id, pName: m.name, pStart: start, pEnd: m.due_date,
        pPlanStart: m.baseline_start || start, pPlanEnd: m.baseline_due_date || m.due_date,
        pClass: m.status === "done" ? "gtaskgreen" : (m.due_state === "overdue" ? "gtaskred" : "gtaskblue"),
        pPlanClass: "gtaskyellow", pMile: 0, pComp: m.status === "done" ? 100 : 0, pGroup: 0, pParent: 0,
        pOpen: 1, pDepend: "", pCaption: "", pNotes: ""
      });
    });
    chart.Draw();
    container.dataset.drawn = String(milestones.length);
  }
  function load(container) {
    fetch(container.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) { draw(container, body.results || []); })
      .catch(function () { container.textContent = container.getAttribute("aria-label") + ": —"; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("gantt");
    if (container && window.JSGantt) { load(container); }
  });
})();
