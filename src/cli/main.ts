#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isAppError } from '../core/errors.js';
import { registerAdminCommand } from './commands/admin.js';
import { registerCollectCommand } from './commands/collect.js';
import { registerQueryCommand } from './commands/query.js';
import { registerSearchCommand } from './commands/search.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTailCommand } from './commands/tail.js';
import { ExitCode } from './exit-codes.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Builds the `quarry` command line; every command registers itself here. */
export function buildProgram(): Command {
  const program = new Command('quarry')
    .description('Quarry: self-hosted log management with the Sumo Logic query language')
    .version(version)
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerQueryCommand(program);
  registerSearchCommand(program);
  registerTailCommand(program);
  registerCollectCommand(program);
  registerAdminCommand(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exit(error.exitCode === 0 ? ExitCode.Ok : ExitCode.UserError);
    }
    if (isAppError(error) && error.code !== 'internal') {
      process.stderr.write(`quarry: ${error.message}\n`);
      process.exit(ExitCode.UserError);
    }
    process.stderr.write(`quarry: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(ExitCode.Internal);
  }
}

void main();
