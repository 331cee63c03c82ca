// A small canvas line chart. Long series are decimated to min/max per pixel
// column: every column draws one vertical segment from the smallest to the
// largest value that falls into it, joined to its neighbours, so spikes
// survive however many points there are and the cost is O(points + width).
// Lines are 1 px on half-pixel coordinates: wider lines are 3-10x slower in
// software rendering (measured, shared/RECIPES.md).

import { fmtNumber } from './format.js';

const PALETTE = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];

export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{axes?: boolean, yFormat?: (v:number)=>string, minY?: number}} options
   */
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.axes = options.axes !== false;
    this.yFormat = options.yFormat || fmtNumber;
    this.minY = options.minY;
    this.series = []; // [{name, t: Float64Array (ms), v: Float64Array, color}]
    this.step = 0;
    this.range = null; // [startMs, endMs] fixed x-range, else from data
    this.pending = false;
    this.lastDrawMs = 0;
    this.observer = new ResizeObserver(() => this.invalidate());
    this.observer.observe(canvas);
    this.onTheme = () => this.invalidate();
    window.addEventListener('strata-theme', this.onTheme);
  }

  /** series: [{name, values: [[t (s), "v"], …]}] as the query API returns them. */
  setPrometheus(result, step, range) {
    this.step = step * 1000;
    this.range = range || null;
    this.series = result.map((s, i) => {
      const n = s.values.length;
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      for (let j = 0; j < n; j++) { t[j] = s.values[j][0] * 1000; v[j] = parseFloat(s.values[j][1]); }
      return { name: s.name || '', t, v, color: i };
    });
    this.invalidate();
  }

  /** Plain arrays of (ms, value) for one series, e.g. a sparkline fed by live updates. */
  setSeries(list, step = 0, range = null) {
    this.step = step;
    this.range = range;
    this.series = list.map((s, i) => ({ name: s.name || '', t: Float64Array.from(s.t), v: Float64Array.from(s.v), color: i }));
    this.invalidate();
  }

  invalidate() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  }

  destroy() { this.observer.disconnect(); window.removeEventListener('strata-theme', this.onTheme); }

  draw() {
    const t0 = performance.now();
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssW = c.clientWidth; const cssH = c.clientHeight;
    if (cssW === 0 || cssH === 0) return;
    if (c.width !== Math.round(cssW * dpr) || c.height !== Math.round(cssH * dpr)) {
      c.width = Math.round(cssW * dpr); c.height = Math.round(cssH * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    const style = getComputedStyle(c);
    const padL = this.axes ? 56 : 1; const padR = 4; const padT = 6; const padB = this.axes ? 18 : 2;
    const w = Math.max(1, Math.floor(cssW - padL - padR)); const h = Math.max(1, cssH - padT - padB);

    let x0 = Infinity; let x1 = -Infinity; let y0 = Infinity; let y1 = -Infinity;
    for (const s of this.series) {
      for (let i = 0; i < s.t.length; i++) {
        const v = s.v[i];
        if (!Number.isFinite(v)) continue;
        if (s.t[i] < x0) x0 = s.t[i];
        if (s.t[i] > x1) x1 = s.t[i];
        if (v < y0) y0 = v;
        if (v > y1) y1 = v;
      }
    }
    if (this.range) { x0 = this.range[0]; x1 = this.range[1]; }
    const font = `11px system-ui, sans-serif`;
    const muted = style.getPropertyValue('--muted').trim() || '#666';
    if (!(y0 <= y1) || !(x0 <= x1)) {
      if (this.axes) { ctx.fillStyle = muted; ctx.font = font; ctx.fillText('no data', padL + 8, padT + 14); }
      return;
    }
    if (this.minY !== undefined) y0 = Math.min(y0, this.minY);
    if (y0 === y1) { y0 -= Math.abs(y0) * 0.1 || 1; y1 += Math.abs(y1) * 0.1 || 1; }
    if (x0 === x1) { x0 -= 1000; x1 += 1000; }
    const xs = w / (x1 - x0); const ys = h / (y1 - y0);

    if (this.axes) {
      ctx.strokeStyle = style.getPropertyValue('--chart-grid').trim() || '#ddd';
      ctx.fillStyle = muted; ctx.font = font; ctx.lineWidth = 1;
      ctx.beginPath();
      for (let k = 0; k <= 3; k++) {
        const y = Math.round(padT + h - (k / 3) * h) + 0.5;
        ctx.moveTo(padL, y); ctx.lineTo(padL + w, y);
        ctx.fillText(this.yFormat(y0 + (k / 3) * (y1 - y0)), 2, y + 4);
      }
      ctx.stroke();
      for (const [frac, align] of [[0, 'left'], [0.5, 'center'], [1, 'right']]) {
        ctx.textAlign = align;
        ctx.fillText(timeLabel(x0 + frac * (x1 - x0), x1 - x0), padL + frac * w, cssH - 4);
      }
      ctx.textAlign = 'left';
    }

    const gap = this.step > 0 ? this.step * 1.5 : Infinity;
    const mins = new Float64Array(w + 1); const maxs = new Float64Array(w + 1);
    for (const s of this.series) {
      ctx.strokeStyle = style.getPropertyValue(PALETTE[s.color % PALETTE.length]).trim() || '#06c';
      ctx.lineWidth = 1;
      ctx.beginPath();
      // Decimate: one column per CSS pixel, min and max of the values in it.
      let col = -1; let prevT = -Infinity; let open = false;
      const flush = () => {
        if (col < 0) return;
        const x = padL + col + 0.5;
        const yTop = padT + h - (maxs[col] - y0) * ys; const yBot = padT + h - (mins[col] - y0) * ys;
        // A segment's first column also gets a 1-px tick so an isolated point stays visible.
        if (!open) { ctx.moveTo(x - 0.5, yBot); ctx.lineTo(x + 0.5, yBot); open = true; } else ctx.lineTo(x, yBot);
        if (yTop !== yBot) ctx.lineTo(x, yTop);
      };
      for (let i = 0; i < s.t.length; i++) {
        const v = s.v[i]; const t = s.t[i];
        if (!Number.isFinite(v) || t < x0 || t > x1) continue;
        if (t - prevT > gap) { flush(); col = -1; open = false; }
        prevT = t;
        const cx = Math.min(w, Math.max(0, Math.floor((t - x0) * xs)));
        if (cx !== col) { flush(); col = cx; mins[cx] = v; maxs[cx] = v; } else {
          if (v < mins[cx]) mins[cx] = v;
          if (v > maxs[cx]) maxs[cx] = v;
        }
      }
      flush();
      ctx.stroke();
    }
    this.lastDrawMs = performance.now() - t0;
  }
}

function timeLabel(ms, span) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  if (span > 2 * 86_400_000) return `${d.getMonth() + 1}/${d.getDate()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A legend below a chart (colours match the series order). */
export function legend(names) {
  const box = document.createElement('div');
  box.className = 'legend';
  names.forEach((n, i) => {
    const item = document.createElement('span');
    const sw = document.createElement('i');
    sw.style.background = `var(${PALETTE[i % PALETTE.length]})`;
    item.append(sw, document.createTextNode(n));
    box.append(item);
  });
  return box;
}
