// Rows synced (green) and rejected (red) per run, oldest left: an inline SVG, no chart library.
import { sum } from './view.js';

const NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
}

export function runChart(runs) {
  const W = 800, H = 200, pad = { l: 44, r: 10, t: 10, b: 24 };
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', id: 'runs-chart', 'aria-label': 'rows synced and rejected per run' });
  const wrap = document.createElement('div');
  if (!runs.length) { wrap.textContent = 'No run yet.'; return wrap; }
  const data = runs.map((r) => ({ id: r.id, ok: sum(r.successfulRows), bad: sum(r.failedRows), status: r.status }));
  // an even top, so the middle grid line falls on a whole number of rows
  const top = Math.max(1, ...data.map((d) => d.ok + d.bad));
  const max = top <= 1 ? 2 : Math.ceil(top / 2) * 2;
  const plotW = W - pad.l - pad.r, plotH = H - pad.t - pad.b;
  const slot = plotW / Math.max(data.length, 1), bar = Math.max(4, Math.min(36, slot * 0.7));
  for (const f of [0, 0.5, 1]) {
    const y = pad.t + plotH * (1 - f);
    svg.append(el('line', { x1: pad.l, x2: W - pad.r, y1: y, y2: y, stroke: '#e4e7ec' }));
    svg.append(el('text', { x: pad.l - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#667085' }, String(max * f)));
  }
  data.forEach((d, i) => {
    const x = pad.l + slot * i + (slot - bar) / 2;
    const hOk = plotH * d.ok / max, hBad = plotH * d.bad / max;
    const g = el('g', { 'data-run': d.id });
    g.append(el('title', {}, `run ${d.id} (${d.status}): ${d.ok} synced, ${d.bad} rejected`));
    g.append(el('rect', { x, y: pad.t + plotH - hOk, width: bar, height: hOk, fill: '#12b76a', class: 'synced' }));
    g.append(el('rect', { x, y: pad.t + plotH - hOk - hBad, width: bar, height: hBad, fill: '#f04438', class: 'rejected' }));
    svg.append(g);
  });
  svg.append(el('text', { x: pad.l, y: H - 6, 'font-size': 11, fill: '#667085' }, 'older'));
  svg.append(el('text', { x: W - pad.r, y: H - 6, 'font-size': 11, fill: '#667085', 'text-anchor': 'end' }, 'latest'));
  const legend = document.createElement('div');
  legend.className = 'legend';
  // built with the DOM, not inline style attributes: the Content-Security-Policy allows styles from app.css only
  for (const [colour, label] of [['#12b76a', 'synced'], ['#f04438', 'rejected or failed']]) {
    const swatch = document.createElement('i');
    swatch.style.background = colour;
    const item = document.createElement('span');
    item.append(swatch, label);
    legend.append(item);
  }
  wrap.append(svg, legend);
  return wrap;
}
