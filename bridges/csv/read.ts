import { createReadStream } from "node:fs";
import { CsvParser, type CsvRecord } from "./parser.js";

/** The records of a CSV file, streamed: memory stays bounded by the longest record, not the file. */
export async function* readCsvFile(path: string): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 16 });
  for await (const chunk of stream as AsyncIterable<string>) yield* parser.push(chunk);
  yield* parser.end();
}

/** The first record of a CSV file (its header), reading no further than needed. */
export async function readCsvHeader(path: string): Promise<string[] | undefined> {
  for await (const rec of readCsvFile(path)) return rec.kind === "row" ? rec.fields : undefined;
  return undefined;
}
