// Alerts: Prometheus' GET /api/v1/alerts and /api/v1/rules shapes, the
// `alert` messages of /ws/alerts, and (issue #9) /api/v1/alerts/history and
// /api/v1/alert-settings. Endpoints this server does not have are reported as
// not available, never filled in.

import { getJSON } from '../api.js';
import { debounce, el, fmtTime } from '../format.js';
import { perf } from '../perf.js';
import { openChannel } from '../ws.js';

const SEVERITIES = ['critical', 'warning', 'info'];
const RECENT_MAX = 50;
const ACK_KEY = 'strata-acknowledged-alerts';

function alertKey(a) {
  const labels = a.labels || {};
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

function unavailable(what, e) {
  return el('p', { class: 'note', 'data-testid': 'not-available',
    text: e.status === 404 ? `${what} is not available on this server (${e.message}).` : `${what} could not be loaded: ${e.message}` });
}

export function mount(root) {
  const abort = new AbortController();
  const acked = new Set(JSON.parse(localStorage.getItem(ACK_KEY) || '[]'));
  const recent = []; // newest first: {key, name, severity, state, at, summary}
  const counts = el('div', { class: 'grid', 'data-testid': 'alert-counts' });
  const recentBox = el('div', { 'data-testid': 'recent-alerts', 'aria-live': 'polite' });
  const rulesBox = el('div', { class: 'scroll', 'data-testid': 'rules' });
  const settingsBox = el('div', { 'data-testid': 'alert-settings' });
  const msg = el('p', { class: 'muted small', 'aria-live': 'polite' });
  const clearBtn = el('button', { type: 'button', text: 'Clear resolved', onclick: () => {
    for (let i = recent.length - 1; i >= 0; i--) if (recent[i].state !== 'firing' && recent[i].state !== 'pending') recent.splice(i, 1);
    renderRecent();
  } });
  root.append(el('h1', { text: 'Alerts' }), msg, counts,
    el('section', { class: 'card' }, el('h3', {}, el('span', { text: 'Recent alerts (live)' }), clearBtn), recentBox),
    el('section', { class: 'card' }, el('h3', { text: 'Rules and their health' }), rulesBox),
    el('section', { class: 'card' }, el('h3', { text: 'Settings' }), settingsBox));
  let available = true;
  let loadedOnce = false;
  const seenFiring = new Set();

  function saveAcks() { localStorage.setItem(ACK_KEY, JSON.stringify([...acked])); }

  function renderCounts(firing, resolved) {
    const by = { critical: 0, warning: 0, info: 0 };
    for (const a of firing) {
      const s = (a.labels && a.labels.severity) || 'info';
      if (s in by) by[s]++;
    }
    counts.replaceChildren(
      ...SEVERITIES.map((s) => el('div', { class: 'card' }, el('h3', { class: `sev-${s}`, text: s }),
        el('div', { class: 'big', 'data-testid': `count-${s}`, 'data-value': String(by[s]), text: String(by[s]) }))),
      el('div', { class: 'card' }, el('h3', { text: 'resolved' }),
        el('div', { class: 'big', 'data-testid': 'count-resolved', 'data-value': resolved === null ? '' : String(resolved),
          text: resolved === null ? '—' : String(resolved) }),
        resolved === null ? el('div', { class: 'small muted', text: 'alert history not available' }) : null),
    );
  }

  function renderRecent() {
    if (recent.length === 0) { recentBox.replaceChildren(el('p', { class: 'muted', text: 'No alerts.' })); return; }
    recentBox.replaceChildren(el('table', {},
      el('thead', {}, el('tr', {}, ['Time', 'Alert', 'Severity', 'State', 'Summary', ''].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, recent.map((a) => el('tr', { 'data-alert': a.name, 'data-state': a.state },
        el('td', { text: fmtTime(a.at) }), el('td', { text: a.name }),
        el('td', { class: `sev-${a.severity}`, text: a.severity }), el('td', { class: `status-${a.state}`, text: a.state }),
        el('td', { text: a.summary }),
        el('td', {}, acked.has(a.key) ? el('span', { class: 'muted small', text: 'acknowledged' })
          : el('button', { type: 'button', text: 'Acknowledge', onclick: () => { acked.add(a.key); saveAcks(); renderRecent(); } })))))));
  }

  function addRecent(a) {
    const i = recent.findIndex((r) => r.key === a.key);
    if (i >= 0) recent.splice(i, 1);
    recent.unshift(a);
    if (recent.length > RECENT_MAX) recent.pop();
  }

  function fromAPI(a) {
    const labels = a.labels || {};
    return { key: alertKey(a), name: labels.alertname || a.name || '?',
      severity: String(labels.severity || a.severity || 'info').toLowerCase(),
      state: String(a.state || 'firing').toLowerCase(), at: a.activeAt ? Date.parse(a.activeAt) : Date.now(),
      summary: (a.annotations && (a.annotations.summary || a.annotations.description)) || '' };
  }

  function toast(a) {
    if (acked.has(a.key)) return;
    const box = document.getElementById('toasts');
    const t = el('div', { class: 'toast', 'data-testid': 'toast' }, `${a.severity[0].toUpperCase()}${a.severity.slice(1)}: ${a.name}${a.summary ? ` — ${a.summary}` : ''}`,
      el('button', { type: 'button', text: 'Acknowledge', onclick: () => { acked.add(a.key); saveAcks(); t.remove(); renderRecent(); } }));
    box.append(t);
    setTimeout(() => t.remove(), 15_000);
  }

  async function loadAlerts() {
    let resolved = null;
    try {
      const d = await getJSON('/api/v1/alerts', null, abort.signal);
      const list = d.alerts || [];
      for (const a of list.slice().reverse()) {
        const x = fromAPI(a);
        addRecent(x);
        // A critical alert that starts firing after the page opened raises a toast,
        // whether the news came as a WebSocket `alert` or through this reload.
        if (x.state === 'firing' && !seenFiring.has(x.key)) {
          seenFiring.add(x.key);
          if (loadedOnce && x.severity === 'critical') toast(x);
        }
      }
      loadedOnce = true;
      try {
        const end = Date.now() / 1000;
        const h = await getJSON('/api/v1/alerts/history', { start: end - 86400, end }, abort.signal);
        if (h && h.counts && typeof h.counts.resolved === 'number') resolved = h.counts.resolved;
      } catch (e) { if (e.name === 'AbortError') throw e; }
      renderCounts(list.filter((a) => a.state === 'firing'), resolved);
      renderRecent();
    } catch (e) {
      if (e.name === 'AbortError') return;
      available = false;
      counts.replaceChildren(unavailable('Alerting (GET /api/v1/alerts)', e));
      recentBox.replaceChildren(el('p', { class: 'muted', text: 'No alert feed without the alerting API.' }));
    }
  }

  async function loadRules() {
    try {
      const d = await getJSON('/api/v1/rules', null, abort.signal);
      const rows = [];
      for (const g of d.groups || []) for (const r of g.rules || []) rows.push([g.name, r.name, r.type || '', r.health || '', r.state || '', r.lastError || '', r.query || '']);
      rulesBox.replaceChildren(rows.length === 0 ? el('p', { class: 'muted', text: 'No rules.' }) : el('table', {},
        el('thead', {}, el('tr', {}, ['Group', 'Rule', 'Type', 'Health', 'State', 'Last error', 'Expression'].map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { class: i === 3 ? `status-${c === 'ok' ? 'healthy' : c === 'err' ? 'down' : 'unknown'}` : '', text: c })))))));
    } catch (e) {
      if (e.name !== 'AbortError') rulesBox.replaceChildren(unavailable('Rules (GET /api/v1/rules)', e));
    }
  }

  async function loadSettings() {
    try {
      const s = await getJSON('/api/v1/alert-settings', null, abort.signal);
      const area = el('textarea', { 'aria-label': 'Alert settings (JSON)', rows: '12', class: 'mono-area' });
      area.value = JSON.stringify(s, null, 2);
      const out = el('span', { class: 'small', 'aria-live': 'polite' });
      const save = el('button', { type: 'button', text: 'Save settings', onclick: async () => {
        let body;
        try { body = JSON.parse(area.value); } catch (e) { out.textContent = `Not JSON: ${e.message}`; return; }
        const res = await fetch('/api/v1/alert-settings', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        const j = await res.json().catch(() => ({}));
        out.textContent = res.ok ? 'Saved.' : `Refused: ${j.error || res.status}`;
        out.className = res.ok ? 'small' : 'small error';
      } });
      settingsBox.replaceChildren(area, el('div', { class: 'row' }, save, out));
    } catch (e) {
      if (e.name !== 'AbortError') settingsBox.replaceChildren(unavailable('Alert settings (GET /api/v1/alert-settings)', e));
    }
  }

  const reload = debounce(() => { loadAlerts(); loadRules(); }, 300);
  const ws = openChannel('alerts', {
    onMessage(m) {
      if (m.type !== 'alert') return;
      const p = m.payload || {};
      const a = fromAPI({ ...p, labels: p.labels || { alertname: p.name, severity: p.severity }, activeAt: p.activeAt || p.time });
      if (!p.activeAt && !p.time) a.at = Date.now();
      addRecent(a);
      renderRecent();
      // The server says which severities raise a toast (`toast`, from the alert
      // settings of issue #9); without that field, critical ones do.
      const wantsToast = typeof p.toast === 'boolean' ? p.toast : a.severity === 'critical';
      if (a.state === 'firing' && !seenFiring.has(a.key)) {
        seenFiring.add(a.key);
        if (wantsToast) toast(a);
      }
      if (available) reload();
    },
    onResync: () => reload(),
  });

  Promise.all([loadAlerts(), loadRules(), loadSettings()]).then(() => {
    if (abort.signal.aborted) return;
    root.dataset.loaded = 'true';
    perf.dataShown('alerts');
  });
  return { unmount() { abort.abort(); ws.close(); } };
}
