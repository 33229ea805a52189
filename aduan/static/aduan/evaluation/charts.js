// Draws the statistics charts from the JSON the page embeds (#eval-charts); tables stay the source.
(function () {
  "use strict";
  var node = document.getElementById("eval-charts");
  if (!node || typeof Chart === "undefined") return;
  var charts = JSON.parse(node.textContent);
  var palette = ["#0b5394", "#3d85c6", "#e69138", "#6aa84f", "#cc0000", "#674ea7", "#45818e", "#bf9000", "#6fa8dc"];
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
  charts.forEach(function (spec) {
    var canvas = document.getElementById("chart-" + spec.key);
    if (!canvas) return;
    var labels = spec.labels, values = spec.values;
    if (spec.type === "bar") {
      // Ranked horizontal bars; the zero rows add nothing to a chart (the table keeps them).
      var rows = labels.map(function (l, i) { return [l, values[i]]; }).filter(function (r) { return r[1] > 0; });
      labels = rows.map(function (r) { return r[0]; });
      values = rows.map(function (r) { return r[1]; });
      canvas.parentNode.style.height = Math.max(120, 28 * labels.length + 40) + "px";
    }
    if (spec.type === "doughnut") {
      var kept = labels.map(function (l, i) { return [l, values[i]]; }).filter(function (r) { return r[1] > 0; });
      labels = kept.map(function (r) { return r[0]; });
      values = kept.map(function (r) { return r[1]; });
    }
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: labels,
        datasets: [{
          label: spec.title,
          data: values,
          backgroundColor: spec.type === "doughnut" ? palette : "#0b5394",
          borderColor: spec.type === "line" ? "#0b5394" : undefined,
          fill: false,
          tension: 0.2
        }]
      },
      options: {
        indexAxis: spec.type === "bar" ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: spec.type === "doughnut", position: "bottom" } },
        scales: spec.type === "doughnut" ? {} : { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
