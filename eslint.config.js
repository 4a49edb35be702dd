// Lint rules, including the layering of src/ (see STYLE.md, DESIGN.md §3): a machine keeps the dependency direction.
import fs from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import regexpPlugin from 'eslint-plugin-regexp';

/**
 * Every folder of src/ and the folders it must not import, bottom to top (DESIGN.md §3). An entry is
 * required for each folder: test/lint/layering.test.ts fails on a folder without one. Kept one line per
 * layer (prettier-ignore) so that it reads as a table.
 */
// prettier-ignore
export const layers = {
  // The bottom: errors, results, ids, clock, logger interface, linear regexes.
  core: ['auth', 'cli', 'collect', 'config', 'http', 'ingest', 'meta', 'protocol', 'query', 'search', 'server', 'store'],
  // Wire types shared with web/: pure, not even core.
  protocol: ['auth', 'cli', 'collect', 'config', 'core', 'http', 'ingest', 'meta', 'query', 'search', 'server', 'store'],
  // One schema, one loader, over core.
  config: ['auth', 'cli', 'collect', 'http', 'ingest', 'meta', 'protocol', 'query', 'search', 'server', 'store'],
  // The language: lexer, parser, planner, SQL, interpreter. Pure; web/ bundles most of it.
  query: ['auth', 'cli', 'collect', 'config', 'http', 'ingest', 'meta', 'protocol', 'search', 'server', 'store'],
  // LogStore port and its adapters: runs the SQL the query planner renders.
  store: ['auth', 'cli', 'collect', 'config', 'http', 'ingest', 'meta', 'protocol', 'search', 'server'],
  // MetaStore port and its adapters.
  meta: ['auth', 'cli', 'collect', 'config', 'http', 'ingest', 'protocol', 'query', 'search', 'server', 'store'],
  // Service: users, sessions, tokens, capabilities over the MetaStore port.
  auth: ['cli', 'collect', 'http', 'ingest', 'protocol', 'query', 'search', 'server', 'store'],
  // Service: decode, route, budget, batch, append through the LogStore port.
  ingest: ['cli', 'collect', 'http', 'protocol', 'search', 'server'],
  // Service: search jobs and live tail over the query engine and the LogStore port.
  search: ['cli', 'collect', 'http', 'ingest', 'protocol', 'server'],
  // The shipper agent (quarry collect): a client of Quarry's HTTP API that runs on its own.
  collect: ['auth', 'cli', 'config', 'http', 'ingest', 'meta', 'protocol', 'query', 'search', 'server', 'store'],
  // The outside: Fastify app and thin routes over the services.
  http: ['cli', 'collect', 'server'],
  // Composition root of quarry serve: chooses the adapters, assembles http/ and the services.
  server: ['cli', 'collect'],
  // Composition root of the commands; it starts the HTTP app only through server/.
  cli: ['http'],
};

/** The folders that may import an adapter (besides the adapter itself): the composition roots. */
const compositionRoots = ['server', 'cli'];

/** Folders whose subfolders are adapters behind the port their top-level files declare. */
const portFolders = ['store', 'meta'];

/** Packages that do I/O: the pure query engine never imports them. */
const ioPackages = ['better-sqlite3', 'chdb', 'commander', 'fastify', 'kysely', 'pg', 'pino'];

/** The only Node built-ins the interpreter truly needs: hashes (node:crypto) and IP checks (node:net). */
const interpreterBuiltins = ['node:crypto', 'node:net'];

/**
 * Settings that let import-x follow TypeScript: resolve `./x.js` to `./x.ts` as tsc does, and read .ts
 * files (by default it parses only .js and skips the rest). Without them no-cycle and no-restricted-paths
 * silently find nothing; test/lint/layering.test.ts proves both halves.
 */
export const importSettings = {
  'import-x/extensions': ['.ts', '.tsx', '.js'],
  'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
  'import-x/resolver-next': [
    createTypeScriptImportResolver({
      project: [
        path.join(import.meta.dirname, 'tsconfig.json'),
        path.join(import.meta.dirname, 'web/tsconfig.json'),
      ],
      noWarnOnMultipleProjects: true,
    }),
  ],
};

/**
 * no-restricted-imports options: a later config object replaces an earlier one's for the same file,
 * so every block that sets the rule goes through here and keeps the re2js ban.
 */
