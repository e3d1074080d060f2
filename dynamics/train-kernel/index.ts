export * from "./layout.js";
export * from "./batch.js";
export * from "./loss.js";
export * from "./reference.js";
export * from "./wasm.js";
export * from "./simd.js";
