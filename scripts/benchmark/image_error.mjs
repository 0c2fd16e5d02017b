// How far an image is from a reference of the same scene: the root mean square error over
// every pixel and colour channel, of the tone-mapped 8-bit image (what the page shows: PNG or
// the page's RGBA) and of the linear radiance (PFM files from `render --linear-out`, before
// the tone curve clips highlights). For the convergence measure.
import fs from 'node:fs';

// A colour PFM ("PF", what render --linear-out writes): {width, height, rgb: Float32Array}
// with rows top to bottom (the file stores them bottom to top).
export function readPfm(path) {
  const data = fs.readFileSync(path);
  let position = 0;
  const token = () => {
    while (/\s/.test(String.fromCharCode(data[position]))) ++position;
    const start = position;
    while (!/\s/.test(String.fromCharCode(data[position]))) ++position;
    return data.toString('ascii', start, position);
  };
  if (token() !== 'PF') throw new Error(`${path}: not a colour PFM`);
  const width = Number(token()), height = Number(token()), scale = Number(token());
  position += 1;  // the single whitespace byte before the floats
  if (!(width > 0 && height > 0 && scale !== 0)) throw new Error(`${path}: bad PFM header`);
  if (data.length - position !== width * height * 12) throw new Error(`${path}: expected ${width * height * 12} bytes of floats, found ${data.length - position}`);
  const rgb = new Float32Array(width * height * 3);
  for (let row = 0; row < height; ++row) {
    const fileRow = height - 1 - row;
    for (let i = 0; i < width * 3; ++i) {
      const offset = position + (fileRow * width * 3 + i) * 4;
      rgb[row * width * 3 + i] = scale < 0 ? data.readFloatLE(offset) : data.readFloatBE(offset);
    }
  }
  return { width, height, rgb };
}

function checkSameSize(a, b) {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}x${a.height} against ${b.width}x${b.height}`);
}

// RMSE of two RGBA8 images ({width, height, rgba}) over R, G and B, in 8-bit steps (0-255).
export function rmse8(image, reference) {
  checkSameSize(image, reference);
  let squared = 0;
  for (let i = 0; i < image.width * image.height; ++i) {
    for (let c = 0; c < 3; ++c) {
      const d = image.rgba[i * 4 + c] - reference.rgba[i * 4 + c];
      squared += d * d;
    }
  }
  return Math.sqrt(squared / (image.width * image.height * 3));
}

// RMSE of two linear images ({width, height, rgb}) over every channel, in radiance units.
export function rmseLinear(image, reference) {
  checkSameSize(image, reference);
  let squared = 0;
  for (let i = 0; i < image.rgb.length; ++i) {
    const d = image.rgb[i] - reference.rgb[i];
    squared += d * d;
  }
  return Math.sqrt(squared / image.rgb.length);
}
