import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCsvDrive, type ColumnMap } from "../../bridges/csv/index.js";
import type { Drive } from "../../perception/types.js";

const fixtures = resolve(import.meta.dirname, "../fixtures/csv");
const fx = (name: string) => join(fixtures, name);

function channel(d: Drive, name: string) {
  const c = d.channels.find((x) => x.name === name);
  if (!c) throw new Error(`no channel ${name} in ${d.channels.map((x) => x.name).join(",")}`);
  return { t: [...c.t], v: [...c.values] };
}
const wheres = (d: Drive, reason: string, ch?: string) =>
  d.issues.filter((i) => i.reason === reason && (ch === undefined || i.channel === ch)).map((i) => i.where);

describe("CSV drives with bad rows", () => {
  it("skips malformed rows and cells, counting each by reason with file:line, and keeps the good data beside them", async () => {
    const d = await loadCsvDrive(fx("malformed.csv"));
    const f = fx("malformed.csv");
    expect(channel(d, "speed")).toEqual({ t: [0, 0.1, 0.7, 0.8], v: [1, 1.1, 1.7, 1.8] });
    // Line 5's bad speed and line 8's impossible speed do not cost yaw_rate its samples.
    expect(channel(d, "yaw_rate")).toEqual({ t: [0, 0.1, 0.3, 0.6, 0.8], v: [0.1, 0.11, 0.13, 0.16, 0.18] });
    expect(d.rejected).toEqual({
      speed: { malformed: 4, out_of_range: 1 },
      yaw_rate: { malformed: 3, nonfinite: 1 },
    });
    expect(wheres(d, "malformed", "speed")).toEqual([`${f}:4`, `${f}:5`, `${f}:6`, `${f}:7`]);
    expect(wheres(d, "out_of_range")).toEqual([`${f}:8`]);
    expect(wheres(d, "nonfinite")).toEqual([`${f}:9`]);
    const messages = d.issues.map((i) => i.message).join("\n");
    expect(messages).toContain(`${f}:4: expected 3 fields as in the header, found 2`);
    expect(messages).toContain(`${f}:5: column "speed" = "abc" is not a number (speed)`);
    expect(messages).toContain(`${f}:7: time column "t" = "xyz" is not a time`);
    expect(messages).toMatch(/:8: speed = 500 m\/s .* outside \[-20, 90\]/);
  });

  it("drops and counts a row whose time goes backwards, keeping equal times and the rows after", async () => {
    const d = await loadCsvDrive(fx("backwards.csv"));
    expect(channel(d, "speed")).toEqual({ t: [0, 0.1, 0.2, 0.3, 0.3, 0.4], v: [1, 1.1, 1.2, 1.3, 1.31, 1.4] });
    expect(d.rejected).toEqual({ speed: { late: 1 } });
    expect(d.issues).toHaveLength(1);
    expect(d.issues[0].where).toBe(`${fx("backwards.csv")}:5`);
    expect(d.issues[0].message).toMatch(/time 0\.15 s is before 0\.2 s at line 4; row dropped/);
  });

  it("treats empty and NaN cells as no value for that channel only, not as rejections", async () => {
    const d = await loadCsvDrive(fx("nan-cells.csv"));
    expect(channel(d, "speed")).toEqual({ t: [0.2, 0.3], v: [2, 2.1] });
    expect(channel(d, "throttle")).toEqual({ t: [0.1, 0.3], v: [0.1, 0.3] });
    expect(d.rejected).toEqual({});
    expect(d.issues).toEqual([]);
  });

  it("reads quoted fields, CRLF and a multi-line field, with the right line numbers after it", async () => {
    const map: ColumnMap = { name: "quoted", files: [{ time: { column: "t" }, columns: { speed: { channel: "speed" } } }] };
    const d = await loadCsvDrive(fx("quoted.csv"), { map });
    expect(channel(d, "speed")).toEqual({ t: [0, 0.1, 0.2, 0.4], v: [1, 1.1, 1.2, 1.4] });
    expect(d.rejected).toEqual({ speed: { malformed: 1 } });
    expect(d.issues[0].where).toBe(`${fx("quoted.csv")}:6`); // the record on lines 4-5 spans a CRLF inside quotes
    expect(d.issues[0].message).toContain('column "speed" = "oops" is not a number');
  });
});

