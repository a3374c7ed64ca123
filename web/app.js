// toonbox serve: the page. Plain JavaScript, no libraries, nothing loaded from elsewhere.
// Images go to POST /api/v1/jobs (in chunks that respect the server's limits); the page
// polls each job for progress (each image's state and elapsed time) and fetches results as
// they finish. results.js has the cards' slider, full-size view and style comparison,
// store.js keeps results across reloads, examples.js draws the examples.
'use strict';

const $ = (id) => document.getElementById(id);

const state = {
  status: null,        // last GET /api/v1/status
  // {id, file, originalUrl, card, state, resultBlob, resultUrl, filename, meta, label,
  //  job: {id, index} (the server's job and image, for the zip), elapsedMs, elapsedAt}
  entries: [],
  running: false,
  cancelled: false,    // Cancel pressed during this run
  activeJobs: new Set(),  // job ids being followed, for Cancel
  models: [],          // GET /api/v1/models' list, for licences and the style comparison
  nextId: 1,
};

// ---------- status bar: always the server's own words ----------

async function refreshStatus() {
  const dot = $('status-dot');
  try {
    const res = await fetch('/api/v1/status', { cache: 'no-store' });
    if (res.status === 401) {
      dot.className = 'dot down';
      $('status-text').textContent =
        'Access token needed: open the address printed by `toonbox serve` (it ends in /?token=…)';
      $('queue-text').textContent = '';
      state.status = null;
      return;
    }
    const s = await res.json();
    state.status = s;
    $('status-text').textContent = s.status_line + (s.draining ? ' · shutting down' : '');
    const kind = s.device.kind === 'gpu' ? 'gpu' : s.device.state === 'requested' ? 'cpu-requested' : 'cpu-fallback';
    dot.className = 'dot ' + kind;
    $('queue-text').textContent =
      `queue ${s.queue.depth}/${s.queue.capacity}` + (s.queue.running ? ` · running ${s.queue.running}` : '');
    $('doctor-link').href = s.doctor_url || '/doctor';
    applyDeviceToOptions(s);
  } catch (e) {
    dot.className = 'dot down';
    $('status-text').textContent = 'Server not reachable — retrying';
    $('queue-text').textContent = '';
  }
}

function applyDeviceToOptions(s) {
  // The GPU precisions the server's device lists; the others are greyed out, saying why.
  for (const name of ['tf32', 'fp16']) {
    const option = $('precision').querySelector(`option[value=${name}]`);
    const has = (s.device.precisions || []).includes(name);
    option.disabled = !has;
    option.title = has ? '' : `${name} needs a GPU; this server runs on the CPU`;
    if (!has && $('precision').value === name) $('precision').value = 'auto';
  }
  const portrait = $('mode').querySelector('option[value=portrait]');
  portrait.disabled = !(s.modes && s.modes.portrait);
  portrait.title = portrait.disabled && s.portrait && s.portrait.reason ? s.portrait.reason : '';
  if (portrait.disabled && $('mode').value === 'portrait') $('mode').value = 'auto';
}

async function loadModels() {
  try {
    const res = await fetch('/api/v1/models', { cache: 'no-store' });
    if (!res.ok) return;
    const data = await res.json();
    state.models = data.models;
    const select = $('model');
    const wanted = select.dataset.saved || select.value;
    select.textContent = '';
    for (const m of data.models) {
      const opt = document.createElement('option');
      opt.value = m.default ? 'default' : m.name;
      opt.textContent = m.name + (m.default ? ' (default)' : '');
      opt.title = m.description + (m.licence ? ' · licence: ' + m.licence : '');
      if (m.default) opt.selected = true;
      select.appendChild(opt);
    }
    if ([...select.options].some((o) => o.value === wanted)) select.value = wanted;
    showStyleLicence();
    if (typeof fillStyleChoices === 'function') fillStyleChoices();
  } catch (e) { /* the status bar already says the server is unreachable */ }
}

// The model a style choice names ("default" is the default model).
function modelFor(value) {
  return state.models.find((m) => (value === 'default' ? m.default : m.name === value)) || null;
}

