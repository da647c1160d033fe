#!/usr/bin/env node
// Type-checks every ```ts block of every README.md and every TSDoc comment in the workspace's sources, so the docs
// cannot drift from the code (docs/adr/0010-type-checked-examples.md).
//
//   node scripts/check-examples.mjs                  # the whole repository, minus scripts/examples-pending.txt
//   node scripts/check-examples.mjs FILE...          # only these READMEs / .ts files (no pending list)
//   node scripts/check-examples.mjs --list           # also print every block checked
//
// Each block becomes its own ES module under node_modules/.cache/examples/. A block with its own `import` lines (a
// README's usual shape) is checked as written; a block without them is a fragment and gets a preamble that imports
// the names it uses from the module its comment sits in, its package, well-known namespaces (`tf`, `t`, `fc`, `E`,
// `pipe`, rxjs) and the other workspace packages. Names nothing provides (the fragment's context: `state`, `batch`)
// are declared `any`. One TypeScript program checks all blocks: a first pass finds the free names, a second pass
// (reusing the first's parsed files) reports the errors.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
// one folder per run: people sharing a checkout may run the check at the same time
const cacheDir = path.join(root, 'node_modules', '.cache', 'examples')
const outDir = path.join(cacheDir, `run-${process.pid}`)
const pendingFile = path.join(root, 'scripts', 'examples-pending.txt')
const started = performance.now()

const args = process.argv.slice(2)
const listBlocks = args.includes('--list')
const explicitFiles = args.filter((a) => !a.startsWith('--')).map((a) => path.resolve(a))

// ---------------------------------------------------------------------------------------------------------------
// 1. Find the files and extract the blocks.

const skipDirs = new Set(['node_modules', 'dist', '.turbo', 'coverage', 'bench-results', 'runs', '.git', 'fixtures'])

/** Every file under `dir` whose name passes `keep`, skipping build output and dependencies. */
const walk = (dir, keep, out = []) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name), keep, out)
    } else if (keep(entry.name)) out.push(path.join(dir, entry.name))
  }
  return out
}

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !/\.(test|spec)\.ts$/.test(name)

const discover = () => {
  const readmes = walk(root, (name) => name === 'README.md')
  const sources = ['packages', 'apps'].flatMap((group) => {
    const groupDir = path.join(root, group)
    return readdirSync(groupDir)
      .map((name) => path.join(groupDir, name, 'src'))
      .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      .flatMap((dir) => walk(dir, isSource))
  })
  return [...readmes, ...sources]
}

const fence = /^\s*```(ts|typescript|tsx)\b/
const fenceEnd = /^\s*```\s*$/

/** The ```ts blocks of a Markdown file: `{ line, code }`, `line` being the 1-based line of the block's first line. */
const markdownBlocks = (text) => {
  const blocks = []
  let current
  text.split('\n').forEach((line, i) => {
    if (current === undefined) {
      if (fence.test(line)) current = { line: i + 2, lines: [] }
    } else if (fenceEnd.test(line)) {
      blocks.push({ line: current.line, code: current.lines.join('\n') })
      current = undefined
    } else current.lines.push(line)
  })
  return blocks
}

/** The ```ts blocks inside the `/** … *\/` comments of a TypeScript file (its `@example`s). */
const commentBlocks = (text) => {
  const blocks = []
  let inComment = false
  let current
  text.split('\n').forEach((line, i) => {
    if (!inComment) {
      if (/^\s*\/\*\*/.test(line) && !line.includes('*/')) inComment = true
      return
    }
    if (/\*\//.test(line)) {
      inComment = false
      current = undefined
      return
    }
    const content = line.replace(/^\s*\* ?/, '')
    if (current === undefined) {
      if (fence.test(content)) current = { line: i + 2, lines: [] }
    } else if (fenceEnd.test(content)) {
      blocks.push({ line: current.line, code: current.lines.join('\n') })
      current = undefined
    } else current.lines.push(content)
  })
  return blocks
}

