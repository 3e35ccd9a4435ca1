// One lint setup for the whole workspace (ESLint flat config + typescript-eslint).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', '**/.cache/**', 'apps/server/src/generated/**', 'apps/desktop/screenshots/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports (config files excepted).' }],
    },
  },
  {
    // The pure shared code runs in the browser renderer too.
    files: ['packages/shared/src/**/*.ts'],
    ignores: ['packages/shared/src/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'electron', '@prisma/*'], message: 'packages/shared (outside node/) must stay platform-free.' }] },
      ],
    },
  },
  {
    // The renderer is a web page: its bundle must never pull Node code (ONNX, SQLite,
    // Electron, files). It talks to the core through the preload bridge only.
    files: ['apps/desktop/src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@anomalyze/shared/node', '@anomalyze/shared/node/*', 'node:*', 'electron', 'better-sqlite3', 'onnxruntime-node', 'onnxruntime-node/*'],
              message: 'The renderer runs in the page: import the domain (@anomalyze/shared) or the engine (@anomalyze/shared/engine), never Node code.',
            },
            { group: ['**/core/**', '**/main/**'], message: 'The renderer reaches the core through the preload bridge, never by import.' },
          ],
        },
      ],
    },
  },
  {
    // Configuration is read in one place per app: env.ts parses and validates
    // process.env, everything else receives typed settings.
    files: ['apps/*/src/**/*.{ts,tsx,mjs}', 'packages/*/src/**/*.{ts,tsx,mjs}'],
    ignores: ['**/env.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: "Read configuration through this app's env.ts." }],
    },
  },
  {
    files: ['**/*.config.ts', '**/*.config.js', 'prisma/prisma.config.ts', 'apps/server/test/global-setup.ts', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Tests read untyped JSON responses.
    files: ['**/*.test.ts', '**/test/**/*.ts', '**/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
)
