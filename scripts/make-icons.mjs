#!/usr/bin/env node
// Draws the Paddock icon (a fenced paddock: a rounded square with three rails) as PNGs in build/.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) { c = (crc ^ b) & 0xff; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; crc = (crc >>> 8) ^ c; }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) raw.set(pixel(x / size, y / size), y * (size * 4 + 1) + 1 + x * 4);
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const green = [46, 125, 82, 255], rail = [245, 240, 225, 255], clear = [0, 0, 0, 0];
const icon = (x, y) => {
  const r = 0.18, dx = Math.max(Math.abs(x - 0.5) - (0.5 - r - 0.04), 0), dy = Math.max(Math.abs(y - 0.5) - (0.5 - r - 0.04), 0);
  if (dx * dx + dy * dy > r * r) return clear;
  const post = (Math.abs(x - 0.3) < 0.04 || Math.abs(x - 0.7) < 0.04) && y > 0.25 && y < 0.78;
  const rails = [0.36, 0.5, 0.64].some((ry) => Math.abs(y - ry) < 0.025) && x > 0.2 && x < 0.8;
  return post || rails ? rail : green;
};
writeFileSync(new URL('../build/icon.png', import.meta.url), png(512, icon));
for (const s of [16, 32]) writeFileSync(new URL(`../build/tray-${s}.png`, import.meta.url), png(s, icon));
