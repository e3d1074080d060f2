/**
 * Knows whether the broker is still acknowledging. Every QoS >= 1 publish is a probe: when the oldest one still
 * unacknowledged is older than the bound, the link is stalled (a paused broker, a dead route the keepalive has not
 * noticed yet) and whatever is sent now would only sit in the socket and arrive late. Acks come in order, so an ack
 * settles everything sent before it; a publish the sink withdrew stays as a ghost until a later one is acked.
 */
export class AckWatch {
  private readonly pending = new Map<number, number>();
  private next = 0;

  /** A publish went out at `nowMs`: its token. */
  sent(nowMs: number): number {
    const token = this.next++;
    this.pending.set(token, nowMs);
    return token;
  }

  acked(token: number): void {
    for (const k of this.pending.keys()) if (k <= token) this.pending.delete(k);
  }

  /** The publish failed for good (not withdrawn): it proves nothing either way. */
  forget(token: number): void {
    this.pending.delete(token);
  }

  /** A fresh connection: nothing sent on the old one can be acknowledged any more. */
  clear(): void {
    this.pending.clear();
  }

  /** Age (ms) of the oldest unacknowledged publish, or 0. */
  waitingMs(nowMs: number): number {
    for (const at of this.pending.values()) return Math.max(0, nowMs - at);
    return 0;
  }
}
