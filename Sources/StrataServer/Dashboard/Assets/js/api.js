// HTTP helpers over Strata's Prometheus-style JSON API.

export class APIError extends Error {
  constructor(status, message, type) {
    super(message);
    this.status = status;
    this.type = type || '';
  }
}

/** GET a JSON endpoint; unwraps Prometheus' `{"status":"success","data":…}` envelope. */
export async function getJSON(path, params, signal) {
  const url = params ? `${path}?${toQuery(params)}` : path;
  let res;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new APIError(0, `network error: ${e.message}`);
  }
  let body = null;
  const text = await res.text();
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!res.ok) {
    const msg = body && body.error ? body.error : `${res.status} ${res.statusText}`;
    throw new APIError(res.status, msg, body && body.errorType);
  }
  if (body && body.status === 'success' && 'data' in body) return body.data;
  return body;
}

export function toQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x)); else q.append(k, String(v));
  }
  return q.toString();
}

/** Instant query: returns the API's `data` ({resultType, result}). */
export function query(expr, time, signal) {
  return getJSON('/api/v1/query', { query: expr, time }, signal);
}

export function queryRange(expr, start, end, step, signal) {
  return getJSON('/api/v1/query_range', { query: expr, start, end, step }, signal);
}

/** The first sample of an instant-vector or scalar answer, as [time, "value"] or null. */
export function firstSample(data) {
  if (!data) return null;
  if (data.resultType === 'scalar') return data.result;
  if (data.resultType === 'vector' && data.result.length > 0) return data.result[0].value;
  return null;
}
