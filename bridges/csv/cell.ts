const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING = new Set(["", "nan", "na", "null", "none"]);

/**
 * A CSV cell as a number: NaN where the cell says "no value" (empty, nan/NaN, NA, null), ±Infinity for
 * inf/Infinity, 1/0 for true/false (pandas writes booleans that way), and undefined where the text is
 * not a number at all. Stricter than Number(), which reads " " and "0x1f" as numbers.
 */
export function parseCell(text: string): number | undefined {
  const s = text.trim();
  if (DECIMAL.test(s)) return Number(s);
  const lower = s.toLowerCase();
  if (MISSING.has(lower)) return Number.NaN;
  switch (lower) {
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Number.POSITIVE_INFINITY;
    case "-inf":
    case "-infinity":
      return Number.NEGATIVE_INFINITY;
    case "true":
      return 1;
    case "false":
      return 0;
    default:
      return undefined;
  }
}