// "name · licence: ..." for a style, shown without hovering (issue 20).
function licenceText(value) {
  const m = modelFor(value);
  if (!m) return '';
  // The built-in style is toonbox's own code with no weights: no model licence to show.
  const licence = m.kind === 'builtin' ? 'part of toonbox (its own code)' : (m.licence || 'not recorded');
  return `${m.name}: ${m.description || m.kind} · licence: ${licence}`;
}

function showStyleLicence() {
  $('style-licence').textContent = licenceText($('model').value);
}

// ---------- messages ----------

function showMessage(text, kind) {
  const m = $('message');
  if (!text) { m.hidden = true; return; }
  m.textContent = text;
  m.className = 'message' + (kind === 'info' ? ' info' : '');
  m.hidden = false;
}

async function errorText(res) {
  try {
    const j = await res.json();
    if (j && j.error && j.error.message) return j.error.message;
  } catch (e) { /* not JSON */ }
  return `the server answered ${res.status} ${res.statusText}`;
}

// ---------- files and cards ----------

// Returns the new entries.
function addFiles(files) {
  const added = [];
  for (const file of files) {
    // `position` keeps the cards' order for the ones store.js brings back after a reload.
    const entry = { id: state.nextId++, file, originalUrl: URL.createObjectURL(file), state: 'waiting',
      position: Date.now() * 1000 + (state.nextId % 1000) };
    entry.card = makeCard(entry);
    $('results').appendChild(entry.card);
    state.entries.push(entry);
    added.push(entry);
  }
  updateButtons();
  return added;
}

function makeCard(entry) {
  const card = $('card-template').content.firstElementChild.cloneNode(true);
  card.dataset.id = String(entry.id);
  card.querySelector('.name').textContent = entry.file.name;
  card.querySelector('.name').title = entry.file.name;
  const before = card.querySelector('.before');
  const compare = card.querySelector('.compare');
  // A file the browser cannot show either (not an image): no broken-image box.
  before.addEventListener('error', () => { compare.hidden = true; });
  before.src = entry.originalUrl;
  before.alt = 'original: ' + entry.file.name;
  wireCard(card, entry);  // results.js: slider, full size, re-run, style comparison
  setCardState(card, 'waiting', 'ready');
  return card;
}

// The original covers the left part of the result, up to the divider.
function setSplit(card, percent) {
  card.querySelector('.before').style.clipPath = `inset(0 ${100 - percent}% 0 0)`;
  card.querySelector('.divider').style.left = `calc(${percent}% - 1px)`;
}

// States with work under way show the spinner and the elapsed time.
const busyStates = new Set(['uploading', 'waiting', 'queued', 'running']);

function setCardState(card, st, text) {
  card.dataset.state = st;
  card.querySelector('.state').textContent = text;
  card.querySelector('.spinner').hidden = !(busyStates.has(st) && state.running);
  if (!busyStates.has(st)) card.querySelector('.elapsed').textContent = '';
  const before = card.querySelector('.before');
  const divider = card.querySelector('.divider');
  if (st === 'done') {
    setSplit(card, Number(card.querySelector('.slider').value));
    divider.hidden = false;
  } else {
    before.style.clipPath = '';
    divider.hidden = true;
  }
}

function setCardError(card, message) {
  const p = card.querySelector('.error');
  p.textContent = message;
  p.hidden = !message;
}

function updateButtons() {
  // The Upscale task lives in upscale.js, Restore faces in restore.js.
  const verb = typeof restoreActive === 'function' && restoreActive() ? 'Restore'
    : typeof upscaleActive === 'function' && upscaleActive() ? 'Upscale' : 'Cartoonize';
  $('run').disabled = state.running || state.entries.length === 0;
  $('run').textContent = state.entries.length > 1 ? `${verb} ${state.entries.length} images` : verb;
  $('clear').disabled = state.running || state.entries.length === 0;
  // The zip is built by the server from its jobs' results (cartoonize); upscale and
  // restore answer one image at a time and keep nothing, so theirs are downloaded per card.
  const zippable = state.entries.filter((e) => e.state === 'done' && e.job);
  $('download-all').disabled = state.running || zippable.length === 0;
  $('download-all').title = zippable.length ? '' : 'the server zips cartoonize results (jobs); download other results from their cards';
  $('cancel').hidden = !state.running;
  $('cancel').disabled = state.cancelled;
  for (const e of state.entries) {
    for (const b of e.card.querySelectorAll('.rerun, .run-b')) b.disabled = state.running;
  }
}

