/**
 * Vertical markers on a uPlot chart (the knee, a change point), shared by
 * report.html and history.html. A marker with an id that is drawn inside the
 * plot adds the id to document.body's data-marked, which the browser tests read.
 */
export const MARKERS_JS = String.raw`
  /** Vertical markers drawn on top of a chart: [{ x, label, color }]. */
  function markers(list) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx;
      list.forEach(function (m) {
        var x = Math.round(u.valToPos(m.x, 'x', true));
        if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
        ctx.save();
        ctx.strokeStyle = m.color || '#555';
        ctx.setLineDash(m.dash || [6, 4]);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = m.color || '#555';
        ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
        ctx.fillText(m.label, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
        ctx.restore();
        if (m.id) {
          var marked = (document.body.getAttribute('data-marked') || '').split(' ').filter(Boolean);
          if (marked.indexOf(m.id) < 0) document.body.setAttribute('data-marked', marked.concat([m.id]).join(' '));
        }
      });
    }] } };
  }
`;

/**
 * The script inlined into report.html. It draws the charts with uPlot (also
 * inlined) from the JSON embedded in the page, and sets
 * document.body.dataset.charts to the number drawn, which the browser test
 * reads. Kept as plain JavaScript text: it runs in the browser, not in Node.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('strain-data').textContent);
  var drawn = 0;
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  function width(el) { return Math.max(480, Math.min(1100, el.clientWidth || 900)); }
  function fmt(v, d) { return v == null ? '' : (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(d || 3)); }
  /** Short axis numbers: 12k, 1.5M. */
  function short(v) {
    var a = Math.abs(v);
    if (a >= 1e6) return String(Number((v / 1e6).toPrecision(3))) + 'M';
    if (a >= 1e4) return String(Number((v / 1e3).toPrecision(3))) + 'k';
    return String(Number(v.toPrecision(4)));
  }

