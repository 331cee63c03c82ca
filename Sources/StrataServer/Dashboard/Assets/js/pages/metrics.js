// Metrics: Strata's own request metrics (self-scraped from /metrics into the
// TSDB), a range selector, cards with the trend against the previous period,
// charts, and a PromQL explorer with autocomplete.

import { getJSON, query, queryRange, firstSample } from '../api.js';
import { LineChart, legend } from '../chart.js';
import { setParams } from '../app.js';
import { el, fmtNumber, fmtPercent, fmtSeconds, trend } from '../format.js';
import { perf } from '../perf.js';
import { openChannel } from '../ws.js';

const RANGES = { '5m': 300, '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 };
// About 1,000 points per series whatever the range (issue #11: at most ~2,000 on 30-day charts).
const TARGET_POINTS = 1000;
const ERROR_THRESHOLD_PERCENT = 5;
const REQ = 'strata_http_request_duration_seconds';
// Relative ranges up to a day follow the data live through a /ws/metrics subscription.
const LIVE_MAX_SECONDS = 86400;
const FUNCTIONS = ['rate', 'irate', 'increase', 'sum', 'avg', 'min', 'max', 'count', 'histogram_quantile', 'topk',
  'bottomk', 'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time', 'delta', 'deriv', 'abs', 'absent',
  'label_replace', 'quantile_over_time', 'changes', 'resets', 'clamp_min', 'clamp_max', 'time', 'vector', 'scalar'];

/**
 * About TARGET_POINTS steps over `span` seconds. Steps of 5 min and more are
 * rounded up to whole rollup windows (5 m, 1 h) and the window is aligned to
 * them, so `resolution=auto` serves long ranges from the rollups
 * (docs/retention-and-rollups.md, "Queries over rollups").
 */
export function grid(start, end, minStep) {
  const span = end - start;
  let step = Math.max(minStep, Math.ceil(span / TARGET_POINTS));
  if (step >= 3600) step = Math.ceil(step / 3600) * 3600;
  else if (step >= 300) step = Math.ceil(step / 300) * 300;
  if (step < 300) return { start, end, step };
  const e = Math.floor(end / step) * step;
  return { start: e - Math.floor(span / step) * step, end: e, step };
}

function cards(w) {
  return [
    { id: 'request-rate', label: 'Request rate', unit: 'req/s', fmt: (v) => `${fmtNumber(v)} req/s`,
      q: `sum(rate(${REQ}_count[${w}]))` },
    { id: 'error-rate', label: 'Error rate (5xx)', fmt: fmtPercent, danger: (v) => v > ERROR_THRESHOLD_PERCENT, upIsBad: true,
      q: `100 * (sum(rate(${REQ}_count{code=~"5.."}[${w}])) or vector(0)) / sum(rate(${REQ}_count[${w}]))` },
    { id: 'response-time', label: 'Response time p95', fmt: fmtSeconds, upIsBad: true,
      q: `histogram_quantile(0.95, sum by (le) (rate(${REQ}_bucket[${w}])))` },
    { id: 'connections', label: 'Active connections (WebSocket)', fmt: fmtNumber,
      q: 'sum(strata_realtime_connections)' },
  ];
}

export function mount(root, params) {
  let abort = new AbortController();
  const state = { range: '1h', start: null, end: null, q: '', view: 'graph' };
  const rangeButtons = {};
  const rangeRow = el('div', { class: 'row', role: 'group', 'aria-label': 'Time range' });
  for (const r of Object.keys(RANGES)) {
    rangeButtons[r] = el('button', { type: 'button', 'data-range': r, text: r, onclick: () => { state.range = r; sync(); load(); } });
    rangeRow.append(rangeButtons[r]);
  }
  const startIn = el('input', { type: 'datetime-local', 'aria-label': 'Custom start' });
  const endIn = el('input', { type: 'datetime-local', 'aria-label': 'Custom end' });
  rangeButtons.custom = el('button', { type: 'button', text: 'custom', onclick: () => {
    const s = Date.parse(startIn.value); const e = Date.parse(endIn.value);
    if (!(s < e)) { msg.textContent = 'Custom range: pick a start before the end.'; return; }
    state.range = 'custom'; state.start = s / 1000; state.end = e / 1000; sync(); load();
  } });
  rangeRow.append(startIn, endIn, rangeButtons.custom,
    el('button', { type: 'button', text: 'Refresh', 'data-testid': 'refresh', onclick: () => load() }));
  const msg = el('p', { class: 'muted small', 'aria-live': 'polite' });
  const cardGrid = el('div', { class: 'grid', 'data-testid': 'metric-cards' });
  const volCanvas = el('canvas', { class: 'chart', role: 'img', 'aria-label': 'Request volume chart' });
  const latCanvas = el('canvas', { class: 'chart', role: 'img', 'aria-label': 'Response time chart' });
  const volChart = new LineChart(volCanvas, { yFormat: (v) => fmtNumber(v), minY: 0 });
  const latChart = new LineChart(latCanvas, { yFormat: fmtSeconds, minY: 0 });
  const volInfo = el('div', { class: 'small muted', 'data-testid': 'chart-requests-info' });
  const latInfo = el('div', { class: 'small muted', 'data-testid': 'chart-latency-info' });
  const explorer = makeExplorer(state, () => { sync(); }, () => window_());

  root.append(el('h1', { text: 'Metrics' }), rangeRow, msg, cardGrid,
    el('div', { class: 'grid grid2' },
      el('section', { class: 'card' }, el('h3', { text: 'Request volume (req/s)' }), volCanvas, volInfo),
      el('section', { class: 'card' }, el('h3', { text: 'Response time p50 / p95' }), latCanvas,
        legend(['p50', 'p95']), latInfo)),
    explorer.node);

  function readParams(p) {
    const r = p.get('range');
    if (r === 'custom' && p.get('start') && p.get('end')) {
      state.range = 'custom'; state.start = parseFloat(p.get('start')); state.end = parseFloat(p.get('end'));
    } else if (r && RANGES[r]) state.range = r;
    state.q = p.get('q') || state.q;
    state.view = p.get('view') === 'table' ? 'table' : state.view;
  }

  function sync() {
    for (const [r, b] of Object.entries(rangeButtons)) b.setAttribute('aria-pressed', String(r === state.range));
    const p = new URLSearchParams({ range: state.range });
    if (state.range === 'custom') { p.set('start', String(state.start)); p.set('end', String(state.end)); }
    if (state.q) p.set('q', state.q);
    if (state.view !== 'graph') p.set('view', state.view);
    setParams(p);
  }

  /** [start, end, seconds] of the selected window, end = now for relative ranges. */
  function window_() {
    if (state.range === 'custom') return [state.start, state.end, state.end - state.start];
    const end = Math.floor(Date.now() / 1000);
    return [end - RANGES[state.range], end, RANGES[state.range]];
  }

  async function load() {
    abort.abort();
    abort = new AbortController();
    const signal = abort.signal;
    const [start, end, span] = window_();
    const w = `${Math.round(span)}s`;
    const g = grid(start, end, 15);
    const step = g.step;
    const rw = `${Math.max(4 * step, 60)}s`;
    msg.textContent = '';
    const defs = cards(w);
    cardGrid.replaceChildren(...defs.map((d) => el('div', { class: 'card', 'data-card': d.id },
      el('h3', { text: d.label }), el('div', { class: 'big', text: '…' }))));
    const cardJobs = defs.map(async (d, i) => {
      const [cur, prev] = await Promise.all([query(d.q, end, signal), query(d.q, end - span, signal)]);
      const s = firstSample(cur); const ps = firstSample(prev);
      const v = s ? parseFloat(s[1]) : null; const pv = ps ? parseFloat(ps[1]) : null;
      const tr = trend(v, pv);
      const big = el('div', { class: `big${d.danger && v !== null && d.danger(v) ? ' danger' : ''}`, 'data-testid': `card-${d.id}`,
        'data-query': d.q, 'data-time': String(end), 'data-value': s ? s[1] : '', text: s ? d.fmt(v) : 'no data' });
      let tnode = el('div', { class: 'small muted', text: 'no previous value to compare' });
      if (tr !== null) {
        const bad = d.upIsBad ? tr > 0 : false;
        tnode = el('div', { class: `small ${tr >= 0 ? 'trend-up' : 'trend-down'}${bad ? ' danger' : ''}`,
          text: `${(tr * 100).toFixed(1)} % vs previous ${state.range === 'custom' ? 'period' : state.range}` });
      }
      cardGrid.children[i].replaceChildren(el('h3', { text: d.label }), big, tnode);
    });
    const volQ = `sum(rate(${REQ}_count[${rw}]))`;
    const latQ = (q) => `histogram_quantile(${q}, sum by (le) (rate(${REQ}_bucket[${rw}])))`;
    const chartJobs = [
      queryRange(volQ, g.start, g.end, step, signal).then((d) => {
        perf.chartPoints('requests', d.result);
        volChart.setPrometheus(d.result, step, [start * 1000, end * 1000]);
        volInfo.textContent = `${d.result.map((s) => s.values.length).join(', ') || 0} points, step ${step}s`;
        volInfo.dataset.points = d.result.map((s) => s.values.length).join(',');
      }),
      Promise.all([queryRange(latQ(0.5), g.start, g.end, step, signal), queryRange(latQ(0.95), g.start, g.end, step, signal)]).then(([a, b]) => {
        const series = [...a.result.map((s) => ({ ...s, name: 'p50' })), ...b.result.map((s) => ({ ...s, name: 'p95' }))];
        perf.chartPoints('latency', series);
        latChart.setPrometheus(series, step, [start * 1000, end * 1000]);
        latInfo.textContent = `${series.map((s) => s.values.length).join(', ') || 0} points per series, step ${step}s`;
      }),
    ];
    const results = await Promise.allSettled([...cardJobs, ...chartJobs]);
    if (!signal.aborted) live.follow(state.range !== 'custom' && span <= LIVE_MAX_SECONDS ? { query: volQ, span, step } : null);
    if (signal.aborted) return;
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length) msg.textContent = `Some panels failed: ${failed.map((f) => f.reason.message).join('; ')}`;
    root.dataset.loaded = 'true';
    root.dataset.loadedRange = state.range;
    root.dataset.loadCount = String(Number(root.dataset.loadCount || 0) + 1);
    perf.dataShown('metrics');
    if (state.q) explorer.run();
  }

  const live = liveVolume(volChart, volInfo);
  readParams(params);
  sync();
  load();
  return {
    update(p) { readParams(p); sync(); },
    unmount() { abort.abort(); live.close(); volChart.destroy(); latChart.destroy(); explorer.destroy(); },
  };
}