/** The workspace package a file belongs to: its folder, name and index (if it has one). */
const packageOf = (file) => {
  const rel = path.relative(root, file).split(path.sep)
  if (rel.length < 3 || (rel[0] !== 'packages' && rel[0] !== 'apps')) return undefined
  const dir = path.join(root, rel[0], rel[1])
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
  const index = path.join(dir, 'src', 'index.ts')
  const hasIndex = statSync(index, { throwIfNoEntry: false })?.isFile() ?? false
  // an app has no index: any of its modules may export what an example uses
  const modules = hasIndex ? [] : walk(path.join(dir, 'src'), isSource)
  const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })
  const exported = manifest.exports?.['.'] !== undefined
  return { dir, name: manifest.name, index: hasIndex ? index : undefined, modules, exported, dependencies }
}

const readPending = () => {
  const text = statSync(pendingFile, { throwIfNoEntry: false }) ? readFileSync(pendingFile, 'utf8') : ''
  return new Set(
    text
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter((l) => l !== ''),
  )
}

const files = explicitFiles.length > 0 ? explicitFiles : discover()
const pending = explicitFiles.length > 0 ? new Set() : readPending()

const blocks = []
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  const found = file.endsWith('.md') ? markdownBlocks(text) : commentBlocks(text)
  const rel = path.relative(root, file)
  const pkg = packageOf(file)
  for (const block of found) {
    // a README block that imports is a whole program and is checked as written; TSDoc blocks are always fragments
    const ownImports = file.endsWith('.md') && /^\s*import\s[^(]/m.test(block.code)
    blocks.push({
      ...block,
      file,
      rel,
      pkg,
      // the module the comment sits in, for names it exports but its package's index does not
      module: file.endsWith('.ts') ? file : undefined,
      ownImports,
      pending: pending.has(rel),
      genFile: path.join(outDir, `${rel.replaceAll(/[/\\.]/g, '_')}__${block.line}.mts`),
    })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Compiler options: the workspace's strict settings, as a module per block, without the unused-name checks.

const baseConfig = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), ts.sys.readFile)
const optionsFor = (pkgDir) => {
  const configPath = pkgDir === undefined ? undefined : path.join(pkgDir, 'tsconfig.json')
  const config =
    configPath !== undefined && ts.sys.fileExists(configPath)
      ? ts.readConfigFile(configPath, ts.sys.readFile)
      : baseConfig
  const parsed = ts.parseJsonConfigFileContent(
    { ...config.config, include: [], files: [] },
    ts.sys,
    configPath === undefined ? root : path.dirname(configPath),
  )
  return {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    allowUnusedLabels: true,
    allowUnreachableCode: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    // a reader's project need not use these; the blocks import types the ordinary way
    verbatimModuleSyntax: false,
    isolatedModules: false,
  }
}

// Blocks are grouped by their package's compiler options (apps/web adds the DOM library); each group is one program.
const groups = new Map()
for (const block of blocks) {
  const options = optionsFor(block.pkg?.dir)
  const key = JSON.stringify(options)
  if (!groups.has(key)) groups.set(key, { options, blocks: [] })
  groups.get(key).blocks.push(block)
}

// One cache of parsed files across all programs, so a second group does not parse tfjs again.
const parsed = new Map()
const makeHost = (options) => {
  const host = ts.createCompilerHost(options, true)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (fileName.startsWith(outDir)) return getSourceFile(fileName, languageVersion, onError, shouldCreate)
    const key = `${fileName}|${JSON.stringify(languageVersion)}`
    if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersion, onError, shouldCreate))
    return parsed.get(key)
  }
  return host
}

// ---------------------------------------------------------------------------------------------------------------
// 3. The preamble: where a free name comes from.

