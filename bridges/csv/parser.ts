/** One CSV record: its fields, or why it could not be split; `line` is the 1-based line it starts on. */
export type CsvRecord =
  | { readonly kind: "row"; readonly line: number; readonly fields: string[] }
  | { readonly kind: "bad"; readonly line: number; readonly message: string };

const QUOTE = 34; // "
const COMMA = 44;
const CR = 13;
const LF = 10;

/**
 * An RFC 4180 splitter fed chunk by chunk, so files stream without being held whole.
 * Quoted fields may hold commas, doubled quotes and line breaks; lines end in LF, CRLF or a lone CR.
 * Blank lines are skipped. It is lenient where RFC 4180 is strict but the intent is plain: a quote
 * inside an unquoted field is kept as text. An unterminated quote at end of input is a bad record.
 */
export class CsvParser {
  private line = 1;
  private recordLine = 1;
  private fields: string[] = [];
  private field = "";
  private fieldStarted = false;
  private quoted = false; // inside a quoted field
  private quoteAtEnd = false; // a quote ended the last chunk inside a quoted field: closing, or half of ""?
  private crAtEnd = false; // a CR ended the last chunk: a leading LF in the next is its partner
  private first = true;

  /** Split a chunk; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    if (this.first) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
    }
    if (this.crAtEnd) {
      this.crAtEnd = false;
      if (chunk.charCodeAt(i) === LF) i++;
    }
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      if (chunk.charCodeAt(i) === QUOTE) {
        this.field += '"';
        i++;
      } else {
        this.quoted = false;
      }
    }
    const n = chunk.length;
    while (i < n) {
      if (this.quoted) {
        // Copy up to the next quote in one slice: the common case is a run of plain text.
        const q = chunk.indexOf('"', i);
        const text = chunk.slice(i, q < 0 ? n : q);
        this.field += text;
        this.countBreaks(text);
        if (q < 0) break;
        if (q + 1 >= n) {
          this.quoteAtEnd = true;
          break;
        }
        if (chunk.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
        } else {
          this.quoted = false;
          i = q + 1;
        }
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === COMMA) {
        this.endField();
        i++;
      } else if (c === LF || c === CR) {
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
        if (c === CR) {
          if (i + 1 >= n) this.crAtEnd = true;
          else if (chunk.charCodeAt(i + 1) === LF) i++;
        }
        i++;
      } else if (c === QUOTE && !this.fieldStarted) {
        this.quoted = true;
        this.fieldStarted = true;
        i++;
      } else {
        // Plain run up to the next delimiter (a stray quote in it is kept as text).
        let j = i + 1;
        while (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === COMMA || d === LF || d === CR) break;
          j++;
        }
        this.field += chunk.slice(i, j);
        this.fieldStarted = true;
        i = j;
      }
    }
    return out;
  }

  /** Flush the last record (a file need not end in a line break). */
  end(): CsvRecord[] {
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      this.quoted = false;
    }
    if (this.quoted) {
      const bad: CsvRecord = { kind: "bad", line: this.recordLine, message: "unterminated quoted field" };
      this.reset();
      return [bad];
    }
    const out: CsvRecord[] = [];
    this.endRecord(out);
    return out;
  }

  private countBreaks(text: string): void {
    for (let k = text.indexOf("\n"); k >= 0; k = text.indexOf("\n", k + 1)) this.line++;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = "";
    this.fieldStarted = false;
  }

  private endRecord(out: CsvRecord[]): void {
    if (this.fields.length === 0 && !this.fieldStarted) {
      this.reset();
      return; // blank line
    }
    this.endField();
    out.push({ kind: "row", line: this.recordLine, fields: this.fields });
    this.reset();
  }

  private reset(): void {
    this.fields = [];
    this.field = "";
    this.fieldStarted = false;
    this.quoted = false;
  }
}
