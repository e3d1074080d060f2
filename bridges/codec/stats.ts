import type { BridgeInputError, BridgeRejectReason, BridgeStats } from "./live.js";

/** The mutable counters behind a bridge's stats(); snapshot() hands out a copy. */
export class BridgeCounters {
  received = 0;
  accepted = 0;
  connected = false;
  reconnects = 0;
  lastError: string | undefined;
  private readonly rejected: Partial<Record<BridgeRejectReason, number>> = {};

  reject(error: BridgeInputError): void {
    this.rejected[error.reason] = (this.rejected[error.reason] ?? 0) + 1;
    this.lastError = error.message;
  }

  snapshot(): BridgeStats {
    return {
      received: this.received,
      accepted: this.accepted,
      rejected: { ...this.rejected },
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      connected: this.connected,
      reconnects: this.reconnects,
    };
  }
}
