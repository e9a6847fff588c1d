import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'results/', 'coverage/', 'dist/'] }, // dist/: npm run bundle's output
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // House style: lines wrapped at 140 characters, functions short enough to fit on a screen.
      'max-len': ['error', { code: 140, ignoreUrls: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      // Say what happens: no `(a(), b)` that runs one expression for its effect and returns another.
      'no-sequences': ['error', { allowInParentheses: false }],
    },
  },
  { files: ['scripts/**/*.mjs', 'scripts/**/*.js'], languageOptions: { globals: { ...globals.node } } },
);
