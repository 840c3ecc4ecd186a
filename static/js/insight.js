// Charts of the statistics page. The numbers come from a <script type="application/json">
// block (json_script), so no inline script is needed and a strict CSP holds. Every chart has an
// accessible table beside it with the same figures.
(function () {
  "use strict";
  const source = document.getElementById("insight-chart-data");
  const funnelSource = document.getElementById("insight-funnel-data");
  if ((!source && !funnelSource) || typeof window.Chart === "undefined") {
    return;
  }
  const data = source ? JSON.parse(source.textContent) : {};
  data.funnel = funnelSource ? JSON.parse(funnelSource.textContent) : null;
  const text = data.text || {};
  const palette = ["#198754", "#0d6efd", "#fd7e14", "#6f42c1", "#20c997", "#dc3545"];
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function bar(labels, datasets, options) {
    return {
      type: "bar",
      data: {
        labels: labels,
        datasets: datasets.map(function (dataset, index) {
          return Object.assign({ backgroundColor: palette[index % palette.length] }, dataset);
        }),
      },
      options: Object.assign(
        {
          responsive: true,
          animation: reducedMotion ? false : undefined,
          scales: { y: { beginAtZero: true } },
        },
        options || {}
      ),
    };
  }

  const builders = {
    industries: function () {
      return bar(data.industries.labels, [
        { label: text.technologies, data: data.industries.technologies },
        { label: text.needs, data: data.industries.needs },
      ]);
    },
    regions: function () {
      return bar(
        data.regions.labels,
        [
          { label: text.technologies, data: data.regions.technologies },
          { label: text.needs, data: data.regions.needs },
        ],
        { indexAxis: "y", scales: { x: { beginAtZero: true } } }
      );
    },
    stages: function () {
      return bar(data.stages.labels, [{ label: text.deals, data: data.stages.counts }], {
        plugins: { legend: { display: false } },
      });
    },
    scope: function () {
      return {
        type: "doughnut",
        data: {
          labels: data.scope.labels,
          datasets: [{ data: data.scope.counts, backgroundColor: palette.slice(0, 2) }],
        },
        options: { animation: reducedMotion ? false : undefined },
      };
    },
    value: function () {
      return bar(data.value.labels, data.value.datasets);
    },
    impact: function () {
      return bar(data.impact.labels, [{ label: text.tonnes, data: data.impact.tonnes }], {
        plugins: { legend: { display: false } },
      });
    },
    funnel: function () {
      return bar(data.funnel.labels, [{ label: data.funnel.labels[0], data: data.funnel.total }], {
        indexAxis: "y",
        scales: { x: { beginAtZero: true } },
        plugins: { legend: { display: false } },
      });
    },
    funnel_periods: function () {
      return bar(data.funnel.periods.labels, data.funnel.periods.datasets);
    },
    sdg: function () {
      return bar(data.sdg.labels, [{ label: text.technologies, data: data.sdg.technologies }], {
        plugins: { legend: { display: false } },
      });
    },
  };

  let rendered = 0;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const build = builders[canvas.dataset.chart];
    if (!build || (canvas.dataset.chart.indexOf("funnel") === 0 && !data.funnel)) {
      return;
    }
    new window.Chart(canvas, build());
    canvas.dataset.rendered = "true";
    rendered += 1;
  });
  document.body.dataset.insightCharts = String(rendered);
})();
