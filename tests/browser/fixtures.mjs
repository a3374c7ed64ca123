// Test images written with Node's zlib only: a face-like figure on a gradient (so the
// built-in style has edges and flat areas to show) and a file that is not an image.
import { deflateSync } from 'node:zlib';

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

// pixel(x, y) -> [r, g, b]
export function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export function portrait(width, height, hue = 0) {
  return png(width, height, (x, y) => {
    const bg = [90 + (100 * y) / height, 140 + (60 * x) / width, 200].map((v, i) => (v + hue * (i + 1)) % 256);
    const dx = (x - width / 2) / (width * 0.25), dy = (y - height / 2) / (height * 0.37);
    if (dx * dx + dy * dy < 1) {
      for (const ex of [-0.4, 0.4]) if ((dx - ex) ** 2 + (dy + 0.25) ** 2 < 0.02) return [40, 30, 30];
      if (Math.abs(dy - 0.4) < 0.05 && Math.abs(dx) < 0.35) return [150, 50, 60];
      return [235, 190, 160];
    }
    if (dy > 0.9 && Math.abs(dx) < 1.6) return [60, 70, 140];
    return bg.map(Math.round);
  });
}

export const notAnImage = Buffer.from('this is a text file, not a photo\n');
