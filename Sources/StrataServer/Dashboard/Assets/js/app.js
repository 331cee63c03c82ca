// The dashboard shell: hash routing (`#/metrics?range=1h`), page lifecycle,
// theme. Each page module exports `mount(root, params) -> {unmount()}`.

import './perf.js';

const PAGES = {
  health: () => import('./pages/health.js'),
  metrics: () => import('./pages/metrics.js'),
  activity: () => import('./pages/activity.js'),
  alerts: () => import('./pages/alerts.js'),
  audit: () => import('./pages/audit.js'),
};

let current = null;
let generation = 0;

export function parseRoute(hash) {
  const h = (hash || '').replace(/^#\/?/, '');
  const [name, qs] = h.split('?');
  return { page: PAGES[name] ? name : 'health', params: new URLSearchParams(qs || '') };
}

/** Replaces the URL's parameters without reloading the page (deep links follow the UI state). */
export function setParams(params) {
  const { page } = parseRoute(location.hash);
  const qs = params.toString();
  history.replaceState(null, '', `#/${page}${qs ? `?${qs}` : ''}`);
}

async function route() {
  const { page, params } = parseRoute(location.hash);
  if (current && current.page === page) {
    if (current.instance.update) { current.instance.update(params); return; }
  }
  const gen = ++generation;
  if (current) { current.instance.unmount(); current = null; }
  const main = document.getElementById('main');
  main.replaceChildren();
  for (const k of Object.keys(main.dataset)) delete main.dataset[k];
  document.querySelectorAll('nav a').forEach((a) => {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  const mod = await PAGES[page]();
  if (gen !== generation) return;
  main.dataset.page = page;
  const instance = mod.mount(main, params);
  current = { page, instance };
}

function initTheme() {
  const saved = localStorage.getItem('strata-theme');
  const dark = saved ? saved === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  document.getElementById('theme').addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    localStorage.setItem('strata-theme', next);
  });
  // Charts read their colours from CSS variables when drawing: redraw on any theme change.
  new MutationObserver(() => window.dispatchEvent(new Event('strata-theme')))
    .observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
}

// `/ui/<page>` links (answered by the server with this page) become hash routes.
const m = location.pathname.match(/^\/ui\/([a-z]+)/);
if (m && !location.hash) history.replaceState(null, '', `/#/${m[1]}${location.search}`);

initTheme();
window.addEventListener('hashchange', route);
route();
