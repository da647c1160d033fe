#!/usr/bin/env node
// Run by each published package's `prepack` (npm pack / npm publish, inside the workspace only): copies the
// repository's LICENSE next to the package.json, so every tarball carries the Apache-2.0 text its `license` names.
// The copies are ignored by git (.gitignore: packages/*/LICENSE); the root LICENSE is the one to edit.
import { copyFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
copyFileSync(path.join(root, 'LICENSE'), path.join(process.cwd(), 'LICENSE'))
