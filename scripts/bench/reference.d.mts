/** Types of reference.mjs (the benches import it from TypeScript). */
export declare const HANDICAPS: readonly string[]
export declare const findTorch: () => { python: string; version: string } | undefined
export declare const referenceEnv: (threads: number) => NodeJS.ProcessEnv
export declare const parseCpuinfo: (text: string) => {
  vendor: string | undefined
  family: number | undefined
  model: number | undefined
  flags: string[]
}
export declare const cpuDescription: () => {
  model: string
  vendor: string
  family: number | null
  modelNumber: number | null
  cores: number
  vectorExtensions: string[]
}
export declare const best: <R extends Record<string, unknown>>(
  results: readonly R[],
  prefix: string,
  key: keyof R & string,
) => R | undefined
export declare const bestOfRounds: <R extends Record<string, unknown>>(
  rows: readonly R[],
  key: keyof R & string,
  caseOf: (row: R) => string,
) => Array<R & { rounds: unknown[]; median: number }>
export declare const ratioToBest: <R extends Record<string, unknown> & { implementation: string }>(
  ours: R,
  results: readonly R[],
  prefix: string,
  key: keyof R & string,
) => { name: string; ratio: number } | undefined
export declare const median: (values: readonly number[]) => number
export declare const referenceBlasProblem: (result: Readonly<Record<string, unknown>>) => string | undefined
export declare const noteReferenceProblem: (result: Readonly<Record<string, unknown>>, problems: string[]) => void
export declare const backendForRound: (
  setBackend: (name: never) => Promise<unknown>,
  backend: string,
  round: number,
  skipped: string[],
) => Promise<boolean>
export declare const unhelpedShare: (
  before: { readonly split: number; readonly unhelped: number } | undefined,
  after: { readonly split: number; readonly unhelped: number } | undefined,
) => number | undefined
export declare const unhelpedNote: (share: number | undefined) => string
/** The update bench's warm-up rule (see reference.mjs). */
export interface WarmupRule {
  readonly minUpdates: number
  readonly minSeconds: number
  readonly updates: number
  readonly capSeconds: number
}
export declare const stillWarming: (
  progress: { readonly done: number; readonly updates: number; readonly seconds: number },
  rule: WarmupRule,
) => boolean