describe("CSV drives from user maps", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lam-csv-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("applies a time scale and offset, and one column to two channels", async () => {
    const file = join(dir, "ms.csv");
    await writeFile(file, "time_ms,kph\n1000,36\n1500,72\n");
    const map: ColumnMap = {
      name: "ms",
      files: [
        {
          time: { column: "time_ms", scale: 1e-3, offset: -1 },
          columns: { kph: [{ channel: "speed", transform: "kph_to_mps" }, { channel: "speed_cmd", transform: ["kph_to_mps", { scale: 2, offset: 1 }] }] },
        },
      ],
    };
    const d = await loadCsvDrive(file, { map });
    expect(channel(d, "speed")).toEqual({ t: [0, 0.5], v: [10, 20] });
    expect(channel(d, "speed_cmd")).toEqual({ t: [0, 0.5], v: [21, 41] });
    expect(d.channels[0].source).toBe(`${file}:kph`);
  });

  it("with the generic map, counts and names a column that is no channel, keeping the rest", async () => {
    const file = join(dir, "typo.csv");
    await writeFile(file, "t,speed,speeed\n0,1,1\n1,2,2\n");
    await expect(loadCsvDrive(file)).rejects.toThrow(/typo\.csv: header \["t","speed","speeed"\] is not "t" \+ canonical channel names/);
    const d = await loadCsvDrive(file, { map: "generic" });
    expect(channel(d, "speed")).toEqual({ t: [0, 1], v: [1, 2] });
    expect(d.rejected).toEqual({ speeed: { unknown_channel: 2 } });
    expect(d.issues).toEqual([
      { where: `${file}:1`, reason: "unknown_channel", channel: "speeed", message: `${file}:1: column "speeed" is not a known channel; skipped` },
    ]);
  });

  it("a single .csv given with a multi-file map is refused, naming the map's files", async () => {
    await expect(loadCsvDrive(fx("malformed.csv"), { map: "f1tenth" })).rejects.toThrow(
      /malformed\.csv: column map "f1tenth" reads 4 files \(commandData\.csv, imuData\.csv, odomData\.csv, pfPoseData\.csv\); give the folder/,
    );
  });
});

describe("CSV drives that cannot be read", () => {
  it("an empty file", async () => {
    await expect(loadCsvDrive(fx("empty.csv"), { map: "generic" })).rejects.toThrow(`${fx("empty.csv")}: empty file (no header line)`);
  });

  it("a header with no rows", async () => {
    await expect(loadCsvDrive(fx("header-only.csv"))).rejects.toThrow(`${fx("header-only.csv")}: no data rows after the header`);
  });

  it("a file without its time column", async () => {
    await expect(loadCsvDrive(fx("no-time.csv"), { map: "generic" })).rejects.toThrow(
      new RegExp(`no-time\\.csv: no time column "t" in the header \\(column map "generic", files\\[0\\]\\.time\\.column\\); the header has: "time", "speed"`),
    );
  });

  it("a map naming a column the file does not have", async () => {
    await expect(loadCsvDrive(fx("malformed.csv"), { map: fx("unknown-column.map.json") })).rejects.toThrow(
      /malformed\.csv: unknown column "sped" in the header \(column map "typo", files\[0\]\.columns\.sped\)/,
    );
  });

  it("a map file with bad keys and values, named with its path", async () => {
    const err = await loadCsvDrive(fx("malformed.csv"), { map: fx("bad-map.json") }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(`${fx("bad-map.json")}: invalid column map "bad"`);
    expect(message).toContain('files[0].columns.speed.channel = "sped": unknown channel');
    expect(message).toContain('files[0].columns.yaw_rate.transform = "deg_to_radians": expected one of');
  });

  it("a map that is neither built in nor a file, and a header that fits no map", async () => {
    await expect(loadCsvDrive(fx("malformed.csv"), { map: "rav4" })).rejects.toThrow(/column map "rav4": not a built-in map \(comma2k19, f1tenth, generic\)/);
    await expect(loadCsvDrive(fx("no-time.csv"))).rejects.toThrow(/no-time\.csv: header \["time","speed"\] is not "t" \+ canonical channel names/);
    await expect(loadCsvDrive(fx("missing.csv"))).rejects.toThrow(/missing\.csv: cannot read drive \(ENOENT\)/);
  });

  describe("in a folder", () => {
    let dir = "";
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "lam-csv-"));
      await writeFile(join(dir, "commandData.csv"), ",s,ns,V,delta\n0,1,0,1.0,0.1\n");
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("a dataset folder missing one of its map's files", async () => {
      await expect(loadCsvDrive(dir)).rejects.toThrow(`${join(dir, "imuData.csv")}: not found (required by column map "f1tenth", files[1])`);
    });

    it("a map with an optional file that is absent reports it and loads the rest", async () => {
      const map: ColumnMap = {
        name: "partial",
        files: [
          { file: "commandData.csv", time: { s: "s", ns: "ns" }, columns: { V: { channel: "speed_cmd" } } },
          { file: "imuData.csv", optional: true, time: { s: "s", ns: "ns" }, columns: { wz: { channel: "yaw_rate" } } },
        ],
      };
      const d = await loadCsvDrive(dir, { map });
      expect(channel(d, "speed_cmd")).toEqual({ t: [1], v: [1] });
      expect(d.issues.map((i) => i.message)).toEqual([`${join(dir, "imuData.csv")}: optional file of column map "partial" not found`]);
    });
  });
});
