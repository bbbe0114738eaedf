/* The project timeline: milestones from the REST API drawn with jsgantt-improved, the current plan as solid
   bars and the baseline (first plan) as pale "planned" bars behind them.

   Names are text, never markup. jsgantt-improved inserts a task name as HTML when it contains "<"
   (insertAdjacentHTML in newNode), so the name it is given has every "<" replaced by a private-use stand-in
   (U+E000, removed from the name first), and the stand-in is turned back into "<" in the text nodes it draws —
   also in the tooltips it builds later, through a MutationObserver. The page shows exactly the characters
   stored; no element is ever made from them. */
(function () {
  "use strict";
  var STAND_IN = "\uE000";
  var STAND_IN_ALL = /\uE000/g;

  function forGantt(text) {
    return String(text == null ? "" : text).replace(STAND_IN_ALL, "").replace(/</g, STAND_IN);
  }

  function restoreText(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      if (root.nodeValue.indexOf(STAND_IN) !== -1) { root.nodeValue = root.nodeValue.replace(STAND_IN_ALL, "<"); }
      return;
    }
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      if (node.nodeValue.indexOf(STAND_IN) !== -1) { node.nodeValue = node.nodeValue.replace(STAND_IN_ALL, "<"); }
    }
  }

  function watchTooltips() {
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        if (mutation.type === "characterData") { restoreText(mutation.target); return; }
        mutation.addedNodes.forEach(restoreText);
      });
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  }

  var GROUP_OFFSET = 1000000000;  // group rows (one per submission) get ids no milestone has

  function timelineData() {
    var block = document.getElementById("timeline-data");
    return block ? JSON.parse(block.textContent) : { groups: [], links: [] };
  }

  function draw(container, milestones) {
    var data = timelineData();
    var chart = new JSGantt.GanttChart(container, "month");
    chart.setOptions({
      vCaptionType: "Caption", vShowRes: 0, vShowCost: 0, vShowComp: 0, vShowDur: 0, vShowTaskInfoLink: 0,
      vShowStartDate: 1, vShowEndDate: 1, vShowPlanStartDate: 1, vShowPlanEndDate: 1, vShowEndWeekDate: 0,
      vFormatArr: ["Week", "Month", "Quarter"], vDateTaskDisplayFormat: "yyyy-mm-dd",
      vDayMajorDateDisplayFormat: "yyyy-mm-dd", vLang: container.dataset.lang || "en", vUseSingleCell: 10000,
      vScrollTo: "today"
    });
    var waitsFor = {};
    data.links.forEach(function (link) {
      (waitsFor[link[1]] = waitsFor[link[1]] || []).push(String(link[0]));
    });
    var shown = {};
    milestones.forEach(function (m) { shown[m.id] = true; });
    var grouped = {};
    milestones.forEach(function (m) { if (m.submission) { grouped[m.submission] = true; } });
    data.groups.forEach(function (group) {
      if (!grouped[group.id]) { return; }
      chart.AddTaskItemObject({
        pID: GROUP_OFFSET + group.id, pName: forGantt(group.label), pStart: "", pEnd: "", pClass: "ggroupblack",
        pMile: 0, pComp: 0, pGroup: 1, pParent: 0, pOpen: 1, pDepend: "", pCaption: "", pNotes: ""
      });
    });
    milestones.forEach(function (m) {
      var start = m.planned_start || m.due_date;
      var depends = (waitsFor[m.id] || []).filter(function (id) { return shown[id]; });
      chart.AddTaskItemObject({
        pID: m.id, pName: forGantt(m.name), pStart: start, pEnd: m.due_date,
        pPlanStart: m.baseline_start || start, pPlanEnd: m.baseline_due_date || m.due_date,
        pClass: m.status === "done" ? "gtaskgreen" : (m.due_state === "overdue" ? "gtaskred" : "gtaskblue"),
        pPlanClass: "gtaskyellow", pMile: 0, pComp: m.status === "done" ? 100 : 0, pGroup: 0,
        pParent: m.submission && grouped[m.submission] ? GROUP_OFFSET + m.submission : 0,
        pOpen: 1, pDepend: depends.join(","), pCaption: "", pNotes: ""
      });
    });
    chart.Draw();
    restoreText(container);
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
    if (container && window.JSGantt) {
      watchTooltips();
      load(container);
    }
  });
})();
