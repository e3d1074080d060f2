const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING = new Set(["", "nan", "na", "null", "none"]);

/**
 * A CSV cell as a number: NaN where the cell says "no value" (empty, nan/NaN, NA, null), ±Infinity for
 * inf/Infinity, 1/0 for true/false (pandas writes booleans that way), and undefined where the text is
 * not a number at all. Stricter than Number(), which reads " " and "0x1f" as numbers.
 */
export function parseCell(text: string): number | undefined {
  // Fast path for the usual cell, a plain decimal: Number() is exact there; it only over-accepts the
  // 0x/0b/0o prefixes, which are excluded (it returns NaN for anything else that is not a number).
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 46 || c === 43) {
    const c1 = text.charCodeAt(1) | 32;
    if (!(c === 48 && (c1 === 120 || c1 === 98 || c1 === 111))) {
      const x = Number(text);
      if (!Number.isNaN(x)) return x;
    }
  }
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
