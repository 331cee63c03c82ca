// Audit Log: GET /api/v1/audit/events with filters, debounced free-text
// search, cursor pagination, a detail drawer (GET /api/v1/audit/events/{id})
// and export (GET /api/v1/audit/export). New events arrive on /ws/audit.

import { getJSON, toQuery } from '../api.js';
import { setParams } from '../app.js';
import { debounce, el, fmtTime } from '../format.js';
import { perf } from '../perf.js';
import { openChannel } from '../ws.js';

const TYPES = ['authentication', 'data_modification', 'security', 'business'];
const SEVERITIES = ['info', 'warning', 'error', 'critical'];
const RANGES = { last_1h: 'Last hour', last_24h: 'Last 24 h', last_7d: 'Last 7 days', last_30d: 'Last 30 days', custom: 'Custom' };
const PAGE_SIZE = 50;
const SEARCH_DEBOUNCE_MS = 300;

export function mount(root, params) {
  const f = { range: 'last_24h', start: '', end: '', type: '', severity: '', user: '', q: '' };
  let abort = new AbortController();
  let cursors = [null]; // cursor of each page seen; the last is the current page's
  let next = null;
  let newEvents = 0;
  let lastFocus = null;

  const rangeSel = select('Date range', Object.entries(RANGES), 'range');
  const startIn = el('input', { type: 'datetime-local', 'aria-label': 'From', 'data-filter': 'start' });
  const endIn = el('input', { type: 'datetime-local', 'aria-label': 'To', 'data-filter': 'end' });
  const typeSel = select('Event type', [['', 'All types'], ...TYPES.map((t) => [t, t])], 'type');
  const sevSel = select('Severity', [['', 'All severities'], ...SEVERITIES.map((s) => [s, s])], 'severity');
  const userIn = el('input', { type: 'text', placeholder: 'User', 'aria-label': 'User', 'data-filter': 'user' });
  const searchIn = el('input', { type: 'search', placeholder: 'Search text…', 'aria-label': 'Search', 'data-filter': 'q' });
  const exportCsv = el('a', { href: '#', 'data-testid': 'export-csv', text: 'Export CSV' });
  const exportJsonl = el('a', { href: '#', text: 'Export JSON lines' });
  const msg = el('p', { class: 'muted small', 'aria-live': 'polite' });
  const total = el('span', { 'data-testid': 'audit-total' });
  const banner = el('div', { class: 'row', hidden: true });
  const tableBox = el('div', { class: 'scroll' });
  const prevBtn = el('button', { type: 'button', text: '← Newer', onclick: () => { if (cursors.length > 1) { cursors.pop(); load(); } } });
  const nextBtn = el('button', { type: 'button', text: 'Older →', 'data-testid': 'next-page', onclick: () => { if (next) { cursors.push(next); load(); } } });
  const pageInfo = el('span', { class: 'small muted' });
  root.append(el('h1', { text: 'Audit Log' }),
    el('div', { class: 'row', role: 'search' }, rangeSel, startIn, endIn, typeSel, sevSel, userIn, searchIn),
    el('div', { class: 'row' }, el('span', {}, total, ' matching events'), exportCsv, exportJsonl), banner, msg, tableBox,
    el('div', { class: 'row' }, prevBtn, pageInfo, nextBtn));

  function select(label, options, key) {
    return el('select', { 'aria-label': label, 'data-filter': key },
      options.map(([v, t]) => el('option', { value: v, text: t })));
  }

  function readParams(p) {
    for (const k of Object.keys(f)) f[k] = p.get(k) || (k === 'range' ? 'last_24h' : '');
    if (!RANGES[f.range]) f.range = 'last_24h';
    rangeSel.value = f.range; typeSel.value = f.type; sevSel.value = f.severity;
    userIn.value = f.user; searchIn.value = f.q;
    startIn.hidden = endIn.hidden = f.range !== 'custom';
  }

  function apiParams() {
    const p = { type: f.type, severity: f.severity, user: f.user, q: f.q };
    if (f.range === 'custom') {
      if (f.start) p.start = new Date(f.start).toISOString();
      if (f.end) p.end = new Date(f.end).toISOString();
    } else p.range = f.range;
    return p;
  }

  function changed() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v && !(k === 'range' && v === 'last_24h')) p.set(k, v);
    setParams(p);
    startIn.hidden = endIn.hidden = f.range !== 'custom';
    cursors = [null];
    load();
  }

  for (const input of [rangeSel, typeSel, sevSel, startIn, endIn]) {
    input.addEventListener('change', () => { f[input.dataset.filter] = input.value; changed(); });
  }
  const debounced = debounce(() => changed(), SEARCH_DEBOUNCE_MS);
  for (const input of [userIn, searchIn]) {
    input.addEventListener('input', () => { f[input.dataset.filter] = input.value; debounced(); });
  }

  async function load() {
    abort.abort(); abort = new AbortController();
    const q = { ...apiParams(), limit: PAGE_SIZE };
    const cursor = cursors[cursors.length - 1];
    if (cursor) q.cursor = cursor;
    const exportQ = toQuery(apiParams());
    exportCsv.href = `/api/v1/audit/export?format=csv&${exportQ}`;
    exportJsonl.href = `/api/v1/audit/export?format=jsonl&${exportQ}`;
    tableBox.dataset.state = 'loading';
    try {
      const d = await getJSON('/api/v1/audit/events', q, abort.signal);
      next = d.next_cursor;
      total.textContent = String(d.total);
      total.dataset.value = String(d.total);
      render(d.events);
      pageInfo.textContent = `page ${cursors.length}`;
      prevBtn.disabled = cursors.length <= 1;
      nextBtn.disabled = !next;
      msg.textContent = '';
      if (cursors.length === 1) { newEvents = 0; banner.hidden = true; }
      tableBox.dataset.state = 'done';
      tableBox.dataset.query = toQuery(q);
      root.dataset.loaded = 'true';
      perf.dataShown('audit');
    } catch (e) {
      if (e.name === 'AbortError') return;
      tableBox.dataset.state = 'error';
      msg.textContent = `Search failed: ${e.message}`;
      msg.className = 'error small';
    }
  }

  function render(events) {
    if (events.length === 0) { tableBox.replaceChildren(el('p', { class: 'muted', 'data-testid': 'audit-empty', text: 'No events match.' })); return; }
    tableBox.replaceChildren(el('table', { 'data-testid': 'audit-table' },
      el('thead', {}, el('tr', {}, ['Timestamp', 'Event', 'User', 'Severity', 'Details', ''].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, events.map((e) => el('tr', { 'data-id': String(e.id), 'data-type': e.type, 'data-severity': e.severity, 'data-user': e.user },
        el('td', { text: e.time }), el('td', {}, el('strong', { text: e.type }), ' ', e.action),
        el('td', { text: e.user }), el('td', { class: `sev-${e.severity}`, text: e.severity }),
        el('td', { text: e.description }),
        el('td', {}, el('button', { type: 'button', text: 'View', 'aria-label': `View event ${e.id}`, onclick: (ev) => open(e.id, ev.currentTarget) })))))));
  }

  async function open(id, from) {
    lastFocus = from;
    const closeBtn = el('button', { type: 'button', text: 'Close', onclick: close });
    const body = el('div', { text: 'Loading…' });
    const drawer = el('aside', { class: 'drawer', role: 'dialog', 'aria-modal': 'true', 'aria-label': `Audit event ${id}`, 'data-testid': 'drawer' },
      el('div', { class: 'row' }, el('h2', { text: `Event ${id}`, class: 'grow' }), closeBtn), body);
    drawer.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
      if (e.key === 'Tab') { e.preventDefault(); closeBtn.focus(); }
    });
    document.querySelectorAll('.drawer').forEach((d) => d.remove());
    document.body.append(drawer);
    closeBtn.focus();
    try {
      const e = await getJSON(`/api/v1/audit/events/${id}`);
      const rows = [['Time', e.time], ['Type', e.type], ['Severity', e.severity], ['User', e.user], ['Source', e.source],
        ['Action', e.action], ['Description', e.description], ['Previous hash', e.prev_hash || '—'], ['Hash', e.hash || '—']];
      body.replaceChildren(el('table', {}, el('tbody', {}, rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row', text: k }), el('td', { text: v }))))),
        el('h3', { text: 'Attributes' }), el('pre', { text: JSON.stringify(e.attributes, null, 2) }));
    } catch (err) { body.textContent = `Could not load event ${id}: ${err.message}`; }
  }

  function close() {
    document.querySelectorAll('.drawer').forEach((d) => d.remove());
    if (lastFocus) lastFocus.focus();
  }

  const ws = openChannel('audit', {
    onMessage(m) {
      if (m.type !== 'audit_event') return;
      newEvents++;
      banner.hidden = false;
      banner.replaceChildren(el('button', { type: 'button', 'data-testid': 'new-events', text: `${newEvents} new event${newEvents === 1 ? '' : 's'} — show`,
        onclick: () => { cursors = [null]; load(); } }));
    },
    onResync() {},
  });

  readParams(params);
  load();
  return {
    update(p) { readParams(p); cursors = [null]; load(); },
    unmount() { abort.abort(); ws.close(); close(); },
  };
}
