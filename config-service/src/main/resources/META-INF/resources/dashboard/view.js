// Small DOM helpers: every text goes in as a text node, so API data can never inject markup.
export const IN_PROGRESS = new Set(['queued', 'querying', 'processing', 'reporting']);
export const TERMINAL = new Set(['success', 'warning', 'failed', 'cancelled', 'interrupted']);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v == null) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    // through the CSSOM: the Content-Security-Policy refuses inline style attributes, not script-set styles
    else if (k === 'style') el.style.cssText = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === '') continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function badge(status, label) {
  return h('span', { class: `badge ${status}`, 'data-status': status }, label || status || 'pending');
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtDuration(start, end) {
  if (!start) return '—';
  const ms = (end ? new Date(end) : new Date()) - new Date(start);
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function sum(c) { return c ? (c.addedCount || 0) + (c.changedCount || 0) + (c.removedCount || 0) : 0; }

export function counts(c) { return c ? `${c.addedCount} / ${c.changedCount} / ${c.removedCount}` : '0 / 0 / 0'; }
