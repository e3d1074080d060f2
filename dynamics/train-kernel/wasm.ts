/*
 * The training kernel's WebAssembly SIMD functions, assembled from opcodes like the predictor's (kernel-wasm.ts):
 *
 *   gemm(C, A, sam, sak, B, M, Kd, N):  C[m·N + n] += Σ_k A[m·sam + k·sak] · B[k·N + n]      (m < M, k < Kd, n < N)
 *     Row-broadcast product: one A scalar splat times a B row, four k and two rows per pass (each B load serves two
 *     rows; one C load/store per 16 multiply-adds).
 *     Strides of A (in bytes) make the same function compute X·W, dZ·Wᵀ and Vᵀ·dZ. N is a multiple of 4 (in floats).
 *     The sum order is fixed ((c + a0·b0) + a1·b1) + ..., so results are bit-for-bit reproducible.
 *   cellFwd(Z, Cp, Cn, H, H2, U): one row: gate pre-activations Z[4U] → activations in place (σ, σ, tanh, σ),
 *     Cn = f·Cp + i·g, h = o·tanh(Cn) to H and H2.
 *   cellBwd(Z, Cp, Cn, dHa, dHb, dC, dZ, U): one row of BPTT: with dh = dHa + dHb and the carried dC,
 *     writes the pre-activation gradients dZ[4U] and leaves dC = ∂/∂Cp.
 * All pointers are byte offsets into the imported memory; U is a multiple of 4. σ and tanh use the predictor's
 * Cephes expf (≈1 ulp).
 */
import { wasmEncoding } from "../kernel-wasm.js";

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
  const NB = 8, MM = 9, AROW = 10, CROW = 11, K = 12, AK = 13, B0 = 14, B1 = 15, B2 = 16, B3 = 17, NN = 18, K4 = 19, SAK4 = 20;
  const CROW2 = 21, AK2 = 22;
  const A0 = 23, BV0 = 31;
  const scal = (addr: number[]) => [...addr, F32_LOAD, ...MEM, ...F32X4_SPLAT];
  const bptr = [B0, B1, B2, B3];
  // Two rows per pass share each B load (B is the weight matrix, the same for every row); one row for an odd M.
  const kLoops = (rows: 1 | 2): number[] => {
    const splats = (ks: number, row: number) => {
      const out: number[] = [];
      for (let j = 0; j < ks; j++) {
        let addr = get(row === 0 ? AK : AK2);
        for (let q = 0; q < j; q++) addr = add(addr, get(SAK));
        out.push(...scal(addr), ...set(A0 + row * 4 + j));
      }
      return out;
    };
    const rowLoop = (ks: number) => {
      const body: number[] = [];
      for (let j = 0; j < ks; j++) body.push(...load(add(get(bptr[j]), get(NN))), ...set(BV0 + j));
      for (let r = 0; r < rows; r++) {
        const crow = r === 0 ? CROW : CROW2;
        let acc = load(add(get(crow), get(NN)));
        for (let j = 0; j < ks; j++) acc = vadd(acc, vmul(get(A0 + r * 4 + j), get(BV0 + j)));
        body.push(...store(add(get(crow), get(NN)), acc));
      }
      return [
        ...i32(0), ...set(NN),
        LOOP, VOID,
        ...body,
        ...get(NN), ...i32(16), I32_ADD, TEE, NN, ...get(NB), I32_LT_U, BR_IF, 0,
        END,
      ];
    };
    const advance = (by: number[]) => [
      ...add(get(AK), by), ...set(AK),
      ...(rows === 2 ? [...add(get(AK2), by), ...set(AK2)] : []),
    ];
    return [
      ...i32(0), ...set(K), ...get(AROW), ...set(AK), ...get(B), ...set(B0),
      ...(rows === 2 ? [...add(get(AROW), get(SAM)), ...set(AK2), ...add(get(CROW), get(NB)), ...set(CROW2)] : []),
      // four k per pass
      BLOCK, VOID, LOOP, VOID,
      ...get(K), ...get(K4), I32_GE_U, BR_IF, 1,
      ...splats(4, 0),
      ...(rows === 2 ? splats(4, 1) : []),
      ...add(get(B0), get(NB)), ...set(B1),
      ...add(get(B1), get(NB)), ...set(B2),
      ...add(get(B2), get(NB)), ...set(B3),
      ...rowLoop(4),
      ...add(get(K), i32(4)), ...set(K),
      ...advance(get(SAK4)),
      ...add(get(B3), get(NB)), ...set(B0),
      BR, 0, END, END,
      // the k left over
      BLOCK, VOID, LOOP, VOID,
      ...get(K), ...get(KD), I32_GE_U, BR_IF, 1,
      ...splats(1, 0),
      ...(rows === 2 ? splats(1, 1) : []),
      ...rowLoop(1),
      ...add(get(K), i32(1)), ...set(K),
      ...advance(get(SAK)),
      ...add(get(B0), get(NB)), ...set(B0),
      BR, 0, END, END,
    ];
  };
  const body = [
    ...get(N), ...i32(4), I32_MUL, ...set(NB),
    ...get(KD), ...i32(-4), I32_AND, ...set(K4),
    ...get(SAK), ...i32(4), I32_MUL, ...set(SAK4),
    ...i32(0), ...set(MM), ...get(A), ...set(AROW), ...get(C), ...set(CROW),
    // pairs of rows
    BLOCK, VOID, LOOP, VOID,
    ...get(MM), ...i32(1), I32_ADD, ...get(M), I32_GE_U, BR_IF, 1,
    ...kLoops(2),
    ...add(get(MM), i32(2)), ...set(MM),
    ...add(add(get(AROW), get(SAM)), get(SAM)), ...set(AROW),
    ...add(add(get(CROW), get(NB)), get(NB)), ...set(CROW),
    BR, 0, END, END,
    // an odd row left over
    BLOCK, VOID,
    ...get(MM), ...get(M), I32_GE_U, BR_IF, 0,
    ...kLoops(1),
    END,
  ];
  return fn([[15, I32], [12, V128]], body);
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

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => WasmMemory;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

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
