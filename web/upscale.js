// toonbox serve: the "Upscale" task of the page, the task picker, and the one-image-at-a-
// time runner restore.js shares. Uses app.js's cards, progress and messages; each image
// goes to POST /api/v1/upscale on its own (an upscale's unit is one image: its tiles run
// on the device together), one at a time.
'use strict';

// The picked task: "cartoonize", "upscale" or "restore" (restore.js).
function currentTask() {
  const picked = document.querySelector('input[name="task"]:checked');
  return picked ? picked.value : 'cartoonize';
}

function upscaleActive() {
  return currentTask() === 'upscale';
}

// Shows the chosen task's options and hides the others'.
function applyTask() {
  const task = currentTask();
  for (const el of document.querySelectorAll('[data-task]')) el.hidden = el.dataset.task !== task;
  document.title = task === 'cartoonize' ? 'toonbox' : 'toonbox · ' + task;
  updateButtons();
}

function upscaleParams() {
  return {
    scale: $('scale').value,
    tta: $('tta').checked ? 'true' : 'false',
    precision: $('precision').value,
    format: $('format').value,
  };
}

// One image to `url` with `params` (a 429 is waited out and retried), its result shown in
// its card. Returns the response, for the task's own line under the card.
async function postImageTask(e, url, params, busyText, altText) {
  for (;;) {
    const form = new FormData();
    for (const [k, v] of Object.entries(params)) form.append(k, v);
    form.append('image', e.file, e.file.name);
    setCardState(e.card, 'running', busyText);
    e.elapsedMs = 0;
    e.elapsedAt = performance.now();
    const res = await fetch(url, { method: 'POST', body: form });
    if (res.status === 429) {
      const wait = Math.max(1, Number(res.headers.get('Retry-After')) || 2);
      setCardState(e.card, 'waiting', `server busy, retrying in ${wait} s`);
      await sleep(wait * 1000);
      continue;
    }
    if (!res.ok) {
      const err = new Error(await errorText(res));
      err.status = res.status;
      throw err;
    }
    e.resultBlob = await res.blob();
    if (e.resultUrl) URL.revokeObjectURL(e.resultUrl);
    e.resultUrl = URL.createObjectURL(e.resultBlob);
    const disposition = res.headers.get('Content-Disposition') || '';
    const m = disposition.match(/filename="([^"]+)"/);
    e.filename = m ? m[1] : 'result.' + params.format;
    const after = e.card.querySelector('.after');
    after.alt = altText + e.file.name;
    await new Promise((resolve) => { after.onload = resolve; after.onerror = resolve; after.src = e.resultUrl; });
    e.state = 'done';
    setCardState(e.card, 'done', 'done');
    setCardError(e.card, '');
    const a = e.card.querySelector('.download');
    a.href = e.resultUrl;
    a.download = e.filename;
    a.hidden = false;
    e.job = null;  // not a job's result: the server keeps nothing to zip
    if (typeof showCardActions === 'function') showCardActions(e);
    return res;
  }
}

// Runs `one(entry)` for every image, one at a time (an upscale's or a restore's unit is
// one image); `failed(entry, err)` marks one that failed (default: the error in its card).
async function runOneByOne(one, failed) {
  showMessage('');
  state.running = true;
  state.cancelled = false;
  state.runEntries = state.entries;
  state.runStarted = performance.now();
  updateButtons();
  updateProgress();
  const ticker = setInterval(tickElapsed, 100);
  try {
    for (const e of state.entries) {
      e.elapsedMs = undefined;  // one request each: no server figure until it answers
      e.state = 'waiting';
      setCardState(e.card, 'waiting', 'waiting');
      setCardError(e.card, '');
      e.card.querySelector('.download').hidden = true;
    }
    for (const e of state.entries) {
      if (state.cancelled) break;  // Cancel: the images not sent yet are not sent
      try {
        await one(e);
      } catch (err) {
        e.state = 'failed';
        setCardState(e.card, 'failed', 'failed');
        setCardError(e.card, err.message);
        if (!failed || !failed(e, err)) showMessage(err.message);
      }
      updateProgress();
    }
    if (state.cancelled) markCancelled();
  } finally {
    clearInterval(ticker);
    state.running = false;
    for (const e of state.entries) setCardState(e.card, e.card.dataset.state, e.card.querySelector('.state').textContent);
    updateButtons();
    updateProgress();
    refreshStatus();
  }
}

async function upscaleOne(e, params) {
  const res = await postImageTask(e, '/api/v1/upscale', params, 'upscaling…', 'upscaled: ');
  const size = res.headers.get('X-Toonbox-Size') || '';
  const model = res.headers.get('X-Toonbox-Model') || '';
  e.card.querySelector('.meta').textContent = `${size.replace('x', '×')} · ${model}`;
}

function runUpscale() {
  const params = upscaleParams();
  return runOneByOne((e) => upscaleOne(e, params));
}

for (const radio of document.querySelectorAll('input[name="task"]')) radio.addEventListener('change', applyTask);
applyTask();