const namespaces = {
  tf: "import * as tf from '@tensorflow/tfjs'",
  t: "import * as t from 'io-ts'",
  fc: "import fc from 'fast-check'",
  E: "import * as E from 'fp-ts/lib/Either.js'",
  O: "import * as O from 'fp-ts/lib/Option.js'",
  pipe: "import { pipe } from 'fp-ts/lib/function.js'",
  flow: "import { flow } from 'fp-ts/lib/function.js'",
}
const nodeNames = Object.fromEntries([
  ...['existsSync', 'mkdirSync', 'readFileSync', 'readdirSync', 'rmSync', 'writeFileSync'].map((n) => [n, 'node:fs']),
  ...['mkdir', 'readFile', 'readdir', 'rm', 'writeFile'].map((n) => [n, 'node:fs/promises']),
])
// rxjs names imported on sight: its creation functions, operators and classes (not `config`, `count` or `first`,
// which fragments use as their own variables).
const rxjsNames = new Set(
  `Observable Subject BehaviorSubject ReplaySubject EMPTY of from defer range interval timer merge concat zip
  combineLatest forkJoin firstValueFrom lastValueFrom map filter scan mergeMap concatMap switchMap exhaustMap tap
  toArray take takeWhile takeUntil skip share shareReplay bufferCount withLatestFrom startWith finalize
  ignoreElements mergeWith endWith observeOn asapScheduler queueScheduler animationFrameScheduler`.split(/\s+/),
)
const workspaceOrder = ['core', 'replay', 'noise', 'envs', 'agents', 'pipelines']

const specifierFrom = (genFile, target) => {
  const rel = path.relative(path.dirname(genFile), target).replaceAll(path.sep, '/').replace(/\.ts$/, '.js')
  return rel.startsWith('.') ? rel : `./${rel}`
}

/** The names a module exports, from the checker; a `Set` of strings. */
const exportsOf = (program, checker, file) => {
  const source = program.getSourceFile(file)
  const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
  return new Set(symbol === undefined ? [] : checker.getExportsOfModule(symbol).map((s) => s.getName()))
}

const levenshtein = (a, b) => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = row[j]
      row[j] = next
    }
  }
  return row[b.length]
}

const freeNameCodes = new Set([2304, 2552, 18004, 2582, 2593])
const namespaceCode = 2503
const implicitAnyCodes = new Set([7005, 7006, 7008, 7031, 7034])

const writeBlock = (block, preamble) => {
  block.preambleLines = preamble.length
  writeFileSync(block.genFile, [...preamble, block.code, 'export {}', ''].join('\n'))
}

/** The free names of each block, from a program's diagnostics: `Map<name, { value, type, generic }>`. */
const freeNames = (program, block) => {
  const source = program.getSourceFile(block.genFile)
  const names = new Map()
  for (const d of program.getSemanticDiagnostics(source)) {
    if (!freeNameCodes.has(d.code) && d.code !== namespaceCode) continue
    const name = source.text.slice(d.start, d.start + d.length)
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) continue
    const line = source.getLineAndCharacterOfPosition(d.start).line
    const use = names.get(name) ?? { value: false, type: false, namespace: false, generic: 0, called: false, line }
    use.memberOnly ??= true
    let node = ts.getTokenAtPosition(source, d.start)
    const parent = node.parent
    const isMember =
      (ts.isPropertyAccessExpression(parent) && parent.expression === node) ||
      (ts.isQualifiedName(parent) && parent.left === node)
    if (!isMember) use.memberOnly = false
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === node) use.called = true
    if (d.code === namespaceCode) use.namespace = true
    else if (ts.isTypeReferenceNode(node.parent) || ts.isExpressionWithTypeArguments(node.parent)) {
      use.type = true
      use.generic = Math.max(use.generic, node.parent.typeArguments?.length ?? 0)
    } else {
      while (ts.isQualifiedName(node.parent)) node = node.parent
      if (ts.isTypeQueryNode(node.parent) || !ts.isTypeNode(node.parent)) use.value = true
      else use.type = true
    }
    names.set(name, use)
  }
  return names
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Check each group: pass 1 finds the free names, pass 2 reports.

// leftovers of runs that were killed (an hour old) go; so does this run's folder when it ends
for (const entry of statSync(cacheDir, { throwIfNoEntry: false }) ? readdirSync(cacheDir) : []) {
  const dir = path.join(cacheDir, entry)
  if (Date.now() - statSync(dir).mtimeMs > 3_600_000) rmSync(dir, { recursive: true, force: true })
}
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
process.on('exit', () => rmSync(outDir, { recursive: true, force: true }))

