import { defaultClientConditions, defineConfig } from 'vite'

/**
 * The page imports the workspace packages through their sources (the `@polyak/source` export condition), so it
 * needs no package build. `base: './'` keeps every asset URL relative: the built `dist/` works from any folder.
 */
export default defineConfig({
  base: './',
  resolve: { conditions: ['@polyak/source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096, reportCompressedSize: false },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 5173 },
})
