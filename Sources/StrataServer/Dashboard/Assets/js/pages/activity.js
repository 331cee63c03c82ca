// User Activity: GET /api/v1/activity/summary (docs/events.md, "Activity"),
// refreshed when /ws/activity announces new beacons.

import { getJSON } from '../api.js';
import { LineChart } from '../chart.js';
import { setParams } from '../app.js';
import { debounce, el, fmtNumber, fmtSeconds } from '../format.js';
import { perf } from '../perf.js';
import { openChannel } from '../ws.js';

const PERIODS = ['1h', '24h', '7d', '30d'];

export function mount(root, params) {
  let period = PERIODS.includes(params.get('period')) ? params.get('period') : '24h';
  let abort = new AbortController();
  const buttons = {};
  const row = el('div', { class: 'row', role: 'group', 'aria-label': 'Period' });
  for (const p of PERIODS) {
    buttons[p] = el('button', { type: 'button', text: p, 'data-period': p, onclick: () => { period = p; sync(); load(); } });
    row.append(buttons[p]);
  }
  const msg = el('p', { class: 'muted small', 'aria-live': 'polite' });
  const cards = el('div', { class: 'grid' });
  const canvas = el('canvas', { class: 'chart', role: 'img', 'aria-label': 'Active users over time' });
  const chart = new LineChart(canvas, { minY: 0, yFormat: (v) => fmtNumber(v) });
  const pages = el('div', { class: 'scroll' });
  const actions = el('div', { class: 'scroll' });
  root.append(el('h1', { text: 'User Activity' }), row, msg, cards,
    el('section', { class: 'card' }, el('h3', { text: 'Activity timeline (active users per bucket)' }), canvas),
    el('div', { class: 'grid grid2' },
      el('section', { class: 'card' }, el('h3', { text: 'Most active pages' }), pages),
      el('section', { class: 'card' }, el('h3', { text: 'Top user actions' }), actions)));

  function sync() {
    for (const [p, b] of Object.entries(buttons)) b.setAttribute('aria-pressed', String(p === period));
    setParams(new URLSearchParams({ period }));
  }

  function card(id, label, text, value, extra) {
    return el('div', { class: 'card' }, el('h3', { text: label }),
      el('div', { class: 'big', 'data-testid': id, 'data-value': String(value), text }), extra || null);
  }

  async function load() {
    abort.abort(); abort = new AbortController();
    try {
      const s = await getJSON('/api/v1/activity/summary', { period }, abort.signal);
      root.dataset.time = String(s.end);
      cards.replaceChildren(
        card('active-users', `Active users (${s.period})`, fmtNumber(s.active_users.count), s.active_users.count,
          s.active_users.exact ? null : el('div', { class: 'small muted', text: 'estimate (HyperLogLog)' })),
        card('sessions-today', 'Sessions today (UTC)', fmtNumber(s.sessions_today), s.sessions_today),
        card('sessions', `Sessions (${s.period})`, fmtNumber(s.sessions), s.sessions),
        card('avg-session', 'Average session duration', fmtSeconds(s.average_session_duration_seconds), s.average_session_duration_seconds),
      );
      const pts = s.timeline.points;
      const bucket = s.timeline.bucket_seconds * 1000;
      chart.setSeries([{ t: pts.map((p) => p.timestamp), v: pts.map((p) => p.active_users) }], bucket, [s.start, s.end]);
      pages.replaceChildren(table(['Page', 'Title', 'Visits'], s.top_pages.map((p) => [p.path, p.title, p.visits]), 'top-pages'));
      actions.replaceChildren(table(['Action', 'Label', 'Count'], s.top_actions.map((a) => [a.type, a.label, a.count]), 'top-actions'));
      msg.textContent = s.sessions === 0 && pts.every((p) => p.active_users === 0) ? 'No activity recorded in this period.' : '';
      root.dataset.loaded = 'true';
      root.dataset.loadedPeriod = period;
      perf.dataShown('activity');
    } catch (e) {
      if (e.name !== 'AbortError') msg.textContent = `Could not load the activity summary: ${e.message}`;
    }
  }

  const refresh = debounce(load, 500);
  const ws = openChannel('activity', { onMessage: () => refresh(), onResync: () => refresh() });
  sync();
  load();
  return {
    update(p) {
      const next = PERIODS.includes(p.get('period')) ? p.get('period') : period;
      if (next !== period) { period = next; sync(); load(); }
    },
    unmount() { abort.abort(); ws.close(); chart.destroy(); },
  };
}

function table(headers, rows, testid) {
  if (rows.length === 0) return el('p', { class: 'muted', text: 'None in this period.' });
  return el('table', { 'data-testid': testid },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { class: i === r.length - 1 ? 'num' : '', text: String(c) }))))));
}
