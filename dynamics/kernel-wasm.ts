/*
 * The gate matmul as a WebAssembly SIMD function, assembled here from opcodes (no toolchain, no .wasm file to load:
 * dynamics/ does no I/O). ~100 bytes of code; the instruction list below is the whole program.
 *
 *   gates(W, bias, V, Z, S, K, G): for j < G, s < S:  Z[s·G + j] = bias[j] + Σ_k W[j·K + k] · V[s·K + k]
 *
 * All pointers are byte offsets into the imported memory, arrays are f32, K is a multiple of 4 (rows zero-padded).
 * Two slots per pass share each 4-wide weight load; accumulation is f32x4 (4 partial sums per slot, summed at the end).
 */

// Opcodes (core and SIMD proposal, https://webassembly.github.io/spec/core/binary/instructions.html).
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const GET = 0x20, SET = 0x21, TEE = 0x22;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_MUL = 0x6c, I32_LT_U = 0x49, I32_GE_U = 0x4f;
const F32_LOAD = 0x2a, F32_STORE = 0x38, F32_ADD = 0x92;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00], F32X4_SPLAT = [SIMD, 0x13], F32X4_EXTRACT = [SIMD, 0x1f];
const F32X4_ADD = [SIMD, 0xe4, 0x01], F32X4_MUL = [SIMD, 0xe6, 0x01];
const F32 = 0x7d, I32 = 0x7f, V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

// Parameters and locals by index.
const W = 0, BIAS = 1, V = 2, Z = 3, S = 4, K = 5, G = 6;
const J = 7, SL = 8, KB = 9, ROW = 10, P = 11, Q = 12, KK = 13, ZROW = 14;
const ACC0 = 15, ACC1 = 16, WV = 17;
const B = 18;

const get = (i: number) => [GET, i];
const set = (i: number) => [SET, i];
const i32 = (n: number) => [I32_CONST, ...sleb(n)];

function hsumInto(acc: number, zAddr: number[]): number[] {
  // Z[..] = bias + ((a0 + a1) + (a2 + a3))
  return [
    ...zAddr,
    ...get(B),
    ...get(acc), ...F32X4_EXTRACT, 0, ...get(acc), ...F32X4_EXTRACT, 1, F32_ADD,
    ...get(acc), ...F32X4_EXTRACT, 2, ...get(acc), ...F32X4_EXTRACT, 3, F32_ADD,
    F32_ADD,
    F32_ADD,
    F32_STORE, 2, 0,
  ];
}

function code(): number[] {
  const zero = (acc: number) => [...i32(0), 0xb2 /* f32.convert_i32_s */, ...F32X4_SPLAT, ...set(acc)];
  const mac = (acc: number, ptr: number) => [...get(acc), ...get(WV), ...get(ptr), ...get(KK), I32_ADD, ...V128_LOAD, 2, 0, ...F32X4_MUL, ...F32X4_ADD, ...set(acc)];
  const body = [
    // KB = K * 4 (row length in bytes); J = 0; ROW = W; ZROW = Z (byte offset of Z[0, j])
    ...get(K), ...i32(4), I32_MUL, ...set(KB),
    ...i32(0), ...set(J),
    ...get(W), ...set(ROW),
    BLOCK, VOID,
    LOOP, VOID,
    ...get(J), ...get(G), I32_GE_U, BR_IF, 1,
    ...get(BIAS), ...get(J), ...i32(4), I32_MUL, I32_ADD, F32_LOAD, 2, 0, ...set(B),
    ...i32(0), ...set(SL),
    ...get(V), ...set(P),
    // pairs of slots
    BLOCK, VOID,
    LOOP, VOID,
    ...get(SL), ...i32(1), I32_ADD, ...get(S), I32_GE_U, BR_IF, 1,
    ...get(P), ...get(KB), I32_ADD, ...set(Q),
    ...zero(ACC0), ...zero(ACC1),
    ...i32(0), ...set(KK),
    LOOP, VOID,
    ...get(ROW), ...get(KK), I32_ADD, ...V128_LOAD, 2, 0, ...set(WV),
    ...mac(ACC0, P),
    ...mac(ACC1, Q),
    ...get(KK), ...i32(16), I32_ADD, TEE, KK, ...get(KB), I32_LT_U, BR_IF, 0,
    END,
    // Z[s·G + j], Z[(s+1)·G + j]
    ...hsumInto(ACC0, [...get(Z), ...get(SL), ...get(G), I32_MUL, ...get(J), I32_ADD, ...i32(4), I32_MUL, I32_ADD]),
    ...hsumInto(ACC1, [...get(Z), ...get(SL), ...i32(1), I32_ADD, ...get(G), I32_MUL, ...get(J), I32_ADD, ...i32(4), I32_MUL, I32_ADD]),
    ...get(SL), ...i32(2), I32_ADD, ...set(SL),
    ...get(Q), ...get(KB), I32_ADD, ...set(P),
    BR, 0,
    END,
    END,
    // odd slot left over
    ...get(SL), ...get(S), I32_LT_U,
    IF, VOID,
    ...zero(ACC0),
    ...i32(0), ...set(KK),
    LOOP, VOID,
    ...get(ROW), ...get(KK), I32_ADD, ...V128_LOAD, 2, 0, ...set(WV),
    ...mac(ACC0, P),
    ...get(KK), ...i32(16), I32_ADD, TEE, KK, ...get(KB), I32_LT_U, BR_IF, 0,
    END,
    ...hsumInto(ACC0, [...get(Z), ...get(SL), ...get(G), I32_MUL, ...get(J), I32_ADD, ...i32(4), I32_MUL, I32_ADD]),
    END,
    ...get(J), ...i32(1), I32_ADD, ...set(J),
    ...get(ROW), ...get(KB), I32_ADD, ...set(ROW),
    BR, 0,
    END,
    END,
  ];
  // Locals after the 7 i32 params: 8 i32 (J..ZROW), 3 v128, 1 f32.
  const locals = vec([[8, I32], [3, V128], [1, F32]]);
  const fn = [...locals, ...body, END];
  return [...uleb(fn.length), ...fn];
}

