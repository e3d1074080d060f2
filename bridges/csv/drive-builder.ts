import { channelInfo } from "../../perception/channels.js";
import type { Drive, DriveChannel, ImportIssue, RejectCounts, RejectReason } from "../../perception/types.js";

/** Issues kept in full per (file, reason), and in all: enough to diagnose, bounded for a bad 1 GB file. */
const ISSUES_PER_KIND = 20;
const ISSUES_TOTAL = 200;

/** A growable (t, value) series in arrival order. */
export class SeriesBuilder {
  private t = new Float64Array(1024);
  private v = new Float64Array(1024);
  length = 0;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {}

  push(t: number, value: number): void {
    if (this.length === this.t.length) {
      const t2 = new Float64Array(this.length * 2);
      const v2 = new Float64Array(this.length * 2);
      t2.set(this.t);
      v2.set(this.v);
      this.t = t2;
      this.v = v2;
    }
    this.t[this.length] = t;
    this.v[this.length] = value;
    this.length++;
  }

  build(): DriveChannel {
    return {
      name: this.name,
      unit: channelInfo(this.name).unit,
      t: this.t.slice(0, this.length),
      values: this.v.slice(0, this.length),
      source: this.source,
    };
  }
}

/** Collects a drive's channels, rejections and issues while its files are read. */
export class DriveBuilder {
  private readonly series: SeriesBuilder[] = [];
  private readonly byName = new Map<string, SeriesBuilder>();
  private readonly rejected: Record<string, RejectCounts> = {};
  private readonly issues: ImportIssue[] = [];
  private readonly issueKinds = new Map<string, number>();

  /** A new channel; a second channel of the same name is an error naming both sources. */
  channel(name: string, source: string): SeriesBuilder {
    const before = this.byName.get(name);
    if (before) {
      throw new Error(`channel "${name}" comes from both ${before.source} and ${source}; qualify one, e.g. "${name}@<source>"`);
    }
    channelInfo(name); // throws on an unknown channel
    const s = new SeriesBuilder(name, source);
    this.series.push(s);
    this.byName.set(name, s);
    return s;
  }

  /** Count a dropped sample of `channel`; keep its issue in full while under the caps. */
  reject(channel: string, reason: RejectReason, file: string, line: number, message: string): void {
    const c = (this.rejected[channel] ??= {});
    c[reason] = (c[reason] ?? 0) + 1;
    this.issue({ where: `${file}:${line}`, reason, message, channel }, file);
  }

  /** Record a problem that is not one channel's sample (a missing optional file, an unmapped column). */
  issue(issue: ImportIssue, file: string): void {
    const kind = `${file}\u0000${issue.reason}`;
    const n = this.issueKinds.get(kind) ?? 0;
    this.issueKinds.set(kind, n + 1);
    if (n < ISSUES_PER_KIND && this.issues.length < ISSUES_TOTAL) this.issues.push(issue);
  }

  /** Count a rejection that belongs to no single channel (e.g. a column that is no channel). */
  count(key: string, reason: RejectReason, n = 1): void {
    const c = (this.rejected[key] ??= {});
    c[reason] = (c[reason] ?? 0) + n;
  }

  build(name: string, path: string): Drive {
    return {
      name,
      path,
      format: "csv",
      // A channel with no usable sample is left out; its rejections still say why.
      channels: this.series.filter((s) => s.length > 0).map((s) => s.build()),
      rejected: this.rejected,
      issues: this.issues,
    };
  }
}
