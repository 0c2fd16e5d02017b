// Reads an 8-bit, non-interlaced RGB or RGBA PNG (what stb_image_write writes) into RGBA8,
// compares images (PSNR) and writes RGBA8 as a PNG (to keep what a failing test saw). For
// comparing the page's pixels with the native renderer's.
import fs from 'node:fs';
import zlib from 'node:zlib';

export function readPng(path) {
  const data = fs.readFileSync(path);
  if (data.readUInt32BE(0) !== 0x89504e47) throw new Error(`${path}: not a PNG`);
  let position = 8, width = 0, height = 0, channels = 0;
  const compressed = [];
  while (position < data.length) {
    const length = data.readUInt32BE(position);
    const type = data.toString('ascii', position + 4, position + 8);
    const body = data.subarray(position + 8, position + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) throw new Error(`${path}: only 8-bit RGB/RGBA non-interlaced PNGs are supported`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      compressed.push(body);
    }
    position += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(compressed));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; ++x) {
      const left = x >= channels ? pixels[y * stride + x - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let value = line[x];
      if (filter === 1) value += left;
      else if (filter === 2) value += up;
      else if (filter === 3) value += (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft, pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
        value += pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = value & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4, 255);
  for (let i = 0; i < width * height; ++i) pixels.copy(rgba, i * 4, i * channels, i * channels + 3);
  return { width, height, rgba };
}

// Peak signal-to-noise ratio over the RGB channels (Infinity for identical images), and
// how many pixels differ at all.
export function compareImages(a, b) {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let squared = 0, differing = 0;
  for (let i = 0; i < a.width * a.height; ++i) {
    let pixelDiffers = false;
    for (let c = 0; c < 3; ++c) {
      const d = a.rgba[i * 4 + c] - b.rgba[i * 4 + c];
      squared += d * d;
      if (d) pixelDiffers = true;
    }
    if (pixelDiffers) differing += 1;
  }
  const mse = squared / (a.width * a.height * 3);
  return { psnr: mse === 0 ? Infinity : 10 * Math.log10(255 * 255 / mse), differingPixels: differing };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Writes {width, height, rgba} (RGBA8) as a PNG file.
export function writePng(path, { width, height, rgba }) {
  const chunk = (type, body) => {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(body.length, 0);
    header.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), body])), 0);
    return Buffer.concat([header, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; ++y) Buffer.from(rgba.subarray(y * width * 4, (y + 1) * width * 4)).copy(raw, y * (width * 4 + 1) + 1);
  fs.writeFileSync(path, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}
