// Eddy's operations dashboard: a small vanilla-JS module over /api/v1. The API key lives in
// sessionStorage only (never in a URL or a cookie), and every call sends it as a Bearer token.
import { api, ApiError, session } from './api.js';
import { h, badge, fmtTime, fmtDuration, counts, sum, IN_PROGRESS, TERMINAL } from './view.js';
import { runChart } from './chart.js';

const app = document.getElementById('app');
const signOut = document.getElementById('sign-out');
const STATUSES = ['all', 'success', 'warning', 'failed', 'queued', 'querying', 'processing', 'reporting', 'cancelled', 'interrupted', 'pending', 'disabled'];
const RUNS_SHOWN = 20;
const REJECTIONS_PAGE = 25;
let refreshTimer = null;
let filter = 'all';
// the last action's message on a sync's page; kept across the page's self-refreshes
let flash = { syncId: null, text: '', error: false };

signOut.addEventListener('click', () => { session.clear(); location.hash = '#/login'; });
window.addEventListener('hashchange', route);
route();

function schedule(fn, ms) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { if (document.visibilityState !== 'hidden') fn(); else schedule(fn, ms); }, ms);
}

async function route() {
  clearTimeout(refreshTimer);
  const path = location.hash.replace(/^#/, '') || '/syncs';
  signOut.hidden = !session.key();
  if (!session.key() && path !== '/login') { location.hash = '#/login'; return; }
  let m;
  try {
    if (path === '/login') return loginPage();
    if (path === '/syncs') return await syncsPage();
    if ((m = path.match(/^\/syncs\/([^/]+)$/))) return await syncPage(m[1]);
    if ((m = path.match(/^\/syncs\/([^/]+)\/runs\/([^/]+)(?:\?offset=(\d+))?$/))) return await runPage(m[1], m[2], Number(m[3] || 0));
    render(h('p', {}, 'Nothing here. ', h('a', { href: '#/syncs' }, 'Back to syncs')));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { session.clear(); location.hash = '#/login'; return; }
    render(h('div', { class: 'card error', id: 'page-error' }, String(e.message || e)));
  }
}

function render(...nodes) { app.replaceChildren(...nodes); }

function loginPage() {
  const input = h('input', { type: 'password', id: 'api-key', autocomplete: 'off', placeholder: 'your API key' });
  const error = h('p', { class: 'error', id: 'login-error' });
  const form = h('form', { class: 'card login', id: 'login-form' },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'api-key' }, 'API key (the same key as for /api/v1; kept in this browser tab only)'),
    input, error, h('button', { class: 'primary', type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.get('/syncs', input.value.trim());
      session.set(input.value.trim());
      location.hash = '#/syncs';
    } catch (e) {
      error.textContent = e instanceof ApiError && e.status === 401 ? 'That API key is not valid.' : String(e.message);
    }
  });
  render(form);
  input.focus();
}

/** Names of models and destinations by id, fetched once per page view. */
async function names() {
  const [models, destinations] = await Promise.all([api.get('/models'), api.get('/destinations')]);
  return { models: new Map(models.data.map((x) => [x.id, x])), destinations: new Map(destinations.data.map((x) => [x.id, x])) };
}