${MARKERS_JS}
  function make(id, opts, rows) {
    var el = document.getElementById(id);
    if (!el) return;
    opts.width = width(el);
    opts.height = opts.height || 320;
    new uPlot(opts, rows, el);
    drawn++;
  }

  // 1. Scaling: throughput and p50/p99 against load, the fitted USL curve, the knee.
  (function () {
    var s = data.scaling;
    if (!s || s.x.length === 0) return;
    var series = [
      { label: s.xLabel },
      { label: 'throughput (calls/s)', stroke: palette[0], width: 2, scale: 'rate', points: { show: true, size: 7 }, spanGaps: true, value: function (u, v) { return fmt(v); } },
      { label: 'p50 (ms)', stroke: palette[2], width: 2, scale: 'ms', points: { show: true }, spanGaps: true, value: function (u, v) { return fmt(v); } },
      { label: 'p99 (ms)', stroke: palette[1], width: 2, scale: 'ms', points: { show: true }, spanGaps: true, value: function (u, v) { return fmt(v); } },
    ];
    var rows = [s.x, s.throughput, s.p50, s.p99];
    if (s.repeat) {
      series.push({ label: 'repeated level (calls/s)', stroke: palette[0], width: 0, scale: 'rate', spanGaps: false, points: { show: true, size: 9, fill: '#fff' }, value: function (u, v) { return fmt(v); } });
      rows.push(s.repeat);
    }
    // A mix: each function's p99 against the same load, so the dear one's tail is not lost in the blend.
    (s.functions || []).forEach(function (f, i) {
      series.push({ label: f.name + ' p99 (ms)', stroke: palette[(i + 3) % palette.length], dash: [4, 3], width: 1.5, scale: 'ms', points: { show: true, size: 5 }, spanGaps: true, value: function (u, v) { return fmt(v); } });
      rows.push(f.p99);
    });
    if (s.usl) {
      series.push({ label: 'USL fit (calls/s)', stroke: '#444', dash: [5, 5], width: 1.5, scale: 'rate', spanGaps: true, points: { show: false }, value: function (u, v) { return fmt(v); } });
      rows.push(s.usl);
    }
    var ms = s.knee == null ? [] : [{ x: s.knee, label: 'knee ' + s.knee, color: '#b00' }];
    make('chart-scaling', Object.assign({
      title: 'Throughput and latency by load',
      scales: { x: { time: false }, rate: { auto: true, range: function (u, min, max) { return [0, max * 1.1]; } }, ms: { auto: true } },
      axes: [
        { label: s.xLabel },
        { scale: 'rate', label: 'throughput (calls/s)', size: 70, values: function (u, v) { return v.map(short); } },
        { scale: 'ms', side: 1, label: 'latency (ms)', size: 70, grid: { show: false } },
      ],
      series: series,
    }, markers(ms)), rows);
  })();

  // 2. Latency percentiles over time, with phase boundaries.
  (function () {
    var t = data.timeline;
    if (!t || t.x.length === 0) return;
    make('chart-timeline', Object.assign({
      title: 'Latency over time',
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'time since start (s)' }, { label: 'latency (ms, log)', size: 70 }],
      series: [
        { label: 'time (s)' },
        { label: 'p50 (ms)', stroke: palette[2], width: 1.5 },
        { label: 'p99 (ms)', stroke: palette[1], width: 1.5 },
        { label: 'max (ms)', stroke: palette[8], width: 1 },
      ],
    }, markers(t.boundaries)), [t.x, t.p50, t.p99, t.max]);
  })();

  // 3. HDR percentile distribution of each step, log-scaled from 50% to 99.999%.
  (function () {
    var d = data.distribution;
    if (!d || d.steps.length === 0) return;
    var series = [{ label: 'percentile', value: function (u, v) { return v == null ? '' : (100 - 100 / v).toPrecision(6) + '%'; } }];
    var rows = [d.x];
    d.steps.forEach(function (st, i) {
      series.push({ label: st.label + ' (ms)', stroke: palette[i % palette.length], width: 1.5, points: { show: true, size: 4 } });
      rows.push(st.values);
    });
    make('chart-distribution', {
      title: 'Latency by percentile, per step',
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      axes: [
        { label: 'percentile', splits: function () { return d.x; }, filter: function (u, splits) { return splits; }, values: function (u, v) { return v.map(function (x) { return x == null || x < 1 ? '' : String(Number((100 - 100 / x).toPrecision(6))) + '%'; }); } },
        { label: 'latency (ms, log)', size: 70 },
      ],
      series: series,
    }, rows);
  })();

  // 4. Process CPU and RSS over time.
  (function () {
    var r = data.resources;
    if (!r || r.x.length === 0) return;
    make('chart-resources', Object.assign({
      title: 'Process CPU and memory',
      scales: { x: { time: false }, cpu: { auto: true }, mem: { auto: true } },
      axes: [
        { label: 'time since start (s)' },
        { scale: 'cpu', label: 'CPU (% of one core)', size: 60 },
        { scale: 'mem', side: 1, label: 'RSS (MiB)', size: 60, grid: { show: false } },
      ],
      series: [
        { label: 'time (s)' },
        { label: 'process CPU (%)', stroke: palette[4], width: 1.5, scale: 'cpu' },
        { label: 'RSS (MiB)', stroke: palette[3], width: 1.5, scale: 'mem' },
      ],
    }, markers(data.timeline ? data.timeline.boundaries : [])), [r.x, r.cpu, r.rss]);
  })();

  // 4b. Each worker's memory over time: heap used and external (typed arrays, Buffers).
  (function () {
    var m = data.memory;
    if (!m || m.x.length === 0) return;
    var series = [{ label: 'time (s)' }];
    var rows = [m.x];
    m.workers.forEach(function (w, i) {
      series.push({ label: w.label + ' heap (MiB)', stroke: palette[i % palette.length], width: 1.5, spanGaps: true });
      series.push({ label: w.label + ' external (MiB)', stroke: palette[i % palette.length], dash: [4, 3], width: 1.5, spanGaps: true });
      rows.push(w.heap, w.external);
    });
    make('chart-memory', Object.assign({
      title: 'Worker memory over time',
      scales: { x: { time: false } },
      axes: [{ label: 'time since start (s)' }, { label: 'MiB', size: 60 }],
      series: series,
    }, markers(data.timeline ? data.timeline.boundaries : [])), rows);
  })();

  // 5. Baseline and current side by side.
  (function () {
    var c = data.comparison;
    if (!c) return;
    var bars = uPlot.paths.bars;
    make('chart-comparison', {
      title: 'Baseline and current (medians, baseline = 100)',
      scales: { x: { time: false, range: [-0.5, c.metrics.length - 0.5] }, y: { range: function (u, min, max) { return [0, Math.max(110, max * 1.1)]; } } },
      axes: [
        { label: 'metric', values: function (u, v) { return v.map(function (x) { return c.metrics[x] || ''; }); }, splits: function () { return c.metrics.map(function (_, i) { return i; }); } },
        { label: 'median, % of baseline' },
      ],
      series: [
        { label: 'metric', value: function (u, v) { return c.metrics[v] || ''; } },
        { label: 'baseline', fill: '#9ecae1', stroke: '#3182bd', paths: bars({ size: [0.3, 60], align: -1 }), points: { show: false } },
        { label: 'current', fill: '#fdae6b', stroke: '#e6550d', paths: bars({ size: [0.3, 60], align: 1 }), points: { show: false } },
      ],
    }, [c.metrics.map(function (_, i) { return i; }), c.base, c.current]);
  })();

  // 6. Capacity search: each load's objective figure, passes and fails apart, the objective as a line, the capacity marked.
  (function () {
    var c = data.capacity;
    if (!c || c.x.length === 0) return;
    make('chart-capacity', Object.assign({
      title: 'Capacity search: ' + c.figure + ' by load',
      scales: { x: { time: false }, y: c.log ? { distr: 3 } : { auto: true } },
      axes: [{ label: c.xLabel }, { label: c.yLabel + (c.log ? ', log' : ''), size: 70 }],
      series: [
        { label: c.xLabel },
        { label: 'passed', stroke: palette[2], width: 0, points: { show: true, size: 9, fill: palette[2] }, value: function (u, v) { return fmt(v); } },
        { label: 'failed', stroke: palette[1], width: 0, points: { show: true, size: 9, fill: palette[1] }, value: function (u, v) { return fmt(v); } },
        { label: 'objective', stroke: '#444', dash: [6, 4], width: 1.5, points: { show: false }, value: function (u, v) { return fmt(v); } },
      ],
    }, markers(c.capacity == null ? [] : [{ x: c.capacity, label: 'capacity ' + short(c.capacity), color: '#1e7e34' }])), [c.x, c.passed, c.failed, c.objective]);
  })();

  // 7. Flame graphs of the kept CPU profiles: the call tree top-down, width = share of samples.
  var flames = 0;
  (data.flames || []).forEach(function (f, i) {
    var el = document.getElementById('flame-' + i);
    if (!el || !f.rows.length) return;
    var W = width(el), ROW = 18, dpr = devicePixelRatio || 1;
    var depth = 0;
    f.rows.forEach(function (r) { if (r.depth > depth) depth = r.depth; });
    var canvas = document.createElement('canvas');
    canvas.width = W * dpr; canvas.height = (depth + 1) * ROW * dpr;
    canvas.style.width = W + 'px'; canvas.style.height = ((depth + 1) * ROW) + 'px';
    el.appendChild(canvas);
    var ctx = canvas.getContext('2d');
    ctx.scale(dpr, dpr);
    ctx.font = '11px sans-serif';
    var total = f.rows[0].value || 1;
    // Pre-order rows: a node starts where its parent's next child starts.
    var cursor = [0];
    f.rows.forEach(function (r) {
      var x = cursor[r.depth] || 0;
      var w = (r.value / total) * W;
      cursor[r.depth] = x + w;
      cursor[r.depth + 1] = x;
      var h = 0;
      for (var k = 0; k < r.name.length; k++) h = (h * 31 + r.name.charCodeAt(k)) >>> 0;
      ctx.fillStyle = r.depth === 0 ? '#bbb' : 'hsl(' + (10 + h % 40) + ',' + (60 + h % 30) + '%,' + (55 + h % 15) + '%)';
      ctx.fillRect(x, r.depth * ROW, Math.max(0.5, w - 0.5), ROW - 1);
      if (w > 40) {
        ctx.fillStyle = '#222';
        var label = r.name + ' ' + (100 * r.value / total).toFixed(1) + '%';
        ctx.save(); ctx.beginPath(); ctx.rect(x, r.depth * ROW, w - 2, ROW); ctx.clip();
        ctx.fillText(label, x + 3, r.depth * ROW + 13);
        ctx.restore();
      }
    });
    flames++;
  });
  document.body.dataset.flames = String(flames);

  document.body.dataset.charts = String(drawn);
})();
`;
