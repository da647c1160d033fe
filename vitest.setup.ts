import { setBackend } from '@polyak/core'

// Every test file runs on the backend users get by default (wasm), or on POLYAK_BACKEND when set.
const requested = (process.env.POLYAK_BACKEND ?? 'wasm') as Parameters<typeof setBackend>[0]
await setBackend(requested)
