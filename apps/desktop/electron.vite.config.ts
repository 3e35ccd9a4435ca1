import { readdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import type { HtmlTagDescriptor, Plugin } from 'vite'

// Workspace packages ship TypeScript source: bundle them instead of leaving a
// runtime import of untranspiled .ts files (electron-vite externalizes every
// dependency by default).
const here = dirname(fileURLToPath(import.meta.url))
const bundledWorkspacePackages = ['@anomalyze/shared']

/**
 * Files the core reads at run time, emitted beside the built core host (out/main/):
 * bundled, `import.meta.url` no longer points at the shared engine's default model, its
 * ONNX worker entry or the alert writer's worker, so the core host says where these are
 * (src/core-host/host-core.ts, bundledAssets) and the packaged app carries them.
 */
function bundledCoreFiles(): Plugin {
  const shared = resolve(here, '../../packages/shared')
  const modelDir = resolve(shared, 'models/default')
  return {
    name: 'anomalyze:bundled-core-files',
    generateBundle() {
      const files = [
        { from: resolve(shared, 'src/node/onnx/onnx-worker-entry.mjs'), to: 'onnx-worker-entry.mjs' },
        { from: resolve(here, 'src/core/scoring/alert-writer-worker.mjs'), to: 'alert-writer-worker.mjs' },
        ...readdirSync(modelDir).map((name) => ({ from: resolve(modelDir, name), to: `models/default/${name}` })),
      ]
      for (const file of files) this.emitFile({ type: 'asset', fileName: file.to, source: readFileSync(file.from) })
    },
  }
}

/**
 * The page's entry (boot.ts) is small and loads the app (main.tsx) with a dynamic
 * import, which the browser would only start fetching once boot has run. Links in the
 * page start the app's code and styles downloading at once, before boot's core calls
 * (the browser console's server sends files before it runs calls, see browser-shell/web-server.ts).
 */
function preloadAppChunk(): Plugin {
  return {
    name: 'anomalyze:preload-app-chunk',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const entry = ctx.chunk
        const bundle = ctx.bundle
        if (entry === undefined || bundle === undefined) return undefined
        const tags: HtmlTagDescriptor[] = []
        for (const file of entry.dynamicImports) {
          const chunk = bundle[file]
          if (chunk?.type !== 'chunk' || chunk.facadeModuleId?.endsWith('/src/main.tsx') !== true) continue
          for (const css of chunk.viteMetadata?.importedCss ?? [])
            tags.push({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `./${css}` }, injectTo: 'head' })
          // The entry and what it imports itself are on their way already.
          const loading = new Set([entry.fileName, ...entry.imports])
          for (const js of [chunk.fileName, ...chunk.imports].filter((f) => !loading.has(f)))
            tags.push({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${js}` }, injectTo: 'head' })
        }
        return tags
      },
    },
  }
}

export default defineConfig({
  main: {
    plugins: [bundledCoreFiles()],
    build: {
      externalizeDeps: { exclude: bundledWorkspacePackages },
      // The Electron shell, and the core host it forks as a utility process (the SQLite
      // cache and ONNX scoring run there, never in the shell).
      rollupOptions: { input: { index: resolve(here, 'src/main/index.ts'), 'core-host': resolve(here, 'src/core-host/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot load ES modules or require other files:
      // one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(here, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(here, 'src/renderer'),
    plugins: [react(), preloadAppChunk()],
    build: {
      // electron-vite leaves the renderer unminified; a third of the bytes parse faster
      // on first paint (the queue's goal is under a second).
      minify: true,
      rollupOptions: {
        input: { index: resolve(here, 'src/renderer/index.html') },
        // The shared domain modules build zod schemas at load time (for the server and
        // the core), next to constants the renderer imports (statuses, severities): as
        // calls, the bundler keeps them, and zod with them (50 KB of the queue's first
        // chunk). The renderer never parses with those schemas, so unused ones may go.
        treeshake: { manualPureFunctions: ['z'] },
      },
    },
  },
})
