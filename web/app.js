// toonbox serve: the page. Plain JavaScript, no libraries, nothing loaded from elsewhere.
// Images go to POST /api/v1/jobs (in chunks that respect the server's limits); the page
// polls each job for progress and fetches results as they finish.
'use strict';

const $ = (id) => document.getElementById(id);

const state = {
  status: null,        // last GET /api/v1/status
  entries: [],         // {id, file, originalUrl, card, state, resultBlob, resultUrl, filename}
  running: false,
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
  const fp16 = $('precision').querySelector('option[value=fp16]');
  const has16 = (s.device.precisions || []).includes('fp16');
  fp16.disabled = !has16;
  fp16.title = has16 ? '' : 'fp16 needs a GPU; this server runs on the CPU';
  if (!has16 && $('precision').value === 'fp16') $('precision').value = 'auto';
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
    const select = $('model');
    select.textContent = '';
    for (const m of data.models) {
      const opt = document.createElement('option');
      opt.value = m.default ? 'default' : m.name;
      opt.textContent = m.name + (m.default ? ' (default)' : '');
      opt.title = m.description + (m.licence ? ' · licence: ' + m.licence : '');
      if (m.default) opt.selected = true;
      select.appendChild(opt);
    }
  } catch (e) { /* the status bar already says the server is unreachable */ }
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

function addFiles(files) {
  for (const file of files) {
    const entry = { id: state.nextId++, file, originalUrl: URL.createObjectURL(file), state: 'waiting' };
    entry.card = makeCard(entry);
    $('results').appendChild(entry.card);
    state.entries.push(entry);
  }
  updateButtons();
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
  const divider = document.createElement('span');
  divider.className = 'divider';
  compare.appendChild(divider);
  const slider = card.querySelector('.slider');
  const apply = () => setSplit(card, Number(slider.value));
  slider.addEventListener('input', apply);
  setCardState(card, 'waiting', 'ready');
  return card;
}

// The original covers the left part of the result, up to the divider.
function setSplit(card, percent) {
  card.querySelector('.before').style.clipPath = `inset(0 ${100 - percent}% 0 0)`;
  card.querySelector('.divider').style.left = `calc(${percent}% - 1px)`;
}

function setCardState(card, st, text) {
  card.dataset.state = st;
  card.querySelector('.state').textContent = text;
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
  $('download-all').disabled = state.running || !state.entries.some((e) => e.state === 'done');
}

function updateProgress() {
  const total = state.entries.length;
  const finished = state.entries.filter((e) => e.state === 'done' || e.state === 'failed').length;
  const failed = state.entries.filter((e) => e.state === 'failed').length;
  $('progress').max = Math.max(1, total);
  $('progress').value = finished;
  $('progress-text').textContent =
    `${finished} of ${total} finished` + (failed ? ` · ${failed} failed` : '');
  $('progress-wrap').hidden = total === 0;
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
      for (const e of chunk) setCardState(e.card, 'waiting', `server busy, retrying in ${wait} s`);
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

async function followJob(job, chunk) {
  const url = '/api/v1/jobs/' + job.id;
  const fetched = new Set();
  for (;;) {
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) throw new Error(await errorText(res));
    const j = await res.json();
    for (const item of j.items) {
      const e = chunk[item.index];
      if (!e || fetched.has(item.index)) continue;
      if (item.state === 'done') {
        fetched.add(item.index);
        await fetchResult(e, item);
      } else if (item.state === 'failed' || item.state === 'cancelled') {
        fetched.add(item.index);
        e.state = 'failed';
        setCardState(e.card, 'failed', item.state);
        setCardError(e.card, item.error ? item.error.message : 'cancelled');
      } else {
        e.state = item.state;
        setCardState(e.card, item.state, stateText[item.state] || item.state);
      }
    }
    updateProgress();
    if (j.state !== 'running' && fetched.size === j.items.length) return;
    await sleep(300);
  }
}

async function fetchResult(e, item) {
  const res = await fetch(item.result_url, { cache: 'no-store' });
  if (!res.ok) {
    e.state = 'failed';
    setCardState(e.card, 'failed', 'failed');
    setCardError(e.card, await errorText(res));
    return;
  }
  e.resultBlob = await res.blob();
  if (e.resultUrl) URL.revokeObjectURL(e.resultUrl);
  e.resultUrl = URL.createObjectURL(e.resultBlob);
  e.filename = item.filename;
  const after = e.card.querySelector('.after');
  after.alt = 'cartoonized: ' + e.file.name;
  await new Promise((resolve) => {
    after.onload = resolve;
    after.onerror = resolve;
    after.src = e.resultUrl;
  });
  e.state = 'done';
  const ms = item.timings_ms ? Math.round(item.timings_ms.inference) : null;
  setCardState(e.card, 'done', 'done');
  setCardError(e.card, '');
  e.card.querySelector('.meta').textContent =
    `${item.width}×${item.height}` + (ms !== null ? ` · ${ms} ms on ${state.status ? state.status.device.id : 'device'}` : '') +
    (item.mode === 'portrait' ? ` · ${item.faces} face${item.faces === 1 ? '' : 's'}` : '');
  const a = e.card.querySelector('.download');
  a.href = e.resultUrl;
  a.download = item.filename;
  a.hidden = false;
}

async function run() {
  if (state.running) return;
  if (typeof upscaleActive === 'function' && upscaleActive()) return runUpscale();
  if (typeof restoreActive === 'function' && restoreActive()) return runRestore();
  showMessage('');
  const params = currentParams();
  const todo = state.entries;
  for (const e of todo) {
    e.state = 'waiting';
    setCardState(e.card, 'waiting', 'uploading…');
    setCardError(e.card, '');
    e.card.querySelector('.download').hidden = true;
  }
  state.running = true;
  updateButtons();
  updateProgress();
  try {
    for (const chunk of chunksFor(todo)) {
      try {
        const job = await submitJob(chunk, params);
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
  } finally {
    state.running = false;
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
  showMessage('');
  updateButtons();
  updateProgress();
}

// ---------- zip (stored, no compression: the images are compressed already) ----------

const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function makeZip(files) {  // files: [{name, bytes: Uint8Array}]
  const enc = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const crc = crc32(f.bytes);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, 0x0800, true);  // UTF-8 names
    local.setUint32(14, crc, true);
    local.setUint32(18, f.bytes.length, true);
    local.setUint32(22, f.bytes.length, true);
    local.setUint16(26, name.length, true);
    parts.push(local.buffer, name, f.bytes);
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, f.bytes.length, true);
    c.setUint32(24, f.bytes.length, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true);
    central.push(c.buffer, name);
    offset += 30 + name.length + f.bytes.length;
  }
  const centralSize = central.reduce((n, p) => n + (p.byteLength !== undefined ? p.byteLength : p.length), 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end.buffer], { type: 'application/zip' });
}

async function downloadAll() {
  const done = state.entries.filter((e) => e.state === 'done' && e.resultBlob);
  const used = new Set();
  const files = [];
  for (const e of done) {
    let name = e.filename;
    for (let i = 2; used.has(name); i++) name = e.filename.replace(/(\.[^.]+)$/, `-${i}$1`);
    used.add(name);
    files.push({ name, bytes: new Uint8Array(await e.resultBlob.arrayBuffer()) });
  }
  const url = URL.createObjectURL(makeZip(files));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'toonbox-results.zip';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
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
  $('run').addEventListener('click', run);
  $('clear').addEventListener('click', clearAll);
  $('download-all').addEventListener('click', downloadAll);
}

wire();
refreshStatus();
loadModels();
setInterval(refreshStatus, 3000);
