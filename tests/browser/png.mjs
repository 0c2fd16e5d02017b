// Reads an 8-bit, non-interlaced RGB or RGBA PNG (what stb_image_write writes) into RGBA8,
// and compares images (PSNR). For comparing the page's pixels with the native renderer's.
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
