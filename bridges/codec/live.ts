// The live ports moved to pipeline/ports.ts (one tick, one set of ports for run, replay and sim); bridges import
// them from there. This re-export keeps older import paths working.
export * from "../../pipeline/ports.js";