/**
 * Keeps the request-volume chart live: `metrics_update` messages of a
 * /ws/metrics subscription (docs/realtime.md, "Live query subscriptions"):
 * the initial result, then points that replace the client's point at the same
 * time, `removed` grid times, and the window sliding to `end`.
 */
function liveVolume(chart, info) {
  let ws = null;
  let sub = null;
  let series = new Map(); // metric key -> Map(t -> "v")
  let updates = 0;

  let grid = { range: 0, step: 0 };

  // Only the initial result names range and step; updates carry the new window end.
  function render(p) {
    const { range, step } = grid;
    const lo = p.end - range;
    const result = [];
    for (const [key, pts] of series) {
      for (const t of [...pts.keys()]) if (t < lo) pts.delete(t);
      const values = [...pts.entries()].sort((a, b) => a[0] - b[0]);
      result.push({ metric: JSON.parse(key), values });
    }
    chart.setPrometheus(result, step, [lo * 1000, p.end * 1000]);
    info.dataset.liveUpdates = String(++updates);
    info.textContent = `${result.map((s) => s.values.length).join(', ') || 0} points, step ${step}s, live`;
  }

  function onMessage(m) {
    if (m.type !== 'metrics_update' || !m.payload || m.payload.id !== 'vol') return;
    const p = m.payload;
    if (p.initial) {
      series = new Map();
      grid = { range: p.range ?? sub.span, step: p.step ?? sub.step };
    }
    for (const s of p.result || []) {
      const key = JSON.stringify(s.metric || {});
      let pts = series.get(key);
      if (!pts) { pts = new Map(); series.set(key, pts); }
      for (const [t, v] of s.values || []) pts.set(t, v);
      for (const t of s.removed || []) pts.delete(t);
    }
    render(p);
  }

  return {
    follow(next) {
      if (!next) { if (ws) { ws.close(); ws = null; } sub = null; return; }
      if (!ws) ws = openChannel('metrics', { onMessage, onResync() {} });
      sub = next;
      ws.subscribe('vol', sub.query, `${sub.span}s`, `${sub.step}s`);
    },
    close() { if (ws) ws.close(); ws = null; },
  };
}

