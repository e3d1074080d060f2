import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvParser, parseCell, type CsvRecord } from "../../bridges/csv/index.js";

function parse(chunks: string[]): CsvRecord[] {
  const p = new CsvParser();
  const out: CsvRecord[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

const rows = (recs: CsvRecord[]) => recs.map((r) => (r.kind === "row" ? [r.line, ...r.fields] : [r.line, "BAD", r.message]));

describe("CsvParser", () => {
  it("splits plain, quoted, escaped and multi-line fields with the line each record starts on", () => {
    const text = 'a,b,c\r\n1,"x, y",3\r\n2,"two\r\nlines ""q""",4\n\n3,,\n';
    expect(rows(parse([text]))).toEqual([
      [1, "a", "b", "c"],
      [2, "1", "x, y", "3"],
      [3, "2", 'two\r\nlines "q"', "4"],
      [6, "3", "", ""],
    ]);
  });

  it("keeps a leading unnamed index column as an empty header name", () => {
    expect(rows(parse([",s,ns\n0,1,2"]))).toEqual([
      [1, "", "s", "ns"],
      [2, "0", "1", "2"],
    ]);
  });

  it("strips a byte-order mark and accepts a lone CR as a line end", () => {
    expect(rows(parse(["\uFEFFt,v\r1,2\r3,4"]))).toEqual([
      [1, "t", "v"],
      [2, "1", "2"],
      [3, "3", "4"],
    ]);
  });

  it("reports an unterminated quote as a bad record on the line it started", () => {
    expect(rows(parse(['t,v\n1,"open\n2,3\n']))).toEqual([
      [1, "t", "v"],
      [2, "BAD", "unterminated quoted field"],
    ]);
  });

  it("gives the same records however the input is cut into chunks", () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z0-9. ]{0,6}$/),
      fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", "\r\n", " ") }),
    );
    const enc = (f: string) => (/[",\r\n]/.test(f) || f === "" ? `"${f.replace(/"/g, '""')}"` : f);
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.array(fc.nat(), { maxLength: 6 }),
        (table, eol, cuts) => {
          const text = table.map((r) => r.map(enc).join(",")).join(eol) + eol;
          const whole = parse([text]);
          expect(whole.map((r) => (r.kind === "row" ? r.fields : r))).toEqual(table);
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let prev = 0;
          for (const c of at) {
            chunks.push(text.slice(prev, c));
            prev = c;
          }
          chunks.push(text.slice(prev));
          expect(parse(chunks)).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parseCell", () => {
  it("reads decimals strictly and names missing, infinite and boolean cells", () => {
    expect(parseCell("1.5e-3")).toBe(0.0015);
    expect(parseCell(" -2 ")).toBe(-2);
    expect(parseCell(".5")).toBe(0.5);
    for (const missing of ["", "nan", "NaN", "NA", "null"]) expect(parseCell(missing)).toBeNaN();
    expect(parseCell("inf")).toBe(Number.POSITIVE_INFINITY);
    expect(parseCell("-Infinity")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseCell("True")).toBe(1);
    expect(parseCell("+.5e3")).toBe(500);
    expect(parseCell("-0")).toBe(-0);
    expect(parseCell("-inf")).toBe(Number.NEGATIVE_INFINITY);
    for (const bad of ["abc", "0x1f", "0B1", "0o7", "1,5", "1.2.3", "--1", "1 2", "1e", "-", "."]) expect(parseCell(bad), bad).toBeUndefined();
  });
});
