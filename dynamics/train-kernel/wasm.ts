/*
 * The training kernel's WebAssembly SIMD functions, assembled from opcodes like the predictor's (kernel-wasm.ts):
 *
 *   gemm(C, A, sam, sak, B, M, Kd, N):  C[m·N + n] += Σ_k A[m·sam + k·sak] · B[k·N + n]      (m < M, k < Kd, n < N)
 *     Register-blocked: 2 rows × 16 columns of C stay in registers over the whole k loop (each B load serves both
 *     rows, each A splat four vectors); 4-column blocks and an odd row finish the edges.
 *     Strides of A (in bytes) make the same function compute X·W, dZ·Wᵀ and Vᵀ·dZ. N is a multiple of 4 (in floats).
 *     The sum order is fixed ((c + a0·b0) + a1·b1) + ..., so results are bit-for-bit reproducible.
 *   cellFwd(Z, Cp, Cn, H, H2, U): one row: gate pre-activations Z[4U] → activations in place (σ, σ, tanh, σ),
 *     Cn = f·Cp + i·g, h = o·tanh(Cn) to H and H2.
 *   cellBwd(Z, Cp, Cn, dHa, dHb, dC, dZ, U): one row of BPTT: with dh = dHa + dHb and the carried dC,
 *     writes the pre-activation gradients dZ[4U] and leaves dC = ∂/∂Cp.
 * All pointers are byte offsets into the imported memory; U is a multiple of 4. σ and tanh use the predictor's
 * Cephes expf (≈1 ulp).
 */
import { wasmEncoding, WA, type WasmMemory } from "../kernel-wasm.js";

const { uleb, sleb, vec, section, str, f32const } = wasmEncoding;

const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const GET = 0x20, SET = 0x21, TEE = 0x22;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_MUL = 0x6c, I32_AND = 0x71, I32_GE_U = 0x4f, I32_LT_U = 0x49;
const F32_LOAD = 0x2a;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00], V128_STORE = [SIMD, 0x0b], F32X4_SPLAT = [SIMD, 0x13];
const F32X4_ADD = [SIMD, 0xe4, 0x01], F32X4_SUB = [SIMD, 0xe5, 0x01], F32X4_MUL = [SIMD, 0xe6, 0x01], F32X4_DIV = [SIMD, 0xe7, 0x01];
const F32X4_MIN = [SIMD, 0xe8, 0x01], F32X4_MAX = [SIMD, 0xe9, 0x01], F32X4_NEG = [SIMD, 0xe1, 0x01], F32X4_NEAREST = [SIMD, 0x6a];
const I32X4_TRUNC_SAT = [SIMD, 0xf8, 0x01], I32X4_ADD = [SIMD, 0xae, 0x01], I32X4_SHL = [SIMD, 0xab, 0x01], I32X4_SPLAT = [SIMD, 0x11];
const I32 = 0x7f, V128 = 0x7b;
const MEM = [2, 0];

const get = (i: number) => [GET, i];
const set = (i: number) => [SET, i];
const i32 = (n: number) => [I32_CONST, ...sleb(n)];
const add = (a: number[], b: number[]) => [...a, ...b, I32_ADD];
const load = (addr: number[]) => [...addr, ...V128_LOAD, ...MEM];
const store = (addr: number[], value: number[]) => [...addr, ...value, ...V128_STORE, ...MEM];
const splat = (x: number) => [...f32const(x), ...F32X4_SPLAT];
const vmul = (a: number[], b: number[]) => [...a, ...b, ...F32X4_MUL];
const vadd = (a: number[], b: number[]) => [...a, ...b, ...F32X4_ADD];
const vsub = (a: number[], b: number[]) => [...a, ...b, ...F32X4_SUB];

function fn(locals: [number, number][], body: number[]): number[] {
  const f = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...body, END];
  return [...uleb(f.length), ...f];
}