/** The PromQL explorer: a query box with autocomplete of metric names, label names and functions. */
function makeExplorer(state, onChange, windowFn) {
  let names = []; let labels = [];
  let abort = new AbortController();
  const input = el('textarea', { id: 'promql', 'aria-label': 'PromQL query', spellcheck: 'false', autocomplete: 'off',
    role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'promql-suggest',
    placeholder: 'PromQL, e.g. rate(strata_http_request_duration_seconds_count[5m])  (Ctrl+Enter runs)' });
  input.value = state.q;
  const list = el('ul', { id: 'promql-suggest', role: 'listbox', hidden: true });
  const graphBtn = el('button', { type: 'button', text: 'Graph', onclick: () => { state.view = 'graph'; onChange(); run(); } });
  const tableBtn = el('button', { type: 'button', text: 'Table', onclick: () => { state.view = 'table'; onChange(); run(); } });
  const runBtn = el('button', { type: 'button', text: 'Run query', 'data-testid': 'run-query', onclick: () => run() });
  const out = el('div', { 'data-testid': 'explorer-result', 'aria-live': 'polite' });
  const canvas = el('canvas', { class: 'chart', role: 'img', 'aria-label': 'Query result chart' });
  const chart = new LineChart(canvas, {});
  let sel = -1; let items = [];

  Promise.all([getJSON('/api/v1/label/__name__/values'), getJSON('/api/v1/labels')]).then(([n, l]) => {
    names = n || []; labels = l || [];
  }).catch(() => {});

  function token() {
    const pos = input.selectionStart;
    const before = input.value.slice(0, pos);
    const m = before.match(/[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    const prefix = m ? m[0] : '';
    const open = before.lastIndexOf('{'); const close = before.lastIndexOf('}');
    const inBraces = open > close;
    return { prefix, start: pos - prefix.length, pos, inBraces };
  }

  function suggest() {
    const t = token();
    if (!t.prefix) { hide(); return; }
    const pool = t.inBraces ? labels : names.concat(FUNCTIONS);
    items = pool.filter((x) => x.startsWith(t.prefix) && x !== t.prefix).slice(0, 20);
    if (items.length === 0) { hide(); return; }
    sel = 0;
    list.replaceChildren(...items.map((x, i) => el('li', { role: 'option', id: `promql-opt-${i}`, 'aria-selected': String(i === sel), text: x,
      onmousedown: (e) => { e.preventDefault(); accept(i); } })));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    input.setAttribute('aria-activedescendant', 'promql-opt-0');
  }

  function hide() { list.hidden = true; items = []; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); }

  function accept(i) {
    const t = token();
    input.value = input.value.slice(0, t.start) + items[i] + input.value.slice(t.pos);
    const p = t.start + items[i].length;
    input.setSelectionRange(p, p);
    hide();
    input.focus();
  }

  input.addEventListener('input', suggest);
  input.addEventListener('blur', () => setTimeout(hide, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); hide(); run(); return; }
    if (list.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      sel = (sel + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === sel)));
      input.setAttribute('aria-activedescendant', `promql-opt-${sel}`);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault(); accept(sel);
    } else if (e.key === 'Escape') { hide(); }
  });

  async function run() {
    const q = input.value.trim();
    state.q = q;
    onChange();
    graphBtn.setAttribute('aria-pressed', String(state.view === 'graph'));
    tableBtn.setAttribute('aria-pressed', String(state.view === 'table'));
    if (!q) { out.replaceChildren(); return; }
    abort.abort(); abort = new AbortController();
    const [start, end, span] = windowFn();
    out.dataset.state = 'loading';
    try {
      if (state.view === 'graph') {
        const g = grid(start, end, 1);
        const step = g.step;
        const d = await queryRange(q, g.start, g.end, step, abort.signal);
        const series = (d.result || []).map((s) => ({ ...s, name: seriesName(s.metric) }));
        perf.chartPoints('explorer', series);
        chart.setPrometheus(series, step, [start * 1000, end * 1000]);
        out.replaceChildren(canvas, legend(series.slice(0, 12).map((s) => s.name)),
          el('div', { class: 'small muted', 'data-testid': 'explorer-series', 'data-count': String(series.length),
            text: `${series.length} series, step ${step}s` }));
      } else {
        const d = await query(q, end, abort.signal);
        out.replaceChildren(resultTable(d));
      }
      out.dataset.state = 'done';
    } catch (e) {
      if (e.name === 'AbortError') return;
      out.dataset.state = 'error';
      out.replaceChildren(el('p', { class: 'error', 'data-testid': 'explorer-error', text: e.message }));
    }
  }

  const node = el('section', { class: 'card explorer' }, el('h3', { text: 'Explorer' }),
    el('div', { class: 'ac' }, input, list),
    el('div', { class: 'row mt8' }, runBtn,
      el('span', { role: 'group', 'aria-label': 'Result view' }, graphBtn, ' ', tableBtn)), out);
  graphBtn.setAttribute('aria-pressed', String(state.view === 'graph'));
  tableBtn.setAttribute('aria-pressed', String(state.view === 'table'));
  return { node, run, destroy() { abort.abort(); chart.destroy(); } };
}

export function seriesName(metric) {
  const { __name__: name, ...rest } = metric || {};
  const inner = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return `${name || ''}{${inner}}`;
}

function resultTable(d) {
  const rows = [];
  if (d.resultType === 'vector') for (const s of d.result) rows.push([seriesName(s.metric), s.value[1]]);
  else if (d.resultType === 'scalar' || d.resultType === 'string') rows.push(['scalar', d.result[1]]);
  else if (d.resultType === 'matrix') for (const s of d.result) rows.push([seriesName(s.metric), s.values.map((v) => `${v[1]} @${v[0]}`).join('\n')]);
  return el('div', { class: 'scroll' }, el('table', { 'data-testid': 'explorer-table', 'data-rows': String(rows.length) },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Series' }), el('th', { scope: 'col', text: 'Value' }))),
    el('tbody', {}, rows.map(([k, v]) => el('tr', {}, el('td', { text: k }), el('td', { class: 'num', text: v }))))));
}