const failures = []
const notes = []
let checked = 0

for (const group of groups.values()) {
  const host = makeHost(group.options)
  const indexes = workspaceOrder
    .map((name) => path.join(root, 'packages', name, 'src', 'index.ts'))
    .filter((f) => ts.sys.fileExists(f))
  const modules = [...new Set(group.blocks.flatMap((b) => [b.module, b.pkg?.index, ...(b.pkg?.modules ?? [])]))].filter(
    (f) => f !== undefined,
  )
  const rxjsProbe = path.join(outDir, '__rxjs.mts')
  writeFileSync(rxjsProbe, "export * from 'rxjs'\n")
  for (const block of group.blocks) writeBlock(block, [])
  const rootNames = [...group.blocks.map((b) => b.genFile), ...indexes, ...modules, rxjsProbe]

  const first = ts.createProgram({ rootNames, options: group.options, host })
  const checker = first.getTypeChecker()
  const exportCache = new Map()
  const exportsOfFile = (file) => {
    if (!exportCache.has(file)) exportCache.set(file, exportsOf(first, checker, file))
    return exportCache.get(file)
  }
  const rxjsExports = exportsOfFile(rxjsProbe)
  const workspaceExports = indexes.map((index) => ({
    index,
    specifier: JSON.parse(readFileSync(path.join(path.dirname(index), '..', 'package.json'), 'utf8')).name,
    names: exportsOfFile(index),
  }))

  for (const block of group.blocks) {
    const imports = new Map() // specifier → names
    const lines = []
    const declared = []
    const addImport = (specifier, name) => {
      if (!imports.has(specifier)) imports.set(specifier, new Set())
      imports.get(specifier).add(name)
    }
    /** Where `name` comes from when nothing in the block imports it, in order of preference. */
    const sourceOf = (name, use) => {
      // names a fragment may well use for its own variables (`t` for a time step, `map`, `learnerStep`) come from a
      // library only when used the library's way: a namespace through its members, a function by calling it
      const apiLike = use.called || /^[A-Z]/.test(name)
      if (block.module !== undefined && exportsOfFile(block.module).has(name)) {
        const pkgHasIt = block.pkg?.index !== undefined && exportsOfFile(block.pkg.index).has(name)
        const target = pkgHasIt && block.pkg.exported ? block.pkg.name : specifierFrom(block.genFile, block.module)
        return { specifier: target }
      }
      if (block.pkg?.index !== undefined && exportsOfFile(block.pkg.index).has(name))
        return { specifier: block.pkg.exported ? block.pkg.name : specifierFrom(block.genFile, block.pkg.index) }
      const appModule = block.pkg?.modules.find((m) => exportsOfFile(m).has(name))
      if (appModule !== undefined) return { specifier: specifierFrom(block.genFile, appModule) }
      if (namespaces[name] !== undefined && (/^import (fc|\* as)/.test(namespaces[name]) ? use.memberOnly : apiLike))
        return { statement: namespaces[name] }
      if (nodeNames[name] !== undefined) return { specifier: nodeNames[name] }
      if (apiLike && rxjsNames.has(name) && rxjsExports.has(name)) return { specifier: 'rxjs' }
      // the other workspace packages this block's package depends on (all of them outside a package)
      const workspace = workspaceExports.find(
        (w) => (block.pkg?.dependencies.includes(w.specifier) ?? true) && w.names.has(name),
      )
      if (workspace !== undefined && !apiLike && !use.memberOnly) return undefined
      if (workspace !== undefined) return { specifier: workspace.specifier }
      return undefined
    }
    const known = () =>
      [block.module, block.pkg?.index, ...(block.pkg?.modules ?? [])]
        .filter((f) => f !== undefined)
        .flatMap((f) => [...exportsOfFile(f)])
    for (const [name, use] of freeNames(first, block)) {
      const from = sourceOf(name, use)
      if (from !== undefined && block.ownImports) {
        // a block that imports is checked as written: using an API it did not import is a mistake
        const where = from.specifier ?? from.statement.replace(/.* from /, '')
        block.preFailures = [
          ...(block.preFailures ?? []),
          {
            line: use.line,
            message: `'${name}' is used but not imported (it comes from ${where.replaceAll("'", '')})`,
          },
        ]
      } else if (from?.statement !== undefined) lines.push(from.statement)
      else if (from !== undefined) addImport(from.specifier, name)
      if (from !== undefined) continue
      // a fragment's own variables are declared `any`, which would also hide a misspelt API: flag near misses
      // (`polyakUpdat`), but not a variable named after its type (`batch: Batch`)
      const near = known().find(
        (k) => k.toLowerCase() !== name.toLowerCase() && levenshtein(k, name) <= (name.length > 6 ? 2 : 1),
      )
      if (near !== undefined && name.length > 3) {
        block.preFailures = [
          ...(block.preFailures ?? []),
          { line: use.line, message: `'${name}' is not defined; did you mean '${near}'?` },
        ]
      }
      declared.push(name)
      if (use.value || use.namespace) lines.push(`declare let ${name}: any`)
      if (use.type) {
        const params = Array.from({ length: use.generic }, (_, i) => `_T${i} = unknown`).join(', ')
        lines.push(`type ${name}${use.generic > 0 ? `<${params}>` : ''} = any`)
      }
      if (use.namespace && !use.type) lines.push(`declare namespace ${name} { type _ = never }`)
    }
    block.declared = declared
    const importLines = [...imports].map(
      ([specifier, names]) => `import { ${[...names].join(', ')} } from '${specifier}'`,
    )
    writeBlock(block, [...importLines, ...lines])
  }

  const second = ts.createProgram({ rootNames, options: group.options, host, oldProgram: first })
  for (const block of group.blocks) {
    checked++
    const source = second.getSourceFile(block.genFile)
    const diagnostics = [...second.getSyntacticDiagnostics(source), ...second.getSemanticDiagnostics(source)]
    // pass 1 had no preamble: its lines are the block's own
    const lastLine = block.line + block.code.split('\n').length - 1
    const messages = (block.preFailures ?? []).map(({ line, message }) => ({ line: block.line + line, message }))
    for (const d of diagnostics) {
      // a fragment's callbacks have no context to type their parameters (`(simulation, key) => …` as an object
      // property, or on a variable declared `any`): implicit `any` there is not the example's fault
      if (!block.ownImports && implicitAnyCodes.has(d.code)) continue
      const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0)
      const sourceLine = Math.min(lastLine, block.line + Math.max(0, line - block.preambleLines))
      messages.push({
        line: sourceLine,
        message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      })
    }
    if (listBlocks) {
      const any = block.declared.length > 0 ? ` (declared any: ${block.declared.join(', ')})` : ''
      console.log(`${block.rel}:${block.line} ${messages.length === 0 ? 'ok' : 'FAIL'}${any}`)
    }
    if (messages.length > 0) failures.push({ block, messages })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Report.

const blocking = failures.filter((f) => !f.block.pending)
const pendingFailing = new Set(failures.filter((f) => f.block.pending).map((f) => f.block.rel))
for (const { block, messages } of blocking) {
  for (const { line, message } of messages) console.log(`${block.rel}:${line}: ${message}`)
}
for (const rel of pending) {
  const exists = statSync(path.join(root, rel), { throwIfNoEntry: false }) !== undefined
  if (!exists) notes.push(`${rel} is in scripts/examples-pending.txt but does not exist: remove it from the list`)
  else if (!pendingFailing.has(rel)) notes.push(`${rel} now passes: remove it from scripts/examples-pending.txt`)
}
for (const note of notes) console.log(`note: ${note}`)
const pendingBlocks = blocks.filter((b) => b.pending).length
const seconds = ((performance.now() - started) / 1000).toFixed(1)
console.log(
  `examples: ${checked} blocks in ${new Set(blocks.map((b) => b.rel)).size} files checked, ${blocking.length} failed` +
    (pending.size > 0 ? `, ${pendingBlocks} blocks in ${pending.size} pending files not counted` : '') +
    ` (${seconds} s)`,
)
process.exitCode = blocking.length > 0 ? 1 : 0
