'use strict';
// Draws the extension icon (128x128) and the task icon (32x32): a stack of
// image layers on an Azure-blue rounded square. Plain Node (zlib + CRC-32)
// so the PNGs can be regenerated without image tools:
//   node images/make-icons.js
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size, rgbaAt) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0: none
    for (let x = 0; x < size; x++) Buffer.from(rgbaAt(x, y)).copy(row, 1 + x * 4);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// The design in unit coordinates (0..1), sampled 4x4 per pixel for smooth edges.
function colourAt(u, v) {
  const r = 0.18; // corner radius
  const dx = Math.max(r - u, 0, u - (1 - r));
  const dy = Math.max(r - v, 0, v - (1 - r));
  if (dx * dx + dy * dy > r * r) return [0, 0, 0, 0];
  // Azure blue, lighter at the top.
  let colour = [0, 120 - 40 * v + 20, 212 - 30 * v, 255];
  const layers = [
    { cy: 0.68, alpha: 0.55 },
    { cy: 0.53, alpha: 0.78 },
    { cy: 0.38, alpha: 1 },
  ];
  for (const { cy, alpha } of layers) {
    const d = Math.abs(u - 0.5) / 0.32 + Math.abs(v - cy) / 0.16;
    if (d <= 1.18) colour = [0, 90, 170, 255]; // a dark rim keeps the layers apart
    if (d <= 1) colour = colour.map((c, i) => (i === 3 ? 255 : c * (1 - alpha) + 255 * alpha));
  }
  return colour;
}

function draw(size) {
  const samples = 4;
  return png(size, (x, y) => {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < samples; sy++) {
      for (let sx = 0; sx < samples; sx++) {
        const c = colourAt((x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size);
        // Premultiply so transparent samples do not darken the edges.
        for (let i = 0; i < 3; i++) sum[i] += c[i] * c[3];
        sum[3] += c[3];
      }
    }
    const a = sum[3] / (samples * samples);
    return sum[3] === 0 ? [0, 0, 0, 0] : [sum[0] / sum[3], sum[1] / sum[3], sum[2] / sum[3], a].map(Math.round);
  });
}

const root = path.resolve(__dirname, '..');
fs.writeFileSync(path.join(root, 'images', 'extension-icon.png'), draw(128));
fs.writeFileSync(path.join(root, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1', 'icon.png'), draw(32));
console.log('wrote images/extension-icon.png and tasks/AzureImageBuilder/AzureImageBuilderV1/icon.png');