function gemmCode(): number[] {
  const C = 0, A = 1, SAM = 2, SAK = 3, B = 4, M = 5, KD = 6, N = 7;
  const NB = 8, MM = 9, AROW = 10, CROW = 11, COL = 12, AK0 = 13, AK1 = 14, BP = 15, K = 16;
  const ACC = 17, BV = 25, AV = 29;
  const MEMO = (o: number) => [2, ...uleb(o)];
  // Register-blocked: a block of `rows` (1 or 2) rows × `vecs` (4 or 1) vectors of C lives in locals for the whole
  // k loop; per k, one A scalar per row and `vecs` B vectors (constant offsets from one pointer). The sum runs
  // over k in order: c + a_0·b_0 + a_1·b_1 + ..., the same for every call.
  const blockCode = (rows: 1 | 2, vecs: 1 | 4): number[] => {
    const acc = (r: number, v: number) => ACC + r * 4 + v;
    const cAddr = (r: number) => add(get(CROW), r === 0 ? get(COL) : add(get(COL), get(NB)));
    const out: number[] = [];
    for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) out.push(...cAddr(r), ...V128_LOAD, ...MEMO(16 * v), ...set(acc(r, v)));
    out.push(
      ...get(AROW), ...set(AK0),
      ...(rows === 2 ? [...add(get(AROW), get(SAM)), ...set(AK1)] : []),
      ...add(get(B), get(COL)), ...set(BP),
      ...i32(0), ...set(K),
      BLOCK, VOID, LOOP, VOID,
      ...get(K), ...get(KD), I32_GE_U, BR_IF, 1,
      ...get(AK0), F32_LOAD, ...MEM, ...F32X4_SPLAT, ...set(AV),
      ...(rows === 2 ? [...get(AK1), F32_LOAD, ...MEM, ...F32X4_SPLAT, ...set(AV + 1)] : []),
    );
    for (let v = 0; v < vecs; v++) out.push(...get(BP), ...V128_LOAD, ...MEMO(16 * v), ...set(BV + v));
    for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) out.push(...vadd(get(acc(r, v)), vmul(get(AV + r), get(BV + v))), ...set(acc(r, v)));
    out.push(
      ...add(get(AK0), get(SAK)), ...set(AK0),
      ...(rows === 2 ? [...add(get(AK1), get(SAK)), ...set(AK1)] : []),
      ...add(get(BP), get(NB)), ...set(BP),
      ...add(get(K), i32(1)), ...set(K),
      BR, 0, END, END,
    );
    for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) out.push(...cAddr(r), ...get(acc(r, v)), ...V128_STORE, ...MEMO(16 * v));
    return out;
  };
  // All column blocks of the current rows: 16 floats at a time, then 4 at a time.
  const columns = (rows: 1 | 2): number[] => [
    ...i32(0), ...set(COL),
    BLOCK, VOID, LOOP, VOID,
    ...add(get(COL), i32(64)), ...get(NB), 0x4b /* i32.gt_u */, BR_IF, 1,
    ...blockCode(rows, 4),
    ...add(get(COL), i32(64)), ...set(COL),
    BR, 0, END, END,
    BLOCK, VOID, LOOP, VOID,
    ...get(COL), ...get(NB), I32_GE_U, BR_IF, 1,
    ...blockCode(rows, 1),
    ...add(get(COL), i32(16)), ...set(COL),
    BR, 0, END, END,
  ];
  const body = [
    ...get(N), ...i32(4), I32_MUL, ...set(NB),
    ...i32(0), ...set(MM), ...get(A), ...set(AROW), ...get(C), ...set(CROW),
    // pairs of rows
    BLOCK, VOID, LOOP, VOID,
    ...get(MM), ...i32(1), I32_ADD, ...get(M), I32_GE_U, BR_IF, 1,
    ...columns(2),
    ...add(get(MM), i32(2)), ...set(MM),
    ...add(add(get(AROW), get(SAM)), get(SAM)), ...set(AROW),
    ...add(add(get(CROW), get(NB)), get(NB)), ...set(CROW),
    BR, 0, END, END,
    // an odd row left over
    BLOCK, VOID,
    ...get(MM), ...get(M), I32_GE_U, BR_IF, 0,
    ...columns(1),
    END,
  ];
  return fn([[9, I32], [14, V128]], body);
}

