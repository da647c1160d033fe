/** Types of reference.mjs (the benches import it from TypeScript). */
export declare const HANDICAPS: readonly string[]
export declare const findTorch: () => { python: string; version: string } | undefined
export declare const referenceEnv: (threads: number) => NodeJS.ProcessEnv
export declare const cpuDescription: () => { model: string; cores: number; vectorExtensions: string[] }
export declare const best: <R extends Record<string, unknown>>(
  results: readonly R[],
  prefix: string,
  key: keyof R & string,
) => R | undefined