// "4.2 s" (tenths below a minute, then "1 min 05 s").
function formatElapsed(ms) {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return s.toFixed(1) + ' s';
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s - 60 * m)).padStart(2, '0')} s`;
}

// The elapsed times tick between polls: the server's figure plus the time since it came.
function tickElapsed() {
  const now = performance.now();
  for (const e of state.entries) {
    if (!state.running || !busyStates.has(e.card.dataset.state) || e.elapsedMs === undefined) continue;
    e.card.querySelector('.elapsed').textContent = ' · ' + formatElapsed(e.elapsedMs + now - e.elapsedAt);
  }
  if (state.running && state.runStarted) {
    const text = $('progress-text').dataset.base || '';
    $('progress-text').textContent = text + ' · ' + formatElapsed(now - state.runStarted);
  }
}

function updateProgress() {
  const list = state.runEntries || state.entries;
  const total = list.length;
  const count = (st) => list.filter((e) => e.state === st).length;
  const finished = count('done') + count('failed');
  const failed = count('failed'), cancelled = count('cancelled'), running = count('running');
  $('progress').max = Math.max(1, total);
  $('progress').value = finished;
  const text = `${finished} of ${total} finished` + (running ? ` · ${running} processing` : '') +
    (failed ? ` · ${failed} failed` : '') + (cancelled ? ` · ${cancelled} cancelled` : '');
  $('progress-text').dataset.base = text;
  $('progress-text').textContent = text;
  $('progress-spinner').hidden = !state.running;
  $('progress-wrap').hidden = total === 0;
  tickElapsed();
}

// ---------- running ----------

function currentParams() {
  return {
    model: $('model').value,
    mode: $('mode').value,
    long_side: $('long_side').value,
    strength: String(Number($('strength').value) / 100),
    precision: $('precision').value,
    format: $('format').value,
  };
}

// How a result's settings read in captions: "classic · 100 %".
function paramsLabel(params) {
  const m = modelFor(params.model);
  return `${m ? m.name : params.model} · ${Math.round(Number(params.strength) * 100)} %`;
}

// Chunks of entries that fit the server's per-job image count and body size.
function chunksFor(entries) {
  const limits = (state.status && state.status.limits) || { max_body_bytes: 50 * 1024 * 1024 };
  const maxImages = (state.status && state.status.jobs && state.status.jobs.max_images_per_job) || 16;
  const maxBytes = limits.max_body_bytes - 64 * 1024;  // room for the form's own bytes
  const chunks = [];
  let cur = [], bytes = 0;
  for (const e of entries) {
    if (cur.length && (cur.length >= maxImages || bytes + e.file.size > maxBytes)) {
      chunks.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(e);
    bytes += e.file.size;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function submitJob(chunk, params) {
  for (;;) {
    const form = new FormData();
    for (const [k, v] of Object.entries(params)) form.append(k, v);
    for (const e of chunk) form.append('images', e.file, e.file.name);
    const res = await fetch('/api/v1/jobs', { method: 'POST', body: form });
    if (res.status === 429) {
      const wait = Math.max(1, Number(res.headers.get('Retry-After')) || 2);
      for (const e of chunk) if (e.card) setCardState(e.card, 'waiting', `server busy, retrying in ${wait} s`);
      await sleep(wait * 1000);
      continue;
    }
    if (!res.ok) throw new Error(await errorText(res));
    return res.json();
  }
}

const stateText = {
  waiting: 'waiting', queued: 'queued', running: 'processing…', done: 'done', failed: 'failed', cancelled: 'cancelled',
};

// `hooks.done(entry, item, jobId)` shows a finished image (default: in its card),
// `hooks.state(entry, state, text, item)` any other state (default: the card's state line).
async function followJob(job, chunk, hooks = {}) {
  const onDone = hooks.done || fetchResult;
  const onState = hooks.state || ((e, st, text, item) => {
    setCardState(e.card, st, text);
    if (st === 'failed' || st === 'cancelled') setCardError(e.card, item.error ? item.error.message : '');
  });
  const url = '/api/v1/jobs/' + job.id;
  const fetched = new Set();
  state.activeJobs.add(job.id);
  try {
    for (;;) {
      if (state.cancelled) return;
      const res = await fetch(url, { cache: 'no-store' });
      if (!res.ok) throw new Error(await errorText(res));
      const j = await res.json();
      if (state.cancelled) return;
      for (const item of j.items) {
        const e = chunk[item.index];
        if (!e || fetched.has(item.index)) continue;
        e.elapsedMs = item.elapsed_ms;
        e.elapsedAt = performance.now();
        if (item.state === 'done') {
          fetched.add(item.index);
          await onDone(e, item, job.id);
        } else if (item.state === 'failed' || item.state === 'cancelled') {
          fetched.add(item.index);
          e.state = item.state;
          onState(e, item.state, item.state, item);
        } else {
          e.state = item.state;
          onState(e, item.state, stateText[item.state] || item.state, item);
        }
      }
      updateProgress();
      if (j.state !== 'running' && fetched.size === j.items.length) return;
      await sleep(300);
    }
  } finally {
    state.activeJobs.delete(job.id);
  }
}

// Cancel: DELETE every job being followed (the server cancels the images that have not
// started), stop polling, and mark what was not finished as cancelled.
async function cancelRun() {
  if (!state.running || state.cancelled) return;
  state.cancelled = true;
  updateButtons();
  const jobs = [...state.activeJobs];
  await Promise.all(jobs.map((id) => fetch('/api/v1/jobs/' + id, { method: 'DELETE' }).catch(() => null)));
  markCancelled();
}

function markCancelled() {
  for (const e of state.runEntries || []) {
    if (e.state === 'done' || e.state === 'failed' || e.state === 'cancelled') continue;
    e.state = 'cancelled';
    setCardState(e.card, 'cancelled', 'cancelled');
  }
  updateProgress();
}

async function fetchResult(e, item, jobId) {
  const res = await fetch(item.result_url, { cache: 'no-store' });
  if (!res.ok) {
    e.state = 'failed';
    setCardState(e.card, 'failed', 'failed');
    setCardError(e.card, await errorText(res));
    return;
  }
  const blob = await res.blob();
  const ms = item.timings_ms ? Math.round(item.timings_ms.inference) : null;
  const meta = `${item.width}×${item.height} · ${e.label || ''}` +
    (ms !== null ? ` · ${ms} ms on ${state.status ? state.status.device.id : 'device'}` : '') +
    (item.mode === 'portrait' ? ` · ${item.faces} face${item.faces === 1 ? '' : 's'}` : '') +
    ` · ${formatElapsed(item.elapsed_ms)} in all`;
  await showResult(e, blob, item.filename, meta, { id: jobId, index: item.index });
  if (typeof saveEntry === 'function') saveEntry(e);  // store.js: survives a reload
}

// Shows `blob` as the entry's result (also for results restored by store.js).
async function showResult(e, blob, filename, meta, job) {
  e.resultBlob = blob;
  if (e.resultUrl) URL.revokeObjectURL(e.resultUrl);
  e.resultUrl = URL.createObjectURL(blob);
  e.filename = filename;
  e.meta = meta;
  e.job = job || null;
  const after = e.card.querySelector('.after');
  after.alt = 'cartoonized: ' + e.file.name;
  await new Promise((resolve) => {
    after.onload = resolve;
    after.onerror = resolve;
    after.src = e.resultUrl;
  });
  e.state = 'done';
  setCardState(e.card, 'done', 'done');
  setCardError(e.card, '');
  e.card.querySelector('.meta').textContent = meta;
  const a = e.card.querySelector('.download');
  a.href = e.resultUrl;
  a.download = filename;
  a.hidden = false;
  if (typeof showCardActions === 'function') showCardActions(e);
}

function run() {
  if (state.running) return;
  if (typeof upscaleActive === 'function' && upscaleActive()) return runUpscale();
  if (typeof restoreActive === 'function' && restoreActive()) return runRestore();
  return runEntries(state.entries);
}

// Cartoonizes `todo` (all images, or one for Re-run) with the options chosen now.
async function runEntries(todo) {
  if (state.running) return;
  showMessage('');
  const params = currentParams();
  const label = paramsLabel(params);
  state.running = true;
  state.cancelled = false;
  state.runEntries = todo;
  state.runStarted = performance.now();
  for (const e of todo) {
    e.state = 'uploading';
    e.label = label;
    e.elapsedMs = 0;
    e.elapsedAt = performance.now();
    setCardState(e.card, 'uploading', 'uploading…');
    setCardError(e.card, '');
    e.card.querySelector('.download').hidden = true;
  }
  updateButtons();
  updateProgress();
  const ticker = setInterval(tickElapsed, 100);
  try {
    for (const chunk of chunksFor(todo)) {
      if (state.cancelled) break;
      try {
        const job = await submitJob(chunk, params);
        if (state.cancelled) {  // Cancel pressed while uploading
          await fetch('/api/v1/jobs/' + job.id, { method: 'DELETE' }).catch(() => null);
          break;
        }
        await followJob(job, chunk);
      } catch (err) {
        for (const e of chunk) {
          if (e.state === 'done') continue;
          e.state = 'failed';
          setCardState(e.card, 'failed', 'failed');
          setCardError(e.card, err.message);
        }
        showMessage(err.message);
      }
      updateProgress();
    }
    if (state.cancelled) markCancelled();
  } finally {
    // A failed or cancelled image can be tried again on its own.
    for (const e of todo) if (e.state === 'failed' || e.state === 'cancelled') e.card.querySelector('.rerun').hidden = false;
    clearInterval(ticker);
    state.running = false;
    for (const e of state.entries) setCardState(e.card, e.card.dataset.state, e.card.querySelector('.state').textContent);
    updateButtons();
    updateProgress();
    refreshStatus();
  }
}

function clearAll() {
  for (const e of state.entries) {
    URL.revokeObjectURL(e.originalUrl);
    if (e.resultUrl) URL.revokeObjectURL(e.resultUrl);
    e.card.remove();
  }
  state.entries = [];
  state.runEntries = null;
  if (typeof clearSaved === 'function') clearSaved();  // store.js
  showMessage('');
  updateButtons();
  updateProgress();
}

// ---------- zip: built by the server (GET /api/v1/results.zip), from its jobs' results ----------

const kZipItemsPerRequest = 256;  // the server's limit per zip

async function downloadAll() {
  const done = state.entries.filter((e) => e.state === 'done' && e.job);
  showMessage('');
  for (let start = 0; start < done.length; start += kZipItemsPerRequest) {
    const items = done.slice(start, start + kZipItemsPerRequest).map((e) => `${e.job.id}:${e.job.index}`).join(',');
    const url = '/api/v1/results.zip?items=' + encodeURIComponent(items);
    // A HEAD-less check first would cost the zip twice; instead fetch it, so a refusal
    // (results forgotten by the server, memory busy) shows as a message, not a broken file.
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) {
      const why = await errorText(res);
      showMessage(res.status === 404
        ? `The server no longer has some of these results (${why}); download them from their cards.`
        : why);
      return;
    }
    const blobUrl = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = blobUrl;
    a.download = 'toonbox-results.zip';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(blobUrl), 60000);
  }
}

// ---------- wiring ----------

function wire() {
  const drop = $('drop');
  const input = $('file-input');
  input.addEventListener('change', () => {
    addFiles(input.files);
    input.value = '';
  });
  drop.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); input.click(); }
  });
  for (const name of ['dragenter', 'dragover']) {
    drop.addEventListener(name, (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  }
  for (const name of ['dragleave', 'drop']) {
    drop.addEventListener(name, (ev) => { ev.preventDefault(); drop.classList.remove('over'); });
  }
  drop.addEventListener('drop', (ev) => addFiles(ev.dataTransfer.files));
  // A file dropped next to the drop zone must not navigate away from the page.
  window.addEventListener('dragover', (ev) => ev.preventDefault());
  window.addEventListener('drop', (ev) => ev.preventDefault());
  $('strength').addEventListener('input', () => {
    $('strength-value').textContent = $('strength').value + '%';
  });
  $('model').addEventListener('change', showStyleLicence);
  $('cancel').addEventListener('click', cancelRun);
  $('run').addEventListener('click', run);
  $('clear').addEventListener('click', clearAll);
  $('download-all').addEventListener('click', downloadAll);
}

wire();
refreshStatus();
loadModels();
setInterval(refreshStatus, 3000);
