// `npm run lint`: ESLint with typescript-eslint's type-aware rules over src/, test/ and bench/*.ts, and
// ESLint's recommended rules over the project's own scripts (scripts/, bench/*.mjs, esbuild.js).
// The point is promises: one nobody awaits or catches (no-floating-promises) and an async function
// where a void callback is expected (no-misused-promises) lose their errors. `void promise` counts as
// floating too (ignoreVoid: false), VS Code's Thenables included (checkThenables): work nobody awaits
// goes through runInBackground (src/core/background.ts), which logs its failure. Besides those, ESLint's
// recommended rules and typescript-eslint's recommendedTypeChecked, except the no-unsafe-* family:
// here it flags only `any` that comes from APIs (JSON.parse, vscode's `dispose(): any`, workerData),
// and would need casts that check nothing.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['out/', 'dist/', 'node_modules/', '.vscode-test/', 'bench/tmp/', 'realworld/', 'media/'] },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', '*.mjs', 'esbuild.js'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  { files: ['esbuild.js'], languageOptions: { sourceType: 'commonjs' } },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false, checkThenables: true }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Passing on what a catch caught is fine; rejecting with a string or object literal is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // tsc reports unused names already (noUnusedLocals, noUnusedParameters, which allow a leading _).
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
);
