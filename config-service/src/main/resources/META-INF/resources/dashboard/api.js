// The dashboard's client of /api/v1: the key comes from sessionStorage and goes in the Authorization header.
const KEY = 'eddy.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  set: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

/** A non-2xx answer of the API, with its status and message. */
export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function call(method, path, body, key = session.key()) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    const details = json?.details ? ' ' + Object.entries(json.details).map(([k, v]) => `${k}: ${v}`).join('; ') : '';
    throw new ApiError(res.status, (json?.message || `${method} ${path} answered ${res.status}`) + details);
  }
  return json;
}

export const api = {
  get: (path, key) => call('GET', path, undefined, key),
  post: (path, body) => call('POST', path, body ?? {}),
  patch: (path, body) => call('PATCH', path, body),
};