/** e^(local t) on the stack (Cephes expf, as kernel-wasm.ts); clobbers t, kv, r, pv. */
function expOf(t: number, kv: number, r: number, pv: number): number[] {
  return [
    ...get(t), ...splat(87), ...F32X4_MIN, ...splat(-87), ...F32X4_MAX, ...set(t),
    ...get(t), ...splat(Math.LOG2E), ...F32X4_MUL, ...F32X4_NEAREST, ...set(kv),
    ...get(t), ...get(kv), ...splat(0.693359375), ...F32X4_MUL, ...F32X4_SUB,
    ...get(kv), ...splat(-2.12194440e-4), ...F32X4_MUL, ...F32X4_SUB, ...set(r),
    ...splat(1.9875691500e-4),
    ...get(r), ...F32X4_MUL, ...splat(1.3981999507e-3), ...F32X4_ADD,
    ...get(r), ...F32X4_MUL, ...splat(8.3334519073e-3), ...F32X4_ADD,
    ...get(r), ...F32X4_MUL, ...splat(4.1665795894e-2), ...F32X4_ADD,
    ...get(r), ...F32X4_MUL, ...splat(1.6666665459e-1), ...F32X4_ADD,
    ...get(r), ...F32X4_MUL, ...splat(5.0000001201e-1), ...F32X4_ADD,
    ...get(r), ...get(r), ...F32X4_MUL, ...F32X4_MUL,
    ...get(r), ...F32X4_ADD, ...splat(1), ...F32X4_ADD, ...set(pv),
    ...get(pv),
    ...get(kv), ...I32X4_TRUNC_SAT, ...i32(127), ...I32X4_SPLAT, ...I32X4_ADD, ...i32(23), ...I32X4_SHL,
    ...F32X4_MUL,
  ];
}

function nonlin(t: number, kv: number, r: number, pv: number) {
  const sigmoid = (x: number[]) => [...x, ...F32X4_NEG, ...set(t), ...splat(1), ...splat(1), ...expOf(t, kv, r, pv), ...F32X4_ADD, ...F32X4_DIV];
  const tanh = (x: number[]) => [...sigmoid([...x, ...splat(2), ...F32X4_MUL]), ...splat(2), ...F32X4_MUL, ...splat(1), ...F32X4_SUB];
  return { sigmoid, tanh };
}

function cellFwdCode(): number[] {
  const Z = 0, CP = 1, CN = 2, H = 3, H2 = 4, U = 5;
  const CB = 6, UB = 7;
  const T = 8, KV = 9, R = 10, PV = 11, IG = 12, FG = 13, GG = 14, OG = 15, CV = 16;
  const { sigmoid, tanh } = nonlin(T, KV, R, PV);
  const zAddr = (g: number) => {
    let a = add(get(Z), get(CB));
    for (let i = 0; i < g; i++) a = add(a, get(UB));
    return a;
  };
  const body = [
    ...get(U), ...i32(4), I32_MUL, ...set(UB),
    ...i32(0), ...set(CB),
    LOOP, VOID,
    ...sigmoid(load(zAddr(0))), ...set(IG),
    ...sigmoid(load(zAddr(1))), ...set(FG),
    ...tanh(load(zAddr(2))), ...set(GG),
    ...sigmoid(load(zAddr(3))), ...set(OG),
    ...store(zAddr(0), get(IG)),
    ...store(zAddr(1), get(FG)),
    ...store(zAddr(2), get(GG)),
    ...store(zAddr(3), get(OG)),
    ...vadd(vmul(get(FG), load(add(get(CP), get(CB)))), vmul(get(IG), get(GG))), ...set(CV),
    ...store(add(get(CN), get(CB)), get(CV)),
    ...vmul(get(OG), tanh(get(CV))), ...set(CV),
    ...store(add(get(H), get(CB)), get(CV)),
    ...store(add(get(H2), get(CB)), get(CV)),
    ...get(CB), ...i32(16), I32_ADD, TEE, CB, ...get(UB), I32_LT_U, BR_IF, 0,
    END,
  ];
  return fn([[2, I32], [9, V128]], body);
}

