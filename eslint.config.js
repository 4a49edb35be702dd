// Lint rules, including the layering of src/ (see STYLE.md): a machine keeps the dependency direction.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import regexpPlugin from 'eslint-plugin-regexp';

/** Folders each layer must not import from (relative imports are resolved by pattern). */
const layers = {
  core: ['config', 'query', 'store', 'meta', 'ingest', 'search', 'http', 'cli', 'auth', 'audit', 'volume'],
  config: ['query', 'store', 'meta', 'ingest', 'search', 'http', 'cli'],
  query: ['store', 'meta', 'ingest', 'search', 'http', 'cli', 'config'],
  store: ['meta', 'ingest', 'search', 'http', 'cli'],
  meta: ['store', 'ingest', 'search', 'http', 'cli'],
  ingest: ['http', 'cli'],
  http: ['cli'],
  protocol: ['core', 'config', 'query', 'store', 'meta', 'ingest', 'search', 'http', 'cli', 'auth'],
};

const layerRules = Object.entries(layers).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: banned.map((b) => ({ group: [`**/${b}/*`, `../${b}`], message: `${layer}/ must not import ${b}/` })) },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'coverage/**', 'bin/**', 'eslint.config.js', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'import-x/no-cycle': 'error',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...layerRules,
  {
    // Linear-time matching (docs/security.md): our own patterns may not backtrack super-linearly, and
    // a pattern built at run time goes through core/linear-regex.ts (RE2), never the RegExp constructor.
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { regexp: regexpPlugin },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='RegExp'], CallExpression[callee.name='RegExp']",
          message: 'build run-time patterns with compileLinearRegex (src/core/linear-regex.ts): RegExp backtracks',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'web/**/*.ts', 'web/**/*.tsx'],
    ignores: ['src/core/linear-regex.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 're2js', message: 'use src/core/linear-regex.ts' }] }],
    },
  },
  {
    // The web UI shares only the protocol types and the pure query front end with the server.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)src/(?!protocol/|query/)', message: 'web/ imports only src/protocol and src/query' },
            { group: ['**/src/query/interpreter/**'], message: 'the interpreter needs Node; web/ uses the parser, lexer and catalog' },
          ],
        },
      ],
    },
  },
);
