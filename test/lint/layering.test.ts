// The layering in eslint.config.js really fires: every src/ folder has an entry, imports are resolved the
// TypeScript way (so no-cycle and the path zones see .ts files), and adapters stay in composition roots.
import fs from 'node:fs';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(import.meta.dirname, 'fixtures');

interface LintConfigModule {
  layers: Record<string, string[]>;
  findAdapters(root: string): string[];
  layeringConfigs(root: string): Linter.Config[];
}

let config: LintConfigModule;
beforeAll(async () => {
  // A computed specifier: eslint.config.js is plain JavaScript without declarations.
  const specifier = path.join(repo, 'eslint.config.js');
  config = (await import(specifier)) as LintConfigModule;
});

const folders = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

/** Lints with only the layering blocks (no type information), so text can stand for a file that is not there. */
function layeringLinter(root: string): ESLint {
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      ...config.layeringConfigs(root),
    ],
  });
}

/** The rule ids reported for each file, keyed by the path relative to `root`. */
function rulesByFile(root: string, results: ESLint.LintResult[]): Record<string, (string | null)[]> {
  return Object.fromEntries(
    results.map((result) => [
      path.relative(root, result.filePath),
      result.messages.map((message) => message.ruleId),
    ]),
  );
}

describe('the layer table', () => {
  it('has an entry for every folder of src/ and none for a folder that is gone', () => {
    expect(Object.keys(config.layers).sort()).toEqual(folders(path.join(repo, 'src')));
  });

  it('bans only folders of src/, never the layer itself', () => {
    const known = new Set(folders(path.join(repo, 'src')));
    for (const [layer, banned] of Object.entries(config.layers)) {
      expect(
        banned.filter((other) => !known.has(other) || other === layer),
        layer,
      ).toEqual([]);
    }
  });

  it('counts every subfolder of store/ and meta/ as an adapter', () => {
    expect(config.findAdapters(repo)).toEqual(
      expect.arrayContaining(['store/chdb', 'meta/sqlite', 'meta/postgres']),
    );
  });
});

describe('the layering on the real tree', () => {
  const probe = async (filePath: string, code: string): Promise<(string | null)[]> => {
    const [result] = await layeringLinter(repo).lintText(code, { filePath: path.join(repo, filePath) });
    return result?.messages.map((message) => message.ruleId) ?? [];
  };

  it('stops a lower layer importing a higher one', async () => {
    const code = "import type { LogStore } from '../store/log-store.js';\nexport type Store = LogStore;\n";
    expect(await probe('src/core/probe.ts', code)).toEqual(['import-x/no-restricted-paths']);
  });

  it('lets a service import the port of a store', async () => {
    const code = "import type { LogStore } from '../store/log-store.js';\nexport type Store = LogStore;\n";
    expect(await probe('src/search/probe.ts', code)).toEqual([]);
  });

  it('keeps query/ free of Node built-ins and I/O packages, except what the interpreter needs', async () => {
    expect(await probe('src/query/parser/probe.ts', "export { readFileSync } from 'node:fs';\n")).toEqual([
      'import-x/no-nodejs-modules',
    ]);
    expect(await probe('src/query/probe.ts', "export { ChdbError } from 'chdb';\n")).toEqual([
      'no-restricted-imports',
    ]);
    expect(
      await probe('src/query/interpreter/probe.ts', "export { createHash } from 'node:crypto';\n"),
    ).toEqual([]);
    expect(
      await probe('src/query/interpreter/probe.ts', "export { readFileSync } from 'node:fs';\n"),
    ).toEqual(['import-x/no-nodejs-modules']);
  });

  it('lets a test beside the code build an adapter', async () => {
    const code = "export { createChdbLogStore } from '../store/chdb/chdb-log-store.js';\n";
    expect(await probe('src/search/probe.test.ts', code)).toEqual([]);
    expect(await probe('src/search/probe.ts', code)).toEqual(['import-x/no-restricted-paths']);
  });
});

describe('adapters are imported only by composition roots (fixture)', () => {
  it('reports the port, the other adapter and the service, and allows the adapter and the root', async () => {
    const root = path.join(fixtures, 'adapters');
    const results = await layeringLinter(root).lintFiles(['src/**/*.ts']);
    expect(rulesByFile(root, results)).toEqual({
      'src/store/log-store.ts': ['import-x/no-restricted-paths'],
      'src/store/chdb/chdb-log-store.ts': [],
      'src/store/clickhouse/clickhouse-log-store.ts': ['import-x/no-restricted-paths'],
      'src/meta/sqlite/sqlite-meta-store.ts': [],
      'src/search/search-job.ts': ['import-x/no-restricted-paths', 'import-x/no-restricted-paths'],
      'src/server/start-server.ts': [],
    });
  });
});

describe('import-x/no-cycle with the main config (fixture)', { timeout: 120_000 }, () => {
  const cycle = ['test/lint/fixtures/cycle/a.ts', 'test/lint/fixtures/cycle/b.ts'];

  it('reports a cycle spelled with .js specifiers', async () => {
    const eslint = new ESLint({ cwd: repo, ignore: false });
    expect(rulesByFile(repo, await eslint.lintFiles(cycle))).toEqual({
      [cycle[0]!]: ['import-x/no-cycle'],
      [cycle[1]!]: ['import-x/no-cycle'],
    });
  });

  it('misses it with the plugin’s default resolver: why the TypeScript resolver is configured', async () => {
    const eslint = new ESLint({
      cwd: repo,
      ignore: false,
      overrideConfig: { settings: { 'import-x/resolver-next': [createNodeResolver()] } },
    });
    expect(rulesByFile(repo, await eslint.lintFiles(cycle))).toEqual({ [cycle[0]!]: [], [cycle[1]!]: [] });
  });
});
