// Shared by the operators' marble tests: a TestScheduler that compares with toEqual, and sample/frame literals.
import { TestScheduler } from "rxjs/testing";
import { expect } from "vitest";
import type { Frame, Sample } from "../../perception/index.js";

export const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
export const s = (channel: string, t: number, value: number): Sample => ({ channel, t, value });
export const frame = (t: number, values: number[], valid: number[]): Frame => ({ t, values: Float32Array.from(values), valid: Uint8Array.from(valid) });
