/** Seconds from integer nanoseconds without the 2^53 loss of Number(ns) / 1e9 on epoch stamps. */
export function nsToSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) * 1e-9;
}

/** "1432235498.025043042": exact, for naming a record in an error message. */
export function formatNs(ns: bigint): string {
  const sign = ns < 0n ? "-" : "";
  const a = ns < 0n ? -ns : ns;
  return `${sign}${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, "0")}`;
}

/** Integer nanoseconds of a time in seconds, split so epoch seconds keep nanosecond precision. */
export function secondsToNs(t: number): bigint {
  if (!Number.isFinite(t)) throw new RangeError(`time t=${t} is not finite`);
  const sec = Math.floor(t);
  const ns = Math.round((t - sec) * 1e9);
  return BigInt(sec) * 1_000_000_000n + BigInt(ns);
}
