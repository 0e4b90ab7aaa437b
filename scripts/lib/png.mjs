// Lossless PNG re-compression with node:zlib only (no image tools needed). Chromium writes its
// screenshots with a fast zlib setting and per-row filters; for UI pictures (flat areas, text)
// unfiltered rows at zlib level 9 are usually ~10% smaller. The pixels stay exactly the same.
import fs from 'node:fs';
import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Re-encodes an 8-bit RGB/RGBA, non-interlaced PNG with unfiltered rows at zlib level 9, and
 * writes it back only when that is smaller. Returns { before, after } in bytes; other PNG kinds
 * are left as they are.
 */
export function recompressPng(file) {
  const png = fs.readFileSync(file);
  const before = png.length;
  if (!png.subarray(0, 8).equals(SIGNATURE)) return { before, after: before };
  const chunks = [];
  for (let o = 8; o + 12 <= png.length;) {
    const len = png.readUInt32BE(o);
    chunks.push({ type: png.toString('ascii', o + 4, o + 8), data: png.subarray(o + 8, o + 8 + len) });
    o += 12 + len;
  }
  const ihdr = chunks[0]?.type === 'IHDR' ? chunks[0].data : undefined;
  if (!ihdr) return { before, after: before };
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const [depth, colorType, , , interlace] = ihdr.subarray(8, 13);
  if (depth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) return { before, after: before };
  const bpp = colorType === 6 ? 4 : 3;
  const stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  if (raw.length !== height * (stride + 1)) return { before, after: before };

  // Undo each row's filter, writing filter type 0 (none) in its place.
  const out = Buffer.alloc(raw.length);
  for (let y = 0; y < height; y++) {
    const src = y * (stride + 1);
    const filter = raw[src];
    out[src] = 0;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[src + 1 + i - bpp] : 0;
      const b = y > 0 ? out[src - stride - 1 + 1 + i] : 0;
      const c = y > 0 && i >= bpp ? out[src - stride - 1 + 1 + i - bpp] : 0;
      const x = raw[src + 1 + i];
      const pred = filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : 0;
      out[src + 1 + i] = (x + pred) & 0xff;
    }
  }
  const idat = zlib.deflateSync(out, { level: 9, memLevel: 9 });
  const rebuilt = Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    ...chunks.filter((c) => !['IHDR', 'IDAT', 'IEND'].includes(c.type)).map((c) => chunk(c.type, c.data)),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  if (rebuilt.length >= before) return { before, after: before };
  fs.writeFileSync(file, rebuilt);
  return { before, after: rebuilt.length };
}
