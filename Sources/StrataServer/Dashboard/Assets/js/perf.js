// In-browser measurements (issue #11 item 5), read by the browser tests from
// `window.__strataPerf`: navigation start → data shown per page, and
// WebSocket message → DOM updated (synchronously, and at the next frame).

const RING = 4096;

export const perf = {
  loads: {},
  wsToDom: [],
  wsToFrame: [],
  points: {},

  /** Called once a page shows its first data (navigation start = 0 of performance.now()). */
  dataShown(page) {
    if (!(page in this.loads)) this.loads[page] = performance.now();
    performance.mark(`strata:data-shown:${page}`);
  },

  wsApplied(recvAt) {
    const now = performance.now();
    push(this.wsToDom, now - recvAt);
    requestAnimationFrame(() => push(this.wsToFrame, performance.now() - recvAt));
  },

  /** Points per series of the last fetch of a chart (30-day charts must stay near 2,000). */
  chartPoints(name, series) {
    this.points[name] = series.map((s) => s.values.length);
  },
};

function push(arr, v) {
  arr.push(v);
  if (arr.length > RING) arr.shift();
}

window.__strataPerf = perf;
