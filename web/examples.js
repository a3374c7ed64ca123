// toonbox serve: the examples gallery. The examples are drawn here, on a canvas, by code
// (a face-like figure on a gradient, as the browser tests' fixtures): no photo of anyone
// is shipped in the binary. A click adds the example to the images as a PNG file.
'use strict';

const kExamples = [
  { name: 'example-sunset.png', title: 'Sunset', w: 480, h: 600, sky: ['#f6a04d', '#7a3b8f'], skin: '#eebd9a', hair: '#3b2418', shirt: '#2f6f8f' },
  { name: 'example-sea.png', title: 'Sea', w: 600, h: 480, sky: ['#9fd6f0', '#2a6fb0'], skin: '#c98f6b', hair: '#1d1d24', shirt: '#d2461f' },
  { name: 'example-forest.png', title: 'Forest', w: 480, h: 480, sky: ['#cfe8b0', '#3f7a3a'], skin: '#f3cfb3', hair: '#a0522d', shirt: '#5b4a8a' },
];

// A figure: background gradient, shoulders, head, hair, eyes, mouth.
function drawExample(ctx, ex) {
  const { w, h } = ex;
  const g = ctx.createLinearGradient(0, 0, w * 0.3, h);
  g.addColorStop(0, ex.sky[0]);
  g.addColorStop(1, ex.sky[1]);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
  const cx = w / 2, cy = h * 0.45, rx = Math.min(w, h) * 0.2, ry = rx * 1.25;
  ctx.fillStyle = ex.shirt;
  ctx.beginPath();
  ctx.ellipse(cx, h * 1.02, rx * 2.1, h * 0.3, 0, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = ex.skin;
  ctx.fillRect(cx - rx * 0.35, cy + ry * 0.7, rx * 0.7, ry * 0.6);  // neck
  ctx.fillStyle = ex.hair;
  ctx.beginPath();
  ctx.ellipse(cx, cy - ry * 0.15, rx * 1.12, ry * 1.05, 0, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = ex.skin;
  ctx.beginPath();
  ctx.ellipse(cx, cy + ry * 0.08, rx, ry * 0.92, 0, 0, 2 * Math.PI);
  ctx.fill();
  for (const side of [-1, 1]) {
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.ellipse(cx + side * rx * 0.4, cy - ry * 0.05, rx * 0.17, rx * 0.11, 0, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = '#2b2220';
    ctx.beginPath();
    ctx.arc(cx + side * rx * 0.4, cy - ry * 0.05, rx * 0.08, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = ex.hair;
    ctx.lineWidth = rx * 0.06;
    ctx.beginPath();
    ctx.moveTo(cx + side * rx * 0.6, cy - ry * 0.25);
    ctx.lineTo(cx + side * rx * 0.2, cy - ry * 0.28);
    ctx.stroke();
  }
  ctx.strokeStyle = '#9b3b46';
  ctx.lineWidth = rx * 0.07;
  ctx.beginPath();
  ctx.arc(cx, cy + ry * 0.3, rx * 0.3, 0.15 * Math.PI, 0.85 * Math.PI);
  ctx.stroke();
}

function exampleCanvas(ex) {
  const c = document.createElement('canvas');
  c.width = ex.w;
  c.height = ex.h;
  drawExample(c.getContext('2d'), ex);
  return c;
}

function buildExamples() {
  const list = $('examples-list');
  for (const ex of kExamples) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'example';
    button.dataset.name = ex.name;
    button.title = `add ${ex.name} (${ex.w}×${ex.h}, drawn by code)`;
    const thumb = exampleCanvas(ex);
    thumb.className = 'example-thumb';
    const caption = document.createElement('span');
    caption.textContent = `${ex.title} · ${ex.w}×${ex.h}`;
    button.append(thumb, caption);
    button.addEventListener('click', () => {
      exampleCanvas(ex).toBlob((blob) => {
        if (blob) addFiles([new File([blob], ex.name, { type: 'image/png' })]);
      }, 'image/png');
    });
    list.appendChild(button);
  }
}

buildExamples();
