// Types of scripts/gen-noise-wasm.mjs (used by test/noise/wasm-generated.test.ts).
export declare const WAT_PATH: string;
export declare const TS_PATH: string;
export declare function buildWat(): string;
export declare function assemble(watText: string): Promise<Uint8Array>;
export declare function renderTs(bytes: Uint8Array, watText: string): string;
export declare function generate(): Promise<{ wat: string; ts: string; bytes: Uint8Array }>;