function restrictedImports({ paths = [], patterns = [] } = {}) {
  const re2js = { name: 're2js', message: 'use src/core/linear-regex.ts' };
  return ['error', { paths: [re2js, ...paths], patterns }];
}

/** The adapter folders under `root`: every subfolder of store/ and meta/. */
export function findAdapters(root) {
  return portFolders.flatMap((port) => {
    const dir = path.join(root, 'src', port);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${port}/${entry.name}`);
  });
}

/**
 * The layering of the src/ folders under `root` as flat-config objects: the folder table, adapters only
 * in composition roots, and a pure query engine. Exported so test/lint/ lints fixtures with the same rules.
 */
export function layeringConfigs(root) {
  const layerZones = Object.entries(layers).flatMap(([layer, banned]) =>
    banned.map((other) => ({
      target: `src/${layer}`,
      from: `src/${other}`,
      message: `${layer}/ must not import ${other}/ (eslint.config.js layers, DESIGN.md §3).`,
    })),
  );
  const adapters = findAdapters(root);
  const adapterZones = adapters.map((adapter) => {
    const [port] = adapter.split('/');
    const otherFolders = Object.keys(layers).filter(
      (layer) => layer !== port && !compositionRoots.includes(layer),
    );
    const siblings = adapters.filter((other) => other !== adapter && other.startsWith(`${port}/`));
    return {
      target: [
        ...otherFolders.map((layer) => `src/${layer}`),
        `src/${port}/*.ts`,
        ...siblings.map((s) => `src/${s}`),
      ],
      from: `src/${adapter}`,
      message: `${adapter}/ is an adapter: only the composition roots (${compositionRoots.join('/, ')}/) and tests choose it; ports and other adapters never import it.`,
    };
  });
  const zones = (list) => ['error', { basePath: root, zones: list }];
  return [
    {
      files: ['src/**/*.ts'],
      ignores: ['**/*.test.ts'],
      plugins: { 'import-x': importX },
      settings: importSettings,
      rules: { 'import-x/no-restricted-paths': zones([...layerZones, ...adapterZones]) },
    },
    {
      // A test beside the code keeps its folder's direction, but may build any adapter (it is a composition root).
      files: ['src/**/*.test.ts'],
      plugins: { 'import-x': importX },
      settings: importSettings,
      rules: { 'import-x/no-restricted-paths': zones(layerZones) },
    },
    {
      files: ['src/query/**/*.ts', 'src/protocol/**/*.ts'],
      ignores: ['**/*.test.ts'],
      plugins: { 'import-x': importX },
      rules: {
        'import-x/no-nodejs-modules': 'error',
        'no-restricted-imports': restrictedImports({
          paths: ioPackages.map((name) => ({ name, message: 'query/ and protocol/ are pure: no I/O' })),
        }),
      },
    },
    {
      files: ['src/query/interpreter/**/*.ts'],
      ignores: ['**/*.test.ts'],
      rules: { 'import-x/no-nodejs-modules': ['error', { allow: interpreterBuiltins }] },
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'web/dist/**',
      'coverage/**',
      'bin/**',
      'eslint.config.js',
      '.scratch/**',
      // Fixtures break the rules on purpose; test/lint/layering.test.ts lints them explicitly.
      'test/lint/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: importSettings,
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
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
          message:
            'build run-time patterns with compileLinearRegex (src/core/linear-regex.ts): RegExp backtracks',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'web/**/*.ts', 'web/**/*.tsx'],
    ignores: ['src/core/linear-regex.ts'],
    rules: { 'no-restricted-imports': restrictedImports() },
  },
  ...layeringConfigs(import.meta.dirname),
  {
    // Files stay about one concept (STYLE.md). Counted without blank lines and comments, so that
    // documenting a module never pushes it over; 600 lines of code is about STYLE's ~800 lines.
    files: ['src/**/*.ts', 'web/src/**/*.ts', 'web/src/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { 'max-lines': ['error', { max: 600, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The web UI shares only the protocol types and the pure query front end with the server.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      'no-restricted-imports': restrictedImports({
        patterns: [
          { regex: '(^|/)src/(?!protocol/|query/)', message: 'web/ imports only src/protocol and src/query' },
          {
            group: ['**/src/query/interpreter/**'],
            message: 'the interpreter needs Node; web/ uses the parser, lexer and catalog',
          },
        ],
      }),
    },
  },
);
