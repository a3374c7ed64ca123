// "Erase" mode: paint over what to remove (brush size, eraser, undo, clear), run
// POST /api/v1/inpaint, compare before/after, download. The mask is painted at the photo's
// own resolution (white = remove), so what the server fills is exactly what was painted.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const panel = $('erase-panel');
  const cartoonPanels = [...document.querySelectorAll('main > section')].filter((s) => s !== panel);
  panel.innerHTML = `
    <label id="erase-drop" class="drop" for="erase-file" tabindex="0">
      <span class="drop-main">Drop a photo here, or <u>choose one</u></span>
      <span class="drop-hint">then paint over what to remove</span>
      <input id="erase-file" type="file" accept="image/png,image/jpeg,image/webp">
    </label>
    <div class="options erase-tools">
      <label>Brush <output id="erase-size-value" for="erase-size">24 px</output>
        <input id="erase-size" type="range" min="2" max="200" value="24"></label>
      <label><input id="erase-eraser" type="checkbox"> eraser (unpaint)</label>
      <label>Method
        <select id="erase-model">
          <option value="default" selected>default</option>
          <option value="telea">telea (built-in)</option>
          <option value="ns">Navier-Stokes (built-in)</option>
        </select></label>
      <label>Grow mask <output id="erase-dilate-value" for="erase-dilate">0 px</output>
        <input id="erase-dilate" type="range" min="0" max="32" value="0"></label>
    </div>
    <div id="erase-stage" class="erase-stage" hidden>
      <canvas id="erase-photo"></canvas>
      <canvas id="erase-overlay"></canvas>
    </div>
    <div class="actions">
      <button id="erase-run" type="button" disabled>Erase</button>
      <button id="erase-undo" type="button" class="secondary" disabled>Undo</button>
      <button id="erase-clear" type="button" class="secondary" disabled>Clear</button>
      <a id="erase-download" class="download" hidden>Download</a>
    </div>
    <p id="erase-message" class="message" role="alert" hidden></p>
    <div id="erase-result" class="compare erase-compare" hidden>
      <img class="after" id="erase-after" alt="result">
      <img class="before" id="erase-before" alt="original">
      <span class="divider" id="erase-divider"></span>
      <span class="label label-before">before</span>
      <span class="label label-after">after</span>
      <input class="slider" id="erase-slider" type="range" min="0" max="100" value="50" aria-label="before / after">
    </div>`;

  const st = { file: null, image: null, strokes: [], current: null, resultUrl: null, originalUrl: null };
  const photo = $('erase-photo'), overlay = $('erase-overlay');
  const mask = document.createElement('canvas');  // the photo's resolution, black = keep

  function show(mode) {
    const erase = mode === 'erase';
    panel.hidden = !erase;
    for (const s of cartoonPanels) s.hidden = erase;
    $('mode-cartoonize').setAttribute('aria-pressed', String(!erase));
    $('mode-erase').setAttribute('aria-pressed', String(erase));
  }

  function message(text) {
    $('erase-message').textContent = text || '';
    $('erase-message').hidden = !text;
  }

  function buttons() {
    $('erase-run').disabled = !st.image || st.strokes.length === 0;
    $('erase-undo').disabled = st.strokes.length === 0;
    $('erase-clear').disabled = st.strokes.length === 0;
  }

  // Both the mask and its red overlay from the strokes, so undo is a redraw.
  function redraw() {
    const m = mask.getContext('2d'), o = overlay.getContext('2d');
    m.fillStyle = '#000';
    m.fillRect(0, 0, mask.width, mask.height);
    o.clearRect(0, 0, overlay.width, overlay.height);
    const all = st.current ? [...st.strokes, st.current] : st.strokes;
    for (const s of all) {
      for (const [ctx, colour] of [[m, s.erase ? '#000' : '#fff'], [o, 'rgba(255,40,40,0.55)']]) {
        ctx.save();
        ctx.globalCompositeOperation = ctx === o && s.erase ? 'destination-out' : 'source-over';
        ctx.strokeStyle = colour;
        ctx.fillStyle = colour;
        ctx.lineWidth = s.size;
        ctx.lineCap = 'round';
        ctx.lineJoin = 'round';
        ctx.beginPath();
        ctx.moveTo(s.points[0][0], s.points[0][1]);
        for (const [x, y] of s.points.slice(1)) ctx.lineTo(x, y);
        if (s.points.length === 1) ctx.lineTo(s.points[0][0] + 0.01, s.points[0][1]);
        ctx.stroke();
        ctx.restore();
      }
    }
  }

  function toImage(ev) {
    const r = overlay.getBoundingClientRect();
    return [(ev.clientX - r.left) * overlay.width / r.width, (ev.clientY - r.top) * overlay.height / r.height];
  }

  async function load(file) {
    if (!file) return;
    message('');
    try {
      st.image = await createImageBitmap(file);
    } catch (e) {
      message(`${file.name}: the browser cannot read this file as an image`);
      return;
    }
    st.file = file;
    st.strokes = [];
    for (const c of [photo, overlay, mask]) {
      c.width = st.image.width;
      c.height = st.image.height;
    }
    photo.getContext('2d').drawImage(st.image, 0, 0);
    redraw();
    $('erase-stage').hidden = false;
    $('erase-result').hidden = true;
    $('erase-download').hidden = true;
    if (st.originalUrl) URL.revokeObjectURL(st.originalUrl);
    st.originalUrl = URL.createObjectURL(file);
    buttons();
  }

  function setSplit(percent) {
    $('erase-before').style.clipPath = `inset(0 ${100 - percent}% 0 0)`;
    $('erase-divider').style.left = `calc(${percent}% - 1px)`;
  }

  async function run() {
    message('');
    $('erase-run').disabled = true;
    $('erase-run').textContent = 'Erasing…';
    try {
      const maskBlob = await new Promise((resolve) => mask.toBlob(resolve, 'image/png'));
      const form = new FormData();
      form.append('image', st.file, st.file.name);
      form.append('mask', maskBlob, 'mask.png');
      form.append('model', $('erase-model').value);
      form.append('dilate', $('erase-dilate').value);
      form.append('format', 'png');
      const res = await fetch('/api/v1/inpaint', { method: 'POST', body: form, credentials: 'same-origin' });
      if (!res.ok) {
        let text = `${res.status} ${res.statusText}`;
        try { text = (await res.json()).error.message; } catch (e) { /* not JSON */ }
        message(text);
        return;
      }
      const blob = await res.blob();
      if (st.resultUrl) URL.revokeObjectURL(st.resultUrl);
      st.resultUrl = URL.createObjectURL(blob);
      $('erase-after').src = st.resultUrl;
      $('erase-before').src = st.originalUrl;
      $('erase-result').hidden = false;
      $('erase-result').dataset.filled = res.headers.get('X-Toonbox-Filled-Pixels') || '';
      setSplit(Number($('erase-slider').value));
      const a = $('erase-download');
      a.href = st.resultUrl;
      a.download = st.file.name.replace(/\.[^.]*$/, '') + '-clean.png';
      a.hidden = false;
    } catch (e) {
      message(`the request failed: ${e.message}`);
    } finally {
      $('erase-run').textContent = 'Erase';
      buttons();
    }
  }

  overlay.addEventListener('pointerdown', (ev) => {
    if (!st.image) return;
    overlay.setPointerCapture(ev.pointerId);
    const scale = overlay.width / overlay.getBoundingClientRect().width;
    st.current = { size: Number($('erase-size').value) * scale, erase: $('erase-eraser').checked, points: [toImage(ev)] };
    redraw();
  });
  overlay.addEventListener('pointermove', (ev) => {
    if (!st.current) return;
    st.current.points.push(toImage(ev));
    redraw();
  });
  const finish = () => {
    if (!st.current) return;
    st.strokes.push(st.current);
    st.current = null;
    redraw();
    buttons();
  };
  overlay.addEventListener('pointerup', finish);
  overlay.addEventListener('pointercancel', finish);

  $('erase-file').addEventListener('change', () => load($('erase-file').files[0]));
  $('erase-drop').addEventListener('dragover', (ev) => ev.preventDefault());
  $('erase-drop').addEventListener('drop', (ev) => { ev.preventDefault(); load(ev.dataTransfer.files[0]); });
  $('erase-size').addEventListener('input', () => { $('erase-size-value').textContent = $('erase-size').value + ' px'; });
  $('erase-dilate').addEventListener('input', () => { $('erase-dilate-value').textContent = $('erase-dilate').value + ' px'; });
  $('erase-undo').addEventListener('click', () => { st.strokes.pop(); redraw(); buttons(); });
  $('erase-clear').addEventListener('click', () => { st.strokes = []; redraw(); buttons(); });
  $('erase-run').addEventListener('click', run);
  $('erase-slider').addEventListener('input', () => setSplit(Number($('erase-slider').value)));
  $('mode-cartoonize').addEventListener('click', () => show('cartoonize'));
  $('mode-erase').addEventListener('click', () => show('erase'));
  show(location.hash === '#erase' ? 'erase' : 'cartoonize');
})();