async function syncsPage() {
  const [syncs, n] = await Promise.all([api.get('/syncs'), names()]);
  const lastRuns = await Promise.all(syncs.data.map((s) => api.get(`/syncs/${s.id}/runs?limit=1`).then((r) => r.data[0]).catch(() => null)));
  const select = h('select', { id: 'status-filter' }, ...STATUSES.map((s) => h('option', { value: s, selected: s === filter }, s)));
  select.addEventListener('change', () => { filter = select.value; route(); });
  const rows = syncs.data.map((s, i) => ({ s, run: lastRuns[i] }))
    .filter(({ s }) => filter === 'all' || s.status === filter);
  const table = h('table', { id: 'syncs' },
    h('thead', {}, h('tr', {}, ...['Sync', 'Model', 'Destination', 'Schedule', 'Status', 'Last run', 'Last run rows'].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...rows.map(({ s, run }) => h('tr', { 'data-sync': s.id },
      h('td', {}, h('a', { href: `#/syncs/${s.id}` }, s.slug || s.id)),
      h('td', {}, n.models.get(s.modelId)?.name ?? s.modelId),
      h('td', {}, n.destinations.get(s.destinationId)?.name ?? s.destinationId),
      h('td', {}, scheduleText(s)),
      h('td', {}, badge(s.status)),
      h('td', {}, fmtTime(s.lastRunAt)),
      h('td', {}, run ? runCountsText(run) : '—')))),
  );
  render(h('h1', {}, 'Syncs'),
    h('div', { class: 'toolbar' }, h('label', { for: 'status-filter' }, 'Status'), select,
      h('span', { class: 'muted' }, `${rows.length} of ${syncs.data.length}`)),
    rows.length ? table : h('p', { class: 'muted' }, 'No sync matches.'));
  if (syncs.data.some((s) => IN_PROGRESS.has(s.status))) schedule(route, 2000);
}

function scheduleText(s) {
  const sc = s.schedule || {};
  const paused = s.schedulePaused ? ' (paused)' : '';
  if (sc.type === 'interval' && sc.schedule?.interval) return `every ${sc.schedule.interval.quantity} ${sc.schedule.interval.unit}${paused}`;
  if (sc.type === 'cron' && sc.schedule?.expression) return `cron ${sc.schedule.expression}${paused}`;
  return (sc.type || 'manual') + paused;
}

function runCountsText(run) {
  const ok = sum(run.successfulRows), bad = sum(run.failedRows);
  return h('span', {}, badge(run.status), ' ', h('span', { class: 'ok' }, `${ok} ok`), ' · ', h('span', { class: bad ? 'bad' : 'muted' }, `${bad} rejected`));
}

async function syncPage(id) {
  const [sync, runs, n] = await Promise.all([api.get(`/syncs/${id}`), api.get(`/syncs/${id}/runs?limit=${RUNS_SHOWN}`), names()]);
  const model = n.models.get(sync.modelId);
  const destination = n.destinations.get(sync.destinationId);
  const cfg = sync.configuration || {};
  const mappings = (cfg.mappings || []).map((m) => `${m.from ?? m.value ?? m.template ?? m.variable} → ${m.to}`).join(', ') || '—';
  const notice = h('div', { id: 'action-notice' }, flash.syncId === id && flash.text ? h('p', { class: 'notice' + (flash.error ? ' error' : '') }, flash.text) : '');
  render(
    h('p', {}, h('a', { href: '#/syncs' }, '← Syncs')),
    h('h1', {}, `Sync ${sync.slug || sync.id} `, badge(sync.status)),
    h('div', { class: 'card' }, h('dl', { class: 'grid', id: 'sync-config' },
      ...dl('Model', model ? `${model.name} (key ${model.primaryKey})` : sync.modelId),
      ...dl('Destination', destination ? `${destination.name} (${destination.type})` : sync.destinationId),
      ...dl('Mode', cfg.mode || 'upsert'), ...dl('Delete behaviour', cfg.deleteBehavior || 'do_nothing'),
      ...dl('Schedule', scheduleText(sync)), ...dl('Mappings', mappings),
      ...dl('Warehouse sync logs', syncLogsText(cfg.warehouseSyncLogs)), ...dl('Last run', fmtTime(sync.lastRunAt)))),
    h('div', { class: 'actions' },
      button('Run now', 'run-now', 'primary', () => trigger(id, {}, notice)),
      button('Resync full query', 'resync', '', () => confirmResync(id, cfg, notice)),
      button('Reset CDC', 'reset-cdc', 'danger', () => confirmResetCdc(id, notice)),
      button(sync.schedulePaused ? 'Resume schedule' : 'Pause schedule', 'pause', '', () => pause(id, !sync.schedulePaused, notice)),
      button('Test a row', 'test-row', '', () => testRow(sync, model))),
    notice,
    h('h2', {}, `Rows synced and rejected, last ${RUNS_SHOWN} runs`),
    h('div', { class: 'card chart', id: 'chart' }, runChart(runs.data.slice().reverse())),
    h('h2', {}, 'Run history'),
    runsTable(id, runs.data),
  );
  if (runs.data.some((r) => IN_PROGRESS.has(r.status)) || IN_PROGRESS.has(sync.status)) schedule(route, 1000);
}

function syncLogsText(logs) {
  if (!logs) return 'off';
  const on = ['changelog', 'snapshot', 'runs'].filter((k) => logs[k]);
  return on.length ? `eddy_audit: ${on.join(', ')}` : 'off';
}

// each term and its value in one grid cell, so labels stay above their values
function dl(term, value) { return [h('div', {}, h('dt', {}, term), h('dd', {}, value))]; }

function button(label, id, cls, onClick) {
  const b = h('button', { type: 'button', id, class: cls }, label);
  b.addEventListener('click', onClick);
  return b;
}

function runsTable(syncId, runs) {
  if (!runs.length) return h('p', { class: 'muted', id: 'runs-empty' }, 'No run yet.');
  const head = ['Run', 'Status', 'Started', 'Duration', 'Queried', 'Planned +/~/−', 'Succeeded +/~/−', 'Failed +/~/−', ''];
  return h('table', { id: 'runs' }, h('thead', {}, h('tr', {}, ...head.map((t) => h('th', {}, t)))),
    h('tbody', {}, ...runs.map((r) => h('tr', { 'data-run': r.id, 'data-status': r.status },
      h('td', {}, h('a', { href: `#/syncs/${syncId}/runs/${r.id}` }, r.id)),
      h('td', {}, badge(r.status), IN_PROGRESS.has(r.status) ? progress(r.completionRatio) : ''),
      h('td', {}, fmtTime(r.startedAt || r.createdAt)),
      h('td', {}, fmtDuration(r.startedAt, r.finishedAt)),
      h('td', { class: 'num' }, String(r.querySize ?? 0)),
      h('td', { class: 'num' }, counts(r.plannedRows)),
      h('td', { class: 'num ok' }, counts(r.successfulRows)),
      h('td', { class: 'num ' + (sum(r.failedRows) ? 'bad' : 'muted') }, counts(r.failedRows)),
      h('td', {}, r.error ? button('View error', `error-${r.id}`, 'link', () => showError(r)) : '')))));
}

function progress(ratio) {
  const pct = Math.round(Math.max(0, Math.min(1, ratio || 0)) * 100);
  return h('div', { class: 'progress', title: `${pct}% delivered`, role: 'progressbar', 'aria-valuenow': String(pct) },
    h('span', { style: `width:${pct}%` }));
}

async function trigger(id, body, notice) {
  try {
    const out = await api.post(`/syncs/${id}/trigger`, body);
    flash = { syncId: id, text: `Run ${out.id} queued.`, error: false };
    route();
  } catch (e) { notice.replaceChildren(h('p', { class: 'notice error' }, e.message)); }
}

function confirmResync(id, cfg, notice) {
  const deletes = cfg.deleteBehavior && cfg.deleteBehavior !== 'do_nothing';
  dialog('Resync full query?', [
    h('p', {}, 'This forgets what was synced before and sends every row of the model as if this were the first run.'),
    h('p', {}, h('strong', {}, 'Prerequisites — make sure your sync meets them:')),
    h('ul', {},
      h('li', {}, 'The destination must accept the same record twice without duplicating it (upsert or update mode, matched on a stable key). In insert mode a resync creates duplicates.'),
      h('li', {}, 'Rows that left the model since the last run are not removed: a full resync does no diffing, so “Clear fields” / “Delete” behaviour is ignored for this run.'
        + (deletes ? ` This sync uses “${cfg.deleteBehavior}”.` : ' This sync uses “do nothing”, so that has no impact.')),
      h('li', {}, 'Every row counts as added: the run can be much larger and slower than usual runs.')),
  ], 'Resync full query', () => trigger(id, { fullResync: true }, notice));
}

function confirmResetCdc(id, notice) {
  dialog('Reset CDC?', [
    h('p', {}, 'The next run takes a snapshot of the model and sends nothing to the destination; later runs send only rows added, changed or removed after it.'),
    h('p', { class: 'notice' }, 'Warning: skipping the backfill can leave your destination out of sync with your model. Use it for insert-only cases (events, alerts) where a backfill would create duplicates.'),
  ], 'Reset CDC', () => trigger(id, { resetCDC: true }, notice));
}

async function pause(id, paused, notice) {
  try {
    const sync = await api.patch(`/syncs/${id}`, { schedulePaused: paused });
    if (sync.schedulePaused !== paused) throw new Error('The API did not change the schedule (its answer has schedulePaused: ' + sync.schedulePaused + ').');
    flash = { syncId: id, error: false, text: paused
      ? 'Schedule paused: no scheduled runs until you resume it. Run now still runs the sync.'
      : 'Schedule resumed.' };
    route();
  } catch (e) { notice.replaceChildren(h('p', { class: 'notice error' }, e.message)); }
}

function showError(run) {
  dialog(`Run ${run.id} error`, [h('pre', { id: 'error-text' }, run.error)], null, null);
}

/** A modal; {@code confirmLabel} null shows only Close. */
function dialog(title, body, confirmLabel, onConfirm) {
  const d = document.getElementById('dialog');
  document.getElementById('dialog-body').replaceChildren(h('h2', {}, title), ...body);
  const actions = [h('button', { value: 'cancel', id: 'dialog-cancel' }, confirmLabel ? 'Cancel' : 'Close')];
  if (confirmLabel) {
    const ok = h('button', { class: 'primary', type: 'button', id: 'dialog-confirm' }, confirmLabel);
    ok.addEventListener('click', () => { d.close(); onConfirm(); });
    actions.push(ok);
  }
  document.getElementById('dialog-actions').replaceChildren(...actions);
  d.showModal();
}

async function testRow(sync, model) {
  const rowArea = h('textarea', { id: 'test-row-json' }, '{\n  \n}');
  const op = h('select', { id: 'test-row-op' }, ...['added', 'changed', 'removed'].map((o) => h('option', { value: o }, o)));
  const preview = h('div', { id: 'test-row-preview' }, h('p', { class: 'muted' }, 'Loading a preview of the model…'));
  const result = h('div', { id: 'test-row-result' });
  const send = h('button', { type: 'button', class: 'primary', id: 'test-row-send' }, 'Send to destination');
  send.addEventListener('click', async () => {
    let row;
    try { row = JSON.parse(rowArea.value); } catch (e) { result.replaceChildren(h('p', { class: 'error' }, 'The row is not valid JSON: ' + e.message)); return; }
    result.replaceChildren(h('p', { class: 'muted' }, 'Sending…'));
    try {
      const out = await api.post(`/syncs/${sync.id}/test-row`, { row, op: op.value });
      result.replaceChildren(testRowResult(out));
    } catch (e) {
      result.replaceChildren(h('p', { class: 'error' }, e instanceof ApiError && e.status === 404 ? 'This Eddy\'s API has no test-row endpoint yet.' : e.message));
    }
  });
  // Test a row is drawn over the sync's own address: the link back has to redraw, the hash does not change
  render(h('p', {}, h('a', { href: `#/syncs/${sync.id}`, id: 'test-row-back', onclick: (ev) => { ev.preventDefault(); route(); } },
    '← Sync ' + (sync.slug || sync.id))),
    h('h1', {}, 'Test a row'),
    h('div', { class: 'card' }, h('h2', {}, 'Pick a row from the model preview'), preview),
    h('div', { class: 'card' }, h('label', { for: 'test-row-json' }, 'Row (edit the values as JSON)'), rowArea,
      h('div', { class: 'actions' }, h('label', { for: 'test-row-op' }, 'Operation'), op, send)),
    result);
  if (!model) { preview.replaceChildren(h('p', { class: 'muted' }, 'The model is unknown.')); return; }
  try {
    const out = await api.post(`/models/${model.id}/preview`, { limit: 10 });
    const rows = out.rows || out.data || [];
    if (!rows.length) { preview.replaceChildren(h('p', { class: 'muted' }, 'The model returned no row.')); return; }
    const columns = Object.keys(rows[0]);
    preview.replaceChildren(h('table', { id: 'preview-rows' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), ...columns.map((c) => h('th', {}, c)))),
      h('tbody', {}, ...rows.map((r, i) => {
        const use = button('Use', `preview-use-${i}`, '', () => { rowArea.value = JSON.stringify(r, null, 2); });
        return h('tr', {}, h('td', {}, use), ...columns.map((c) => h('td', {}, r[c] === null ? 'null' : String(r[c]))));
      }))));
  } catch (e) {
    preview.replaceChildren(h('p', { class: 'muted' }, e instanceof ApiError && e.status === 404
      ? 'This Eddy\'s API has no model preview yet: type the row below.' : 'Preview failed: ' + e.message));
  }
}

