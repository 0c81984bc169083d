/* Stockwise charts: draws every <canvas data-chart="ID"> from the JSON that the
 * page put in <script type="application/json" id="ID"> (Django json_script).
 * Series are told apart by line dash, point shape and hatching, not colour alone;
 * each chart has a table with the same numbers next to it. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;

  var INK = "#111827", BLUE = "#1d4ed8", RED = "#b91c1c", GREY = "#6b7280";
  var DASH = { solid: [], dashed: [6, 3], dotted: [2, 3], dashdot: [8, 3, 2, 3] };
  var LINE_COLOURS = [INK, BLUE, "#047857", "#92400e"];

  function hatch(colour) {
    var c = document.createElement("canvas");
    c.width = c.height = 8;
    var g = c.getContext("2d");
    g.strokeStyle = colour;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(0, 8); g.lineTo(8, 0);
    g.moveTo(-2, 2); g.lineTo(2, -2);
    g.moveTo(6, 10); g.lineTo(10, 6);
    g.stroke();
    return g.createPattern(c, "repeat");
  }

  function dataset(spec, n, kind) {
    var base = {
      label: spec.label,
      data: spec.data,
      spanGaps: true,
      fill: spec.fill || false,
      stepped: spec.step ? "after" : false,
      pointStyle: spec.point || "circle",
      pointRadius: 0,
      pointHoverRadius: 4,
      borderWidth: 2,
      hideInLegend: spec.legend === false
    };
    var colour = LINE_COLOURS[n % LINE_COLOURS.length];
    switch (spec.style) {
      case "band95":
        return Object.assign(base, { borderColor: "rgba(0,0,0,0)", borderWidth: 0,
          backgroundColor: "rgba(147,197,253,0.45)" });
      case "band80":
        return Object.assign(base, { borderColor: "rgba(0,0,0,0)", borderWidth: 0,
          backgroundColor: hatch("rgba(29,78,216,0.55)") });
      case "markers":
        return Object.assign(base, { showLine: false, pointRadius: 5,
          borderColor: spec.colour || RED, backgroundColor: spec.colour || RED });
      case "hatched":
        return Object.assign(base, { borderColor: GREY, backgroundColor: hatch(GREY) });
      default:
        if (kind === "bar") {
          return Object.assign(base, { borderColor: INK, backgroundColor: BLUE });
        }
        if (spec.style === "dashed" && !spec.step) colour = BLUE;
        return Object.assign(base, { borderColor: colour, backgroundColor: colour,
          borderDash: DASH[spec.style] || [], pointRadius: spec.step ? 0 : 1.5 });
    }
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, n) { return dataset(d, n, spec.kind); })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduced ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 8, autoSkip: true } },
          y: { beginAtZero: true, title: { display: !!spec.y, text: spec.y } }
        },
        plugins: {
          legend: {
            labels: {
              usePointStyle: false,
              filter: function (item, data) {
                return !data.datasets[item.datasetIndex].hideInLegend;
              }
            }
          },
          tooltip: {
            filter: function (item) { return item.raw !== null; }
          }
        }
      }
    });
  }

  function init() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
