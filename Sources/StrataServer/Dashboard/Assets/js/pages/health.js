// System Health: targets from GET /api/v1/health, kept live by `health_update`
// on /ws/health; the Strata host's own metrics from the TSDB (self-monitoring).

import { getJSON, query, queryRange, firstSample } from '../api.js';
import { LineChart } from '../chart.js';
import { el, fmtBytes, fmtNumber, fmtPercent, fmtSeconds, fmtTime } from '../format.js';
import { perf } from '../perf.js';
import { openChannel } from '../ws.js';

const SEVERITY = { healthy: 0, unknown: 1, degraded: 2, down: 3 };
const SPARK_POINTS = 240;

/** Host metrics recorded by the health monitor (docs/realtime.md, "Self-scrape and host metrics"). */
const HOST = [
  { id: 'cpu', label: 'CPU busy', fmt: fmtPercent,
    q: '100 * (1 - sum(rate(strata_host_cpu_seconds_total{mode="idle"}[1m])) / sum(rate(strata_host_cpu_seconds_total[1m])))' },
  { id: 'mem', label: 'Memory used', fmt: fmtPercent,
    q: '100 * (1 - sum(strata_host_memory_available_bytes) / sum(strata_host_memory_total_bytes))' },
  { id: 'load1', label: 'Load (1 min)', fmt: fmtNumber, q: 'max(strata_host_load1)' },
  { id: 'disk', label: 'Disk available (data dir)', fmt: fmtBytes, q: 'min(strata_host_disk_available_bytes)' },
  { id: 'rss', label: 'Strata resident memory', fmt: fmtBytes, q: 'max(process_resident_memory_bytes{job="strata"})' },
  { id: 'fds', label: 'Strata open files', fmt: fmtNumber, q: 'max(process_open_fds{job="strata"})' },
];

