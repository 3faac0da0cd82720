// Image grids for the RBM / DBN examples: tiles of grey values (one Float32Array row per image)
// laid out in a grid and written as PNG with pngjs. Tiles can be scaled to their own min..max
// (for weight filters) and can mark hidden pixels in colour (for masked inputs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

export interface GridOptions {
  /** Tile size in pixels (default 28 x 28). */
  width?: number;
  height?: number;
  /** Tiles per row. */
  cols: number;
  /** Gap between tiles in output pixels (default 2). */
  pad?: number;
  /** Each source pixel becomes scale x scale output pixels (default 2). */
  scale?: number;
  /** 'each': stretch every tile to its own min..max (filters); 'unit' (default): values are in [0, 1]. */
  normalize?: 'each' | 'unit';
  /** Per tile, an optional mask of the same size: pixels where it is 0 are drawn in `maskColor`. */
  masks?: (Float32Array | null)[];
  maskColor?: [number, number, number];
  /** Drawn in the gaps (default dark grey). */
  background?: [number, number, number];
}

/** Renders `tiles` (each width·height grey values) into one RGBA PNG. */
export function imageGrid(tiles: Float32Array[], opts: GridOptions): PNG {
  const w = opts.width ?? 28, h = opts.height ?? 28, cols = opts.cols, pad = opts.pad ?? 2, s = opts.scale ?? 2;
  const rows = Math.ceil(tiles.length / cols);
  const W = cols * (w * s + pad) + pad, H = rows * (h * s + pad) + pad;
  const png = new PNG({ width: W, height: H });
  const [br, bg, bb] = opts.background ?? [40, 40, 40];
  for (let i = 0; i < W * H; i++) { png.data[4 * i] = br; png.data[4 * i + 1] = bg; png.data[4 * i + 2] = bb; png.data[4 * i + 3] = 255; }
  const [mr, mg, mb] = opts.maskColor ?? [40, 90, 200];
  tiles.forEach((tile, t) => {
    if (tile.length !== w * h) throw new Error(`imageGrid: tile ${t} has ${tile.length} values, expected ${w}x${h} = ${w * h}`);
    let lo = 0, hi = 1;
    if (opts.normalize === 'each') {
      lo = Infinity; hi = -Infinity;
      for (const v of tile) { if (v < lo) lo = v; if (v > hi) hi = v; }
      if (hi <= lo) hi = lo + 1;
    }
    const mask = opts.masks?.[t] ?? null;
    const x0 = pad + (t % cols) * (w * s + pad), y0 = pad + Math.floor(t / cols) * (h * s + pad);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const g = Math.round(255 * Math.min(1, Math.max(0, (tile[y * w + x] - lo) / (hi - lo))));
      const hidden = mask !== null && mask[y * w + x] === 0;
      for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) {
        const o = 4 * ((y0 + y * s + dy) * W + x0 + x * s + dx);
        png.data[o] = hidden ? mr : g; png.data[o + 1] = hidden ? mg : g; png.data[o + 2] = hidden ? mb : g;
      }
    }
  });
  return png;
}

/** Writes a PNG (creating the directory) and returns its size in bytes. */
export function writePng(path: string, png: PNG): number {
  mkdirSync(dirname(path), { recursive: true });
  // Grey-only images are stored with one channel (a third of the bytes).
  let grey = true;
  for (let i = 0; i < png.data.length && grey; i += 4) grey = png.data[i] === png.data[i + 1] && png.data[i] === png.data[i + 2];
  const bytes = PNG.sync.write(png, { colorType: grey ? 0 : 2, inputColorType: 6 });
  writeFileSync(path, bytes);
  return bytes.length;
}

/** Rows [start, start + n) of a row-major [N, size] array, as separate tiles. */
export function rowsOf(values: Float32Array, size: number, start: number, n: number): Float32Array[] {
  return Array.from({ length: n }, (_, i) => values.slice((start + i) * size, (start + i + 1) * size));
}
