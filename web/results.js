// toonbox serve: what a result card does once it has a result. The before/after slider
// (a visible handle dragged with a mouse or a finger, or moved with the arrow keys), the
// full-size view (an overlay at 100 % that scrolls; Esc closes it), re-running one image,
// and two styles side by side. Uses app.js's state, cards and job runner.
'use strict';

// ---------- before/after slider ----------

// The original covers the left part of the result, up to the divider and its handle.
function setSplit(card, percent) {
  const p = Math.min(100, Math.max(0, percent));
  card.querySelector('.before').style.clipPath = `inset(0 ${100 - p}% 0 0)`;
  card.querySelector('.divider').style.left = `${p}%`;
  const slider = card.querySelector('.slider');
  if (Number(slider.value) !== Math.round(p)) slider.value = String(Math.round(p));
  slider.setAttribute('aria-valuetext', `${Math.round(p)} % original`);
}

// Pointer events (mouse, pen and touch alike) move the divider to where the pointer is;
// the range input underneath is for the keyboard and screen readers. `touch-action: pan-y`
// in the CSS leaves vertical scrolling to the browser, so a phone still scrolls the page.
function wireSlider(card) {
  const compare = card.querySelector('.compare');
  const slider = card.querySelector('.slider');
  const at = (ev) => {
    const r = compare.getBoundingClientRect();
    return ((ev.clientX - r.left) / r.width) * 100;
  };
  compare.addEventListener('pointerdown', (ev) => {
    if (card.dataset.state !== 'done' || ev.button > 0) return;
    compare.setPointerCapture(ev.pointerId);
    compare.classList.add('dragging');
    setSplit(card, at(ev));
    ev.preventDefault();
    slider.focus({ preventScroll: true });
  });
  compare.addEventListener('pointermove', (ev) => {
    if (compare.hasPointerCapture(ev.pointerId)) setSplit(card, at(ev));
  });
  const end = (ev) => {
    if (compare.hasPointerCapture(ev.pointerId)) compare.releasePointerCapture(ev.pointerId);
    compare.classList.remove('dragging');
  };
  compare.addEventListener('pointerup', end);
  compare.addEventListener('pointercancel', end);
  slider.addEventListener('input', () => setSplit(card, Number(slider.value)));
}

// ---------- full-size view ----------

const viewer = { entry: null, showing: 'result', opener: null };

function openViewer(e) {
  viewer.entry = e;
  viewer.showing = 'result';
  viewer.opener = document.activeElement;
  showViewerImage();
  $('viewer').hidden = false;
  document.body.classList.add('viewing');
  $('viewer-close').focus();
}

function showViewerImage() {
  const e = viewer.entry;
  const result = viewer.showing === 'result';
  $('viewer-img').src = result ? e.resultUrl : e.originalUrl;
  $('viewer-img').alt = (result ? 'result: ' : 'original: ') + e.file.name;
  $('viewer-title').textContent = `${e.file.name} · ${result ? 'result' : 'original'} at 100 %`;
  $('viewer-toggle').textContent = result ? 'Show original' : 'Show result';
}

function closeViewer() {
  if ($('viewer').hidden) return;
  $('viewer').hidden = true;
  $('viewer-img').removeAttribute('src');
  document.body.classList.remove('viewing');
  if (viewer.opener && viewer.opener.focus) viewer.opener.focus();
  viewer.entry = null;
}

$('viewer-close').addEventListener('click', closeViewer);
$('viewer-toggle').addEventListener('click', () => {
  viewer.showing = viewer.showing === 'result' ? 'original' : 'result';
  showViewerImage();
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') closeViewer();
});

// ---------- two styles side by side ----------

// The second-style pickers list the same styles as the main one.
function fillStyleChoices() {
  for (const select of document.querySelectorAll('.style-b')) fillStyleSelect(select);
}

function fillStyleSelect(select) {
  const keep = select.value;
  select.textContent = '';
  for (const opt of $('model').options) select.appendChild(opt.cloneNode(true));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

function sideA(e) {
  const fig = e.card.querySelector('.side-a');
  fig.querySelector('img').src = e.resultUrl;
  fig.querySelector('img').alt = 'first style: ' + e.file.name;
  fig.querySelector('figcaption').textContent = e.label || 'this result';
}

// Runs the entry's image once more with the second style's settings, as its own job, and
// shows the result beside the card's (which stays as it was).
async function runSecondStyle(e) {
  if (state.running) return;
  const card = e.card;
  const params = { ...currentParams(), model: card.querySelector('.style-b').value,
    strength: String(Number(card.querySelector('.strength-b').value) / 100) };
  const label = paramsLabel(params);
  const fig = card.querySelector('.side-b');
  const caption = fig.querySelector('figcaption');
  sideA(e);
  // The job runner's view of this image: its state and elapsed time go to the caption.
  const proxy = { file: e.file, state: 'uploading' };
  let done = null, error = '';
  state.running = true;
  state.cancelled = false;
  updateButtons();
  fig.dataset.state = 'running';
  caption.textContent = label + ' · uploading…';
  try {
    const job = await submitJob([proxy], params);
    await followJob(job, [proxy], {
      done: async (p, item) => { done = item; },
      state: (p, st, text, item) => {
        caption.textContent = `${label} · ${text} · ${formatElapsed(item.elapsed_ms)}`;
        if (item.error) error = item.error.message;
      },
    });
    if (!done) throw new Error(error || (state.cancelled ? 'cancelled' : 'the second style did not finish'));
    const res = await fetch(done.result_url, { cache: 'no-store' });
    if (!res.ok) throw new Error(await errorText(res));
    if (e.styleBUrl) URL.revokeObjectURL(e.styleBUrl);
    e.styleBUrl = URL.createObjectURL(await res.blob());
    const img = fig.querySelector('img');
    await new Promise((r) => { img.onload = r; img.onerror = r; img.src = e.styleBUrl; });
    img.alt = 'second style: ' + e.file.name;
    caption.textContent = label;
    fig.dataset.state = 'done';
  } catch (err) {
    caption.textContent = `${label} · failed: ${err.message}`;
    fig.dataset.state = 'failed';
  } finally {
    state.running = false;
    updateButtons();
    updateProgress();  // the bar's spinner stops
  }
}

// ---------- the card's buttons ----------

function wireCard(card, e) {
  wireSlider(card);
  card.querySelector('.full-size').addEventListener('click', () => openViewer(e));
  card.querySelector('.compare').addEventListener('dblclick', () => { if (e.state === 'done') openViewer(e); });
  card.querySelector('.rerun').addEventListener('click', () => runEntries([e]));
  card.querySelector('.compare-styles').addEventListener('click', () => {
    const box = card.querySelector('.style-compare');
    box.hidden = !box.hidden;
    if (!box.hidden) {
      fillStyleSelect(card.querySelector('.style-b'));
      sideA(e);
    }
  });
  const strength = card.querySelector('.strength-b');
  strength.addEventListener('input', () => {
    card.querySelector('.strength-b-value').textContent = strength.value + '%';
  });
  card.querySelector('.run-b').addEventListener('click', () => runSecondStyle(e));
}

// After a result: full size always; re-run and the second style for cartoonize results
// (the ones that went through a job).
function showCardActions(e) {
  const card = e.card;
  card.querySelector('.full-size').hidden = false;
  card.querySelector('.rerun').hidden = !e.job;
  card.querySelector('.compare-styles').hidden = !e.job;
  if (!card.querySelector('.style-compare').hidden) sideA(e);
}
