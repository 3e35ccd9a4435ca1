import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// Workspace packages ship TypeScript source: bundle them instead of leaving a
// runtime import of untranspiled .ts files (electron-vite externalizes every
// dependency by default).
const here = dirname(fileURLToPath(import.meta.url))
const bundledWorkspacePackages = ['@anomalyze/shared']

export default defineConfig({
  main: {
    build: {
      externalizeDeps: { exclude: bundledWorkspacePackages },
      rollupOptions: { input: { index: resolve(here, 'src/main/index.ts') } },
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
    plugins: [react()],
    build: {
      // electron-vite leaves the renderer unminified; a third of the bytes parse faster
      // on first paint (the queue's goal is under a second).
      minify: true,
      rollupOptions: { input: { index: resolve(here, 'src/renderer/index.html') } },
    },
  },
})
