// WebSocket client for Strata's realtime channels (docs/realtime.md):
// reconnects with exponential backoff and jitter, resumes by sequence number
// (`?since=<seq>&epoch=<id>`), re-sends its subscriptions after a reconnect,
// and reports its state to the connection badge.

import { perf } from './perf.js';

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
// The server closes connections idle for 5 min (realtime.idle_timeout); browsers
// cannot send ping frames, so an application ping keeps us alive.
const APP_PING_MS = 60_000;

/** Backoff for attempt n (0-based): "equal jitter", half fixed and half random,
 *  so clients that lost the same server do not all come back at once. */
export function backoffDelay(attempt, random = Math.random) {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  return cap / 2 + random() * (cap / 2);
}

export class RealtimeClient {
  /**
   * @param {string} channel health | metrics | alerts | audit | activity
   * @param {{onMessage?: Function, onResync?: Function, onState?: Function}} handlers
   */
  constructor(channel, handlers = {}) {
    this.channel = channel;
    this.handlers = handlers;
    this.state = 'disconnected';
    this.lastSeq = 0;
    this.epoch = null;
    this.attempt = 0;
    this.subscriptions = new Map(); // id -> payload of `subscribe`
    this.socket = null;
    this.closed = true;
    this.retryTimer = 0;
    this.pingTimer = 0;
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    let u = `${proto}://${location.host}/ws/${this.channel}`;
    if (this.lastSeq > 0 && this.epoch) u += `?since=${this.lastSeq}&epoch=${encodeURIComponent(this.epoch)}`;
    return u;
  }

  connect() {
    this.closed = false;
    this.open();
    return this;
  }

  open() {
    clearTimeout(this.retryTimer);
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let ws;
    try {
      this.lastURL = this.url();
      ws = new WebSocket(this.lastURL);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = ws;
    ws.onmessage = (ev) => this.receive(ev);
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      clearInterval(this.pingTimer);
      if (this.closed) { this.setState('disconnected'); return; }
      this.scheduleRetry();
    };
    // Errors are followed by close; nothing to do here (and nothing to log:
    // a restarting server is an expected condition, not a page error).
    ws.onerror = () => {};
  }

  scheduleRetry() {
    this.setState('reconnecting');
    const delay = backoffDelay(this.attempt++);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  receive(ev) {
    const recvAt = performance.now();
    let msg;
    try { msg = JSON.parse(ev.data); } catch { return; }
    if (typeof msg.seq === 'number' && msg.seq > this.lastSeq) this.lastSeq = msg.seq;
    switch (msg.type) {
      case 'connection_status': {
        const p = msg.payload || {};
        if (this.epoch && p.epoch && p.epoch !== this.epoch) this.lastSeq = 0;
        this.epoch = p.epoch || this.epoch;
        this.attempt = 0;
        this.setState('connected');
        for (const payload of this.subscriptions.values()) this.send('subscribe', payload);
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => this.send('ping', { t: Date.now() }), APP_PING_MS);
        return;
      }
      case 'resync':
        // The replay buffer no longer reaches back: reload state over HTTP.
        if (msg.payload && msg.payload.epoch) this.epoch = msg.payload.epoch;
        if (this.handlers.onResync) this.handlers.onResync(msg);
        return;
      case 'pong':
        return;
      default:
        if (this.handlers.onMessage) {
          this.handlers.onMessage(msg);
          perf.wsApplied(recvAt);
        }
    }
  }

  send(type, payload = {}) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type, payload }));
      return true;
    }
    return false;
  }

  /** Live PromQL subscription on /ws/metrics; re-sent after every reconnect. */
  subscribe(id, query, range, step) {
    const payload = { id, query, range, step };
    this.subscriptions.set(id, payload);
    this.send('subscribe', payload);
  }

  unsubscribe(id) {
    if (this.subscriptions.delete(id)) this.send('unsubscribe', { id });
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.subscriptions.clear();
    if (this.socket) {
      const s = this.socket;
      this.socket = null;
      s.onclose = null;
      s.close(1000, 'page closed');
    }
    this.setState('disconnected');
  }

  setState(s) {
    if (this.state === s) return;
    this.state = s;
    if (this.handlers.onState) this.handlers.onState(s);
    badge.update();
  }
}

/** The header badge: the worst state of all open clients. */
const badge = {
  clients: new Set(),
  add(c) { this.clients.add(c); this.update(); },
  remove(c) { this.clients.delete(c); this.update(); },
  update() {
    const node = document.getElementById('conn');
    if (!node) return;
    let s = 'disconnected';
    const states = [...this.clients].filter((c) => !c.closed).map((c) => c.state);
    if (states.length > 0) {
      if (states.every((x) => x === 'connected')) s = 'connected';
      else if (states.some((x) => x === 'reconnecting' || x === 'connecting')) s = 'reconnecting';
    }
    node.dataset.state = s;
    node.textContent = s;
  },
};

// For diagnostics and the browser tests: the open clients.
window.__strataRealtime = badge;

/** Opens a client that the header badge tracks; `close()` untracks it. */
export function openChannel(channel, handlers) {
  const c = new RealtimeClient(channel, handlers);
  badge.add(c);
  const close = c.close.bind(c);
  c.close = () => { close(); badge.remove(c); };
  return c.connect();
}
