import { inflateSync } from "node:zlib";

/** An 8-bit RGBA image. */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Decodes the PNGs a browser screenshot gives (8-bit greyscale, RGB or RGBA, not interlaced), so a test can look
 * at the pixels. Throws naming what it does not support.
 */
export function decodePng(png: Uint8Array): Rgba {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => png[i] === b)) throw new Error("not a PNG (bad signature)");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let off = 8; off < png.length; ) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const body = png.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(off + 8);
      height = view.getUint32(off + 12);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[colour!] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) throw new Error(`PNG depth ${depth} colour type ${colour} interlace ${interlace}: not supported`);
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[y * stride + x - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      if (filter > 4) throw new Error(`PNG row ${y}: unknown filter ${filter}`);
      px[y * stride + x] = (line[x]! + pred) & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    data[i * 4] = px[s]!;
    data[i * 4 + 1] = px[s + (channels >= 3 ? 1 : 0)]!;
    data[i * 4 + 2] = px[s + (channels >= 3 ? 2 : 0)]!;
    data[i * 4 + 3] = channels === 4 ? px[s + 3]! : 255;
  }
  return { width, height, data };
}

/**
 * Share of pixels that differ from the image's most common colour (its background), share of clearly coloured
 * pixels (not grey: channels more than 60 apart; frames, grids and text are grey), and how many colours it has.
 */
export function inkStats(img: Rgba): { ink: number; coloured: number; colours: number } {
  const counts = new Map<number, number>();
  let coloured = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const [r, g, b] = [img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!];
    counts.set(((r << 16) | (g << 8) | b) >>> 0, (counts.get(((r << 16) | (g << 8) | b) >>> 0) ?? 0) + 1);
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  const n = img.width * img.height;
  return { ink: 1 - Math.max(...counts.values()) / n, coloured: coloured / n, colours: counts.size };
}