export function mount(root) {
  const targets = new Map(); // id -> {data, card, chart, t:[], v:[]}
  const summary = el('div', { class: 'row', 'data-testid': 'health-summary' });
  const grid = el('div', { class: 'grid', 'data-testid': 'targets' });
  const hostGrid = el('div', { class: 'grid', 'data-testid': 'host' });
  const status = el('p', { class: 'muted small', 'aria-live': 'polite' });
  root.append(el('h1', { text: 'System Health' }), summary, status,
    el('h2', { text: 'Monitored servers' }), grid,
    el('h2', { text: 'Strata host' }), hostGrid);
  const hostCards = {};
  for (const h of HOST) {
    const v = el('div', { class: 'big', 'data-testid': `host-${h.id}`, text: '—' });
    hostCards[h.id] = v;
    hostGrid.append(el('div', { class: 'card' }, el('h3', { text: h.label }), v));
  }
  const abort = new AbortController();
  let closed = false;
  let hostTimer = 0;

  function renderSummary() {
    const counts = { healthy: 0, degraded: 0, down: 0, unknown: 0 };
    let worst = targets.size === 0 ? 'unknown' : 'healthy';
    for (const t of targets.values()) {
      counts[t.data.status] = (counts[t.data.status] || 0) + 1;
      if (SEVERITY[t.data.status] > SEVERITY[worst]) worst = t.data.status;
    }
    summary.replaceChildren(
      el('span', {}, 'Overall: ', el('span', { class: `status status-${worst}`, 'data-testid': 'health-overall', text: worst })),
      ...Object.entries(counts).map(([k, n]) => el('span', { class: 'card small' }, `${k}: `,
        el('strong', { 'data-testid': `health-count-${k}`, text: String(n) }))),
    );
  }

  function upsert(t) {
    let entry = targets.get(t.id);
    if (!entry) {
      const canvas = el('canvas', { class: 'spark', role: 'img', 'aria-label': `Response time of ${t.name}` });
      const card = el('article', { class: 'card', 'data-target-id': t.id, tabindex: '0' });
      entry = { data: t, card, canvas, chart: null, t: [], v: [] };
      targets.set(t.id, entry);
      grid.append(card);
      loadSpark(entry);
    }
    entry.data = t;
    const c = entry.card;
    c.replaceChildren(
      el('h3', {}, el('span', { text: t.name }), el('span', { class: `status status-${t.status}`, 'data-testid': 'status', text: t.status })),
      el('div', { class: 'small muted', text: `${t.kind} · ${t.url}` }),
      el('div', {}, 'Response time: ', el('strong', { 'data-testid': 'response', text: fmtSeconds(t.lastResponseTimeSeconds) })),
      el('div', {}, 'Uptime (24 h): ', el('strong', { 'data-testid': 'uptime', text: t.uptime24h === null ? '—' : fmtPercent(t.uptime24h) })),
      el('div', { class: 'small' }, 'Last check: ', fmtTime(t.lastCheck ? Date.parse(t.lastCheck) : null)),
      el('div', { class: 'small error', 'data-testid': 'last-error', text: t.lastError ? `Last error: ${t.lastError}` : '' }),
      entry.canvas,
    );
    if (t.lastCheck && t.lastResponseTimeSeconds !== null) {
      const ts = Date.parse(t.lastCheck);
      if (entry.t.length === 0 || ts > entry.t[entry.t.length - 1]) {
        entry.t.push(ts); entry.v.push(t.lastResponseTimeSeconds);
        if (entry.t.length > SPARK_POINTS) { entry.t.shift(); entry.v.shift(); }
      }
    }
    if (!entry.chart) entry.chart = new LineChart(entry.canvas, { axes: false, minY: 0 });
    entry.chart.setSeries([{ t: entry.t, v: entry.v }]);
  }

  /** The sparkline's history: the duration series each check writes (docs/realtime.md, "Kinds"). */
  async function loadSpark(entry) {
    const t = entry.data;
    const metric = t.kind === 'http' ? 'probe_duration_seconds' : 'scrape_duration_seconds';
    const sel = `${metric}{job=${JSON.stringify(t.labels.job || '')},instance=${JSON.stringify(t.labels.instance || '')}}`;
    const end = Date.now() / 1000;
    try {
      const d = await queryRange(sel, end - 3600, end, 15, abort.signal);
      if (closed || d.result.length === 0) return;
      const hist = d.result[0].values;
      const t0 = entry.t.length ? entry.t[0] : Infinity;
      const older = hist.filter((p) => p[0] * 1000 < t0);
      entry.t = older.map((p) => p[0] * 1000).concat(entry.t).slice(-SPARK_POINTS);
      entry.v = older.map((p) => parseFloat(p[1])).concat(entry.v).slice(-SPARK_POINTS);
      entry.chart.setSeries([{ t: entry.t, v: entry.v }]);
    } catch (e) { if (e.name !== 'AbortError') status.textContent = `sparkline: ${e.message}`; }
  }

  function remove(id) {
    const e = targets.get(id);
    if (!e) return;
    e.chart && e.chart.destroy();
    e.card.remove();
    targets.delete(id);
  }

  function apply(payload) {
    if (payload.snapshot) {
      const keep = new Set(payload.targets.map((t) => t.id));
      for (const id of [...targets.keys()]) if (!keep.has(id)) remove(id);
    }
    for (const id of payload.removed || []) remove(id);
    for (const t of payload.targets || []) upsert(t);
    renderSummary();
  }

  async function loadHTTP() {
    try {
      const h = await getJSON('/api/v1/health', null, abort.signal);
      if (closed) return;
      apply({ snapshot: true, targets: h.targets });
      root.dataset.loaded = 'true';
      perf.dataShown('health');
    } catch (e) {
      if (e.name !== 'AbortError') status.textContent = `Could not load /api/v1/health: ${e.message}`;
    }
  }

  async function loadHost() {
    const time = Date.now() / 1000;
    await Promise.all(HOST.map(async (h) => {
      try {
        const d = await query(h.q, time, abort.signal);
        const s = firstSample(d);
        const node = hostCards[h.id];
        node.dataset.query = h.q;
        node.dataset.time = String(time);
        node.dataset.value = s ? s[1] : '';
        node.textContent = s ? h.fmt(parseFloat(s[1])) : 'no data yet';
      } catch (e) {
        if (e.name !== 'AbortError') hostCards[h.id].textContent = `error: ${e.message}`;
      }
    }));
    if (!closed) hostGrid.dataset.loaded = 'true';
  }

  const ws = openChannel('health', {
    onMessage(msg) { if (msg.type === 'health_update') apply(msg.payload); },
    onResync() { loadHTTP(); },
  });
  loadHTTP();
  loadHost();
  // The host series are written every 15 s by default; refresh at that pace.
  hostTimer = setInterval(loadHost, 15_000);

  return {
    unmount() {
      closed = true;
      abort.abort();
      clearInterval(hostTimer);
      ws.close();
      for (const id of [...targets.keys()]) remove(id);
    },
  };
}
