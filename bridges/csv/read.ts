import { createReadStream } from "node:fs";
import { CsvParser, type CsvRecord } from "./parser.js";

/**
 * The records of a CSV file, streamed in batches (one per 64 KiB read: a promise per batch, not per row).
 * Memory stays bounded by the chunk and the longest record, not the file.
 */
export async function* readCsvFile(path: string): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser();
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const batch = parser.push(chunk);
      if (batch.length > 0) yield batch;
    }
    const last = parser.end();
    if (last.length > 0) yield last;
  } finally {
    stream.destroy(); // a consumer that stops early (a header read, an error) closes the file
  }
}

/** The first record of a CSV file (its header), reading no further than needed. */
export async function readCsvHeader(path: string): Promise<string[] | undefined> {
  for await (const batch of readCsvFile(path)) return batch[0].kind === "row" ? batch[0].fields : undefined;
  return undefined;
}