// The LSTM cell update, 4 units per instruction:
//   cell(Z, C, H, H2, U): for u < U:  i, f, o = σ(z_i, z_f, z_o); g = tanh(z_c); c = f·c + i·g; h = o·tanh(c)
//   writing c to C[u] and h to H[u] and H2[u] (the next layer's input). U is a multiple of 4.
// σ(x) = 1 / (1 + e^−x), tanh(x) = 2σ(2x) − 1; e^x is Cephes expf: x = k·ln2 + r, e^r by a degree-7 polynomial
// (≈1 ulp in f32), 2^k built in the exponent bits. Inputs are clamped to ±87 so 2^k stays a normal float.
const F32X4_SUB = [SIMD, 0xe5, 0x01], F32X4_DIV = [SIMD, 0xe7, 0x01], F32X4_MIN = [SIMD, 0xe8, 0x01], F32X4_MAX = [SIMD, 0xe9, 0x01];
const F32X4_NEG = [SIMD, 0xe1, 0x01], F32X4_NEAREST = [SIMD, 0x6a], I32X4_TRUNC_SAT = [SIMD, 0xf8, 0x01];
const I32X4_ADD = [SIMD, 0xae, 0x01], I32X4_SHL = [SIMD, 0xab, 0x01], I32X4_SPLAT = [SIMD, 0x11], V128_STORE = [SIMD, 0x0b];
const F32_CONST = 0x43;

function f32const(x: number): number[] {
  const b = new Uint8Array(new Float32Array([x]).buffer);
  return [F32_CONST, ...b];
}
const splat = (x: number) => [...f32const(x), ...F32X4_SPLAT];

// cell's parameters and locals
const CZ = 0, CC = 1, CH = 2, CH2 = 3, CU = 4;
const CB = 5, CUB = 6;
const T = 7, KV = 8, R = 9, PV = 10, IG = 11, FG = 12, GG = 13, OG = 14, CV = 15;

/** e^(local t) on the stack; clobbers t, KV, R, PV. */
function expOf(t: number): number[] {
  return [
    ...get(t), ...splat(87), ...F32X4_MIN, ...splat(-87), ...F32X4_MAX, ...set(t),
    ...get(t), ...splat(Math.LOG2E), ...F32X4_MUL, ...F32X4_NEAREST, ...set(KV),
    ...get(t), ...get(KV), ...splat(0.693359375), ...F32X4_MUL, ...F32X4_SUB,
    ...get(KV), ...splat(-2.12194440e-4), ...F32X4_MUL, ...F32X4_SUB, ...set(R),
    ...splat(1.9875691500e-4),
    ...get(R), ...F32X4_MUL, ...splat(1.3981999507e-3), ...F32X4_ADD,
    ...get(R), ...F32X4_MUL, ...splat(8.3334519073e-3), ...F32X4_ADD,
    ...get(R), ...F32X4_MUL, ...splat(4.1665795894e-2), ...F32X4_ADD,
    ...get(R), ...F32X4_MUL, ...splat(1.6666665459e-1), ...F32X4_ADD,
    ...get(R), ...F32X4_MUL, ...splat(5.0000001201e-1), ...F32X4_ADD,
    ...get(R), ...get(R), ...F32X4_MUL, ...F32X4_MUL,
    ...get(R), ...F32X4_ADD, ...splat(1), ...F32X4_ADD, ...set(PV),
    ...get(PV),
    ...get(KV), ...I32X4_TRUNC_SAT, ...i32(127), ...I32X4_SPLAT, ...I32X4_ADD, ...i32(23), ...I32X4_SHL,
    ...F32X4_MUL,
  ];
}