function cellBwdCode(): number[] {
  const Z = 0, CP = 1, CN = 2, DHA = 3, DHB = 4, DC = 5, DZ = 6, U = 7;
  const CB = 8, UB = 9;
  const T = 10, KV = 11, R = 12, PV = 13, IG = 14, FG = 15, GG = 16, OG = 17, TC = 18, DH = 19, DCN = 20;
  const { tanh } = nonlin(T, KV, R, PV);
  const at = (base: number, g: number) => {
    let a = add(get(base), get(CB));
    for (let i = 0; i < g; i++) a = add(a, get(UB));
    return a;
  };
  const oneMinus = (x: number[]) => vsub(splat(1), x);
  const body = [
    ...get(U), ...i32(4), I32_MUL, ...set(UB),
    ...i32(0), ...set(CB),
    LOOP, VOID,
    ...load(at(Z, 0)), ...set(IG),
    ...load(at(Z, 1)), ...set(FG),
    ...load(at(Z, 2)), ...set(GG),
    ...load(at(Z, 3)), ...set(OG),
    ...tanh(load(at(CN, 0))), ...set(TC),
    ...vadd(load(at(DHA, 0)), load(at(DHB, 0))), ...set(DH),
    ...vadd(load(at(DC, 0)), vmul(vmul(get(DH), get(OG)), oneMinus(vmul(get(TC), get(TC))))), ...set(DCN),
    ...store(at(DZ, 3), vmul(vmul(vmul(get(DH), get(TC)), get(OG)), oneMinus(get(OG)))),
    ...store(at(DZ, 0), vmul(vmul(vmul(get(DCN), get(GG)), get(IG)), oneMinus(get(IG)))),
    ...store(at(DZ, 1), vmul(vmul(vmul(get(DCN), load(at(CP, 0))), get(FG)), oneMinus(get(FG)))),
    ...store(at(DZ, 2), vmul(vmul(get(DCN), get(IG)), oneMinus(vmul(get(GG), get(GG))))),
    ...store(at(DC, 0), vmul(get(DCN), get(FG))),
    ...get(CB), ...i32(16), I32_ADD, TEE, CB, ...get(UB), I32_LT_U, BR_IF, 0,
    END,
  ];
  return fn([[2, I32], [11, V128]], body);
}

/** The module's bytes: imports memory "m"."mem", exports gemm, cellFwd, cellBwd. */
export function trainModuleBytes(): Uint8Array {
  const sig = (n: number) => [0x60, ...vec(Array.from({ length: n }, () => [I32])), ...vec([])];
  const types = section(1, vec([sig(8), sig(6)]));
  const imp = section(2, vec([[...str("m"), ...str("mem"), 0x02, 0x00, 0x01]]));
  const func = section(3, vec([[0], [1], [0]]));
  const exp = section(7, vec([[...str("gemm"), 0x00, 0], [...str("cellFwd"), 0x00, 1], [...str("cellBwd"), 0x00, 2]]));
  const cod = section(10, vec([gemmCode(), cellFwdCode(), cellBwdCode()]));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imp, ...func, ...exp, ...cod]);
}


let compiled: object | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD. */
export function trainModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = WA ? new WA.Module(trainModuleBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export type GemmFn = (C: number, A: number, sam: number, sak: number, B: number, M: number, Kd: number, N: number) => void;
export type CellFwdFn = (Z: number, Cp: number, Cn: number, H: number, H2: number, U: number) => void;
export type CellBwdFn = (Z: number, Cp: number, Cn: number, dHa: number, dHb: number, dC: number, dZ: number, U: number) => void;

export interface TrainWasm {
  readonly memory: WasmMemory;
  readonly gemm: GemmFn;
  readonly cellFwd: CellFwdFn;
  readonly cellBwd: CellBwdFn;
}

/** Instantiates the functions over a fresh memory of at least `bytes`; null without WebAssembly SIMD. */
export function instantiateTrain(bytes: number): TrainWasm | null {
  const mod = trainModule();
  if (!mod || !WA) return null;
  const memory = new WA.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const e = new WA.Instance(mod, { m: { mem: memory } }).exports;
  return { memory, gemm: e.gemm as GemmFn, cellFwd: e.cellFwd as CellFwdFn, cellBwd: e.cellBwd as CellBwdFn };
}
