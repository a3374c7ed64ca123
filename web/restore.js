// toonbox serve: the "Restore faces" task of the page. The restorers, their licences and
// the upscale factors come from GET /api/v1/models ("restore"); each image goes to
// POST /api/v1/restore on its own, one at a time, through upscale.js's runner.
'use strict';

const restoreState = { models: [], info: null };

function restoreActive() {
  return currentTask() === 'restore';
}

function chosenRestorer() {
  return restoreState.models.find((m) => m.name === $('restore-model').value) || null;
}

// The chosen model's licence (and non-commercial notice), and its fidelity slider only
// when it takes a fidelity weight (CodeFormer).
function applyRestoreModel() {
  const m = chosenRestorer();
  const licence = $('restore-licence');
  const info = restoreState.info;
  if (!m) {
    licence.textContent = info && info.models.length === 0
      ? 'No face restorer installed: import one with `toonbox models import gfpgan_1.4.onnx` (GFPGAN, GPEN-BFR, CodeFormer or RestoreFormer++ ONNX exports).'
      : '';
    licence.className = 'licence notice';
  } else {
    const nc = m.non_commercial === true;
    // The registry's licence text says "non-commercial" itself where it applies.
    const said = /non-commercial/i.test(m.licence);
    licence.textContent = `${m.restorer} · licence: ${m.licence}` + (nc && !said ? ' — non-commercial use only' : '');
    licence.className = 'licence' + (nc ? ' notice' : '');
  }
  if (info && !info.detector) licence.textContent += ' Restoring needs a face detector: import YuNet (`toonbox models import yunet_n_dynamic.onnx`).';
  $('fidelity-label').hidden = !restoreActive() || !(m && m.fidelity === true);
  licence.hidden = !restoreActive();
}

async function loadRestorers() {
  try {
    const res = await fetch('/api/v1/models', { cache: 'no-store' });
    if (!res.ok) return;
    const info = (await res.json()).restore;
    if (!info) return;
    restoreState.info = info;
    restoreState.models = info.models;
    const select = $('restore-model');
    select.textContent = '';
    for (const m of info.models) {
      const opt = document.createElement('option');
      opt.value = m.name;
      opt.textContent = m.name + (m.non_commercial ? ' (non-commercial)' : '');
      opt.title = m.description + ' · licence: ' + m.licence;
      select.appendChild(opt);
    }
    const up = $('restore-upscale');
    up.textContent = '';
    for (const n of info.upscale) {
      const opt = document.createElement('option');
      opt.value = String(n);
      opt.textContent = n === 1 ? 'no (same size)' : `${n}× (background upscaled)`;
      up.appendChild(opt);
    }
    up.title = info.upscale.length > 1 ? '' : 'install realesr-animevideov3-x2 (or -x3, -x4) to upscale the background';
    applyRestoreModel();
  } catch (e) { /* the status bar already says the server is unreachable */ }
}

function restoreParams() {
  const p = {
    upscale: $('restore-upscale').value || '1',
    faces_only: $('faces-only').checked ? 'true' : 'false',
    precision: $('precision').value,
    format: $('format').value,
  };
  if ($('restore-model').value) p.model = $('restore-model').value;
  if (!$('fidelity-label').hidden) p.fidelity = String(Number($('fidelity').value) / 100);
  return p;
}

async function restoreOne(e, params) {
  const res = await postImageTask(e, '/api/v1/restore', params, 'restoring faces…', 'restored: ');
  const h = (name) => res.headers.get(name) || '';
  const faces = Number(h('X-Toonbox-Faces')), skipped = Number(h('X-Toonbox-Faces-Skipped'));
  e.card.dataset.faces = String(faces);
  e.card.querySelector('.meta').textContent =
    `${h('X-Toonbox-Size').replace('x', '×')} · ${h('X-Toonbox-Model')} · ${faces} face${faces === 1 ? '' : 's'} restored` +
    (skipped ? ` · ${skipped} not restored` : '') + (h('X-Toonbox-Notes') ? ` · ${h('X-Toonbox-Notes')}` : '');
}

function runRestore() {
  const params = restoreParams();
  // faces_only and no face (422): the card says so; not an error of the whole run.
  return runOneByOne((e) => restoreOne(e, params), (e, err) => {
    if (err.status !== 422) return false;
    setCardState(e.card, 'failed', 'no face');
    return true;
  });
}

$('restore-model').addEventListener('change', applyRestoreModel);
$('fidelity').addEventListener('input', () => {
  $('fidelity-value').textContent = (Number($('fidelity').value) / 100).toFixed(2);
});
for (const radio of document.querySelectorAll('input[name="task"]')) radio.addEventListener('change', applyRestoreModel);
loadRestorers();
