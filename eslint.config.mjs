import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'target/**', '**/dist/**', 'circuits/build/**', 'app/dist/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // `@zkpin/sdk`'s main entry runs in browsers too: no Node builtins, no litesvm, no Node
    // globals (web3.js's Buffer comes from the `buffer` package, imported by name). Node-only
    // code lives under `@zkpin/sdk/node` (sdk/src/node*) and `@zkpin/sdk/testing`
    // (sdk/src/testing*); sdk/test/unit/browser-bundle.test.ts checks the bundle as well.
    files: ['sdk/src/**/*.ts'],
    ignores: ['sdk/src/node.ts', 'sdk/src/node/**', 'sdk/src/testing.ts', 'sdk/src/testing/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'Buffer',
          message:
            "Browser-safe code: use Uint8Array, or import { Buffer } from 'buffer' where web3.js needs one.",
        },
        { name: 'process', message: 'Browser-safe code: no process; configuration is passed in.' },
        { name: 'require', message: 'Browser-safe code: ES imports only.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*'],
              message: 'Node builtins belong in @zkpin/sdk/node (sdk/src/node/).',
            },
            {
              group: ['litesvm'],
              message: 'LiteSVM belongs in @zkpin/sdk/testing (sdk/src/testing/).',
            },
          ],
          paths: [
            'assert',
            'buffer/',
            'crypto',
            'fs',
            'os',
            'path',
            'url',
            'util',
            'stream',
            'worker_threads',
            'child_process',
          ].map((name) => ({ name, message: 'Node builtin: belongs in @zkpin/sdk/node.' })),
        },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);
