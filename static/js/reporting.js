/* Reporting charts: every <canvas data-chart="line|bar|doughnut" data-source="<json id>">
   reads its data from a json_script block (no inline scripts; CSP without unsafe-inline). */
(function () {
  "use strict";
  var palette = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00", "#0c8599", "#c2255c", "#5c7cfa"];

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function seriesChart(canvas, data) {
    var metric = canvas.dataset.metric || "spend";
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: canvas.dataset.label || metric, data: data[metric], borderColor: palette[0],
            backgroundColor: "rgba(31,111,235,0.12)", fill: true, tension: 0.25, yAxisID: "y" },
          { label: "Clicks", data: data.clicks, borderColor: palette[1], tension: 0.25, yAxisID: "y1" }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, position: "left" },
                  y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } } }
    });
  }

  function breakdownChart(canvas, rows) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [{ label: canvas.dataset.label || "Impressions",
                     data: rows.map(function (r) { return r[canvas.dataset.metric || "impressions"]; }),
                     backgroundColor: palette }]
      },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: false } } }
    });
  }

  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var data = read(canvas.dataset.source);
      if (!data) { return; }
      if (canvas.dataset.chart === "series") { seriesChart(canvas, data); }
      else { breakdownChart(canvas, data); }
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