function testRowResult(out) {
  const o = out.outcome || {};
  return h('div', { class: 'card' },
    h('h2', {}, 'Outcome: ', h('span', { class: o.status === 'ACCEPTED' || o.status === 'accepted' ? 'ok' : 'bad', id: 'test-row-status' }, o.status || '?'),
      o.reason ? ` — ${o.reason}` : ''),
    ...(out.requests || []).flatMap((r, i) => [
      h('h2', {}, `Request ${i + 1}: ${r.method} ${r.url}`),
      h('pre', { class: 'request' }, headersText(r.headers) + '\n\n' + pretty(r.body)),
      h('h2', {}, `Response: ${r.response?.status ?? '—'}`),
      h('pre', { class: 'response' }, headersText(r.response?.headers) + '\n\n' + pretty(r.response?.body)),
    ]));
}

function headersText(headers) {
  if (!headers) return '';
  return Object.entries(headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('\n');
}

function pretty(body) {
  if (body == null) return '';
  if (typeof body !== 'string') return JSON.stringify(body, null, 2);
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body; }
}

async function runPage(syncId, runId, offset) {
  const [runs, rejections] = await Promise.all([
    api.get(`/syncs/${syncId}/runs?runId=${encodeURIComponent(runId)}`),
    api.get(`/syncs/${syncId}/runs/${runId}/rejections?limit=${REJECTIONS_PAGE}&offset=${offset}`).catch((e) => e),
  ]);
  const run = runs.data[0];
  if (!run) { render(h('p', {}, `No run ${runId}.`)); return; }
  let rejected;
  if (rejections instanceof Error) {
    rejected = h('p', { class: 'muted', id: 'rejections-missing' }, rejections instanceof ApiError && rejections.status === 404
      ? 'This Eddy\'s API does not list rejected rows yet.' : 'Could not load rejected rows: ' + rejections.message);
  } else if (!rejections.data.length && offset === 0) {
    rejected = h('p', { class: 'muted', id: 'rejections-empty' }, 'No row was rejected in this run.');
  } else {
    const base = `#/syncs/${syncId}/runs/${runId}`;
    rejected = h('div', {},
      h('table', { id: 'rejections' }, h('thead', {}, h('tr', {}, ...['Primary key', 'Operation', 'Status', 'Reason'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...rejections.data.map((r) => h('tr', { 'data-pk': r.primaryKey },
          h('td', {}, r.primaryKey), h('td', {}, r.op), h('td', {}, badge(String(r.status).toLowerCase() === 'rejected' ? 'failed' : String(r.status).toLowerCase(), r.status)),
          h('td', {}, h('button', { type: 'button', class: 'link reason' , 'data-pk': r.primaryKey,
            onclick: () => dialog(`Row ${r.primaryKey}`, [h('p', {}, `${r.op} · ${r.status}`), h('pre', { id: 'rejection-reason' }, r.reason || '')], null, null) },
            (r.reason || '').slice(0, 120))))))),
      h('div', { class: 'pager' },
        offset > 0 ? h('a', { href: `${base}?offset=${Math.max(0, offset - REJECTIONS_PAGE)}`, id: 'prev' }, '← Previous') : '',
        h('span', { class: 'muted' }, `rows ${offset + 1}–${offset + rejections.data.length}`),
        rejections.data.length === REJECTIONS_PAGE ? h('a', { href: `${base}?offset=${offset + REJECTIONS_PAGE}`, id: 'next' }, 'Next →') : ''));
  }
  render(h('p', {}, h('a', { href: `#/syncs/${syncId}` }, '← Sync')),
    h('h1', {}, `Run ${run.id} `, badge(run.status)),
    h('div', { class: 'card' }, h('dl', { class: 'grid' },
      ...dl('Started', fmtTime(run.startedAt || run.createdAt)), ...dl('Duration', fmtDuration(run.startedAt, run.finishedAt)),
      ...dl('Rows queried', String(run.querySize)), ...dl('Planned +/~/−', counts(run.plannedRows)),
      ...dl('Succeeded +/~/−', counts(run.successfulRows)), ...dl('Failed +/~/−', counts(run.failedRows)),
      ...(run.error ? dl('Error', run.error) : []))),
    h('h2', {}, 'Rejected rows'), rejected);
  if (!TERMINAL.has(run.status)) schedule(route, 1000);
}
