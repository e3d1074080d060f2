import { Observable, type OperatorFunction } from "rxjs";
import { HistoryRing, copyWindow, type HistoryWindow } from "../history.js";
import type { Frame } from "../types.js";

export interface HistoryWindowsOptions {
  /**
   * Emit a private copy of each window. Default false: windows are views into one ring, valid until
   * the next frame arrives, which suits a synchronous consumer (a predictor) and allocates nothing.
   */
  readonly copy?: boolean;
}

/** The last `length` frames as [length x C] windows (history.ts: the rows historyWindowAt gives), one per frame once `length` frames have arrived. */
export function historyWindows(length: number, channels: number, options: HistoryWindowsOptions = {}): OperatorFunction<Frame, HistoryWindow> {
  return (source) =>
    new Observable<HistoryWindow>((sub) => {
      const ring = new HistoryRing(length, channels);
      return source.subscribe({
        next: (f) => {
          ring.push(f);
          const w = ring.window();
          if (w) sub.next(options.copy ? copyWindow(w) : w);
        },
        error: (e) => sub.error(e),
        complete: () => sub.complete(),
      });
    });
}
