/** Where each name sits in the frames' channels; a name the frames do not carry is an error naming both. */
export function channelIndex(frameChannels: readonly string[], names: readonly string[]): Int32Array {
  const idx = new Int32Array(names.length);
  names.forEach((n, i) => {
    const j = frameChannels.indexOf(n);
    if (j < 0) throw new Error(`channel "${n}" is not in the frames (frames carry: ${frameChannels.join(", ")})`);
    idx[i] = j;
  });
  return idx;
}
