// The creator dashboard's daily chart: billable clicks (bars) and what the creator's
// articles earned per currency (lines, one axis each: currencies are never added),
// from the JSON the dashboard panel writes with json_script. Chart.js is served from
// static/vendor/chartjs (no CDN: the admin works offline).
(function () {
  "use strict";

  function setUp(container) {
    var dataElement = document.getElementById("creator-chart-data");
    var canvas = container.querySelector("canvas");
    var labels = container.querySelector("[data-chart-labels]").dataset;
    if (!dataElement || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var series = JSON.parse(dataElement.textContent);
    var palette = ["#007d7e", "#cd4444", "#5a3cb8", "#b75d00"];
    var currencies = Object.keys(series.earnings);

    function datasets(days) {
      var start = series.days.length - days;
      var sets = [
        {
          type: "bar",
          label: labels.billable,
          data: series.billable_clicks.slice(start),
          backgroundColor: "rgba(38, 38, 38, 0.35)",
          yAxisID: "clicks",
          order: 2,
        },
        {
          type: "bar",
          label: labels.bots,
          data: series.bot_clicks.slice(start),
          backgroundColor: "rgba(150, 150, 150, 0.25)",
          yAxisID: "clicks",
          hidden: true,
          order: 3,
        },
      ];
      currencies.forEach(function (currency, index) {
        sets.push({
          type: "line",
          label: labels.earned + " (" + currency + ")",
          data: series.earnings[currency].slice(start).map(Number),
          borderColor: palette[index % palette.length],
          backgroundColor: palette[index % palette.length],
          yAxisID: "earnings_" + currency,
          tension: 0.2,
          pointRadius: 2,
          order: 1,
        });
      });
      return sets;
    }

    function scales() {
      var result = {
        clicks: {
          type: "linear",
          position: "left",
          beginAtZero: true,
          ticks: { precision: 0 },
          title: { display: true, text: labels.clicksAxis },
        },
      };
      currencies.forEach(function (currency, index) {
        result["earnings_" + currency] = {
          type: "linear",
          position: "right",
          beginAtZero: true,
          grid: { drawOnChartArea: index === 0 },
          title: { display: true, text: labels.earningsAxis + " (" + currency + ")" },
        };
      });
      return result;
    }

    var days = 30;
    var chart = new window.Chart(canvas, {
      data: { labels: series.days.slice(-days), datasets: datasets(days) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: scales(),
      },
    });

    container.querySelectorAll("[data-chart-days]").forEach(function (button) {
      button.addEventListener("click", function () {
        days = Math.min(Number(button.dataset.chartDays), series.days.length);
        chart.data.labels = series.days.slice(-days);
        chart.data.datasets = datasets(days);
        chart.update();
        container.querySelectorAll("[data-chart-days]").forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
      });
    });
  }

  function start() {
    document.querySelectorAll("[data-creator-chart]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
