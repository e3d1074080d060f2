import type { Sample } from "./types.js";

/** Time order with the channel name as tie-break, so release order never depends on arrival order. */
export function sampleBefore(a: Sample, b: Sample): boolean {
  return a.t < b.t || (a.t === b.t && a.channel < b.channel);
}

/** A binary min-heap of samples in `sampleBefore` order. */
export class SampleHeap {
  private readonly items: Sample[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Sample | undefined {
    return this.items[0];
  }

  /** Whether a sample with this channel and t is held (a linear scan: for the rare out-of-order path). */
  has(channel: string, t: number): boolean {
    for (const x of this.items) if (x.t === t && x.channel === channel) return true;
    return false;
  }

  push(s: Sample): void {
    const a = this.items;
    let i = a.push(s) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!sampleBefore(s, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = s;
  }

  pop(): Sample | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && sampleBefore(a[r], a[l]) ? r : l;
      if (!sampleBefore(a[c], last)) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = last;
    return top;
  }
}
