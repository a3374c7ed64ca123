// toonbox serve: the "Upscale" task of the page. Uses app.js's cards, progress and
// messages; each image goes to POST /api/v1/upscale on its own (an upscale's unit is
// one image: its tiles run on the device together), one at a time.
'use strict';

function upscaleActive() {
  const picked = document.querySelector('input[name="task"]:checked');
  return !!picked && picked.value === 'upscale';
}

// Shows the chosen task's options and hides the other's.
function applyTask() {
  const up = upscaleActive();
  for (const el of document.querySelectorAll('[data-task]')) el.hidden = el.dataset.task !== (up ? 'upscale' : 'cartoonize');
  document.title = up ? 'toonbox · upscale' : 'toonbox';
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

async function upscaleOne(e, params) {
  for (;;) {
    const form = new FormData();
    for (const [k, v] of Object.entries(params)) form.append(k, v);
    form.append('image', e.file, e.file.name);
    setCardState(e.card, 'running', 'upscaling…');
    const res = await fetch('/api/v1/upscale', { method: 'POST', body: form });
    if (res.status === 429) {
      const wait = Math.max(1, Number(res.headers.get('Retry-After')) || 2);
      setCardState(e.card, 'waiting', `server busy, retrying in ${wait} s`);
      await sleep(wait * 1000);
      continue;
    }
    if (!res.ok) throw new Error(await errorText(res));
    e.resultBlob = await res.blob();
    if (e.resultUrl) URL.revokeObjectURL(e.resultUrl);
    e.resultUrl = URL.createObjectURL(e.resultBlob);
    const disposition = res.headers.get('Content-Disposition') || '';
    const m = disposition.match(/filename="([^"]+)"/);
    e.filename = m ? m[1] : 'upscaled.' + params.format;
    const after = e.card.querySelector('.after');
    after.alt = 'upscaled: ' + e.file.name;
    await new Promise((resolve) => { after.onload = resolve; after.onerror = resolve; after.src = e.resultUrl; });
    e.state = 'done';
    setCardState(e.card, 'done', 'done');
    setCardError(e.card, '');
    const size = res.headers.get('X-Toonbox-Size') || '';
    const model = res.headers.get('X-Toonbox-Model') || '';
    e.card.querySelector('.meta').textContent = `${size.replace('x', '×')} · ${model}`;
    const a = e.card.querySelector('.download');
    a.href = e.resultUrl;
    a.download = e.filename;
    a.hidden = false;
    return;
  }
}

async function runUpscale() {
  showMessage('');
  const params = upscaleParams();
  state.running = true;
  updateButtons();
  updateProgress();
  try {
    for (const e of state.entries) {
      e.state = 'waiting';
      setCardState(e.card, 'waiting', 'waiting');
      setCardError(e.card, '');
      e.card.querySelector('.download').hidden = true;
    }
    for (const e of state.entries) {
      try {
        await upscaleOne(e, params);
      } catch (err) {
        e.state = 'failed';
        setCardState(e.card, 'failed', 'failed');
        setCardError(e.card, err.message);
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

for (const radio of document.querySelectorAll('input[name="task"]')) radio.addEventListener('change', applyTask);
applyTask();