/** σ(stack top) → stack top, via local t. */
function sigmoidTop(t: number): number[] {
  return [...F32X4_NEG, ...set(t), ...splat(1), ...splat(1), ...expOf(t), ...F32X4_ADD, ...F32X4_DIV];
}

/** tanh(stack top) = 2σ(2x) − 1 → stack top. */
function tanhTop(t: number): number[] {
  return [...splat(2), ...F32X4_MUL, ...sigmoidTop(t), ...splat(2), ...F32X4_MUL, ...splat(1), ...F32X4_SUB];
}

function cellCode(): number[] {
  const load = (gate: number) => [...get(CZ), ...get(CB), I32_ADD, ...(gate ? [...get(CUB), ...i32(gate), I32_MUL, I32_ADD] : []), ...V128_LOAD, 2, 0];
  const body = [
    ...get(CU), ...i32(4), I32_MUL, ...set(CUB),
    ...i32(0), ...set(CB),
    LOOP, VOID,
    ...load(0), ...sigmoidTop(T), ...set(IG),
    ...load(1), ...sigmoidTop(T), ...set(FG),
    ...load(2), ...tanhTop(T), ...set(GG),
    ...load(3), ...sigmoidTop(T), ...set(OG),
    // c = f·c + i·g
    ...get(FG), ...get(CC), ...get(CB), I32_ADD, ...V128_LOAD, 2, 0, ...F32X4_MUL,
    ...get(IG), ...get(GG), ...F32X4_MUL, ...F32X4_ADD, ...set(CV),
    ...get(CC), ...get(CB), I32_ADD, ...get(CV), ...V128_STORE, 2, 0,
    // h = o·tanh(c), to H and H2
    ...get(OG), ...get(CV), ...tanhTop(T), ...F32X4_MUL, ...set(CV),
    ...get(CH), ...get(CB), I32_ADD, ...get(CV), ...V128_STORE, 2, 0,
    ...get(CH2), ...get(CB), I32_ADD, ...get(CV), ...V128_STORE, 2, 0,
    ...get(CB), ...i32(16), I32_ADD, TEE, CB, ...get(CUB), I32_LT_U, BR_IF, 0,
    END,
  ];
  const locals = vec([[2, I32], [9, V128]]);
  const fn = [...locals, ...body, END];
  return [...uleb(fn.length), ...fn];
}

/** The module's bytes: imports memory "m"."mem", exports the functions "gates" and "cell". */
export function gateModuleBytes(): Uint8Array {
  const types = section(
    1,
    vec([
      [0x60, ...vec(Array.from({ length: 7 }, () => [I32])), ...vec([])],
      [0x60, ...vec(Array.from({ length: 5 }, () => [I32])), ...vec([])],
    ]),
  );
  const imp = section(2, vec([[...str("m"), ...str("mem"), 0x02, 0x00, 0x01]]));
  const func = section(3, vec([[0], [1]]));
  const exp = section(7, vec([[...str("gates"), 0x00, 0], [...str("cell"), 0x00, 1]]));
  const cod = section(10, vec([code(), cellCode()]));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imp, ...func, ...exp, ...cod]);
}

// The compiler's lib (ES2023, no DOM) declares no WebAssembly values; these are the few members used here.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => WasmMemory;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
export const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD. Compiled once, synchronously (tiny). */
export function gateModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = WA ? new WA.Module(gateModuleBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export type GatesFn = (W: number, bias: number, V: number, Z: number, S: number, K: number, G: number) => void;
export type CellFn = (Z: number, C: number, H: number, H2: number, U: number) => void;

/** Instantiates the gate function over a memory of `bytes` bytes; null without WebAssembly SIMD. */
export function instantiateGates(bytes: number): { memory: WasmMemory; gates: GatesFn; cell: CellFn } | null {
  const mod = gateModule();
  if (!mod || !WA) return null;
  const memory = new WA.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const inst = new WA.Instance(mod, { m: { mem: memory } });
  return { memory, gates: inst.exports.gates as GatesFn, cell: inst.exports.cell as CellFn };
}

/** The binary encoders, for other modules assembled from opcodes (dynamics/train-kernel/wasm.ts). */
export const wasmEncoding = { uleb, sleb, vec, section, str, f32const } as const;
