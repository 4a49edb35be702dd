import { createHmac } from 'node:crypto';
import { ProcessingRuleKind as RuleKind, type ProcessingRule } from '../meta/meta-store.js';

export { RuleKind, type ProcessingRule };

/**
 * Per-source processing rules (Sumo's "processing rules"): include and exclude filters, mask and
 * hash. They run in the order given, on each message after multiline grouping and before storage,
 * on every intake path. Each rule sees the message as the rules before it left it.
 */

export const MAX_RULES = 100;
export const MAX_RULE_REGEX_CHARS = 1000;
export const MAX_RULE_NAME_CHARS = 100;
export const MAX_MASK_CHARS = 256;
export const DEFAULT_MASK = '#####';
/** Hex characters kept of the HMAC-SHA-256 (128 bits: equal values hash equal, collisions are negligible). */
export const HASH_HEX_CHARS = 32;

/** The hook encodeMessages/encodeRecords call: the message to store, or undefined when a filter drops it. */
export interface MessageRules {
  apply(message: string): string | undefined;
}

/** A problem with one rule; `index` is its position in the list. */
export interface RuleProblem {
  index: number;
  name: string;
  message: string;
}

// A group that is itself quantified and holds a quantifier, e.g. (a+)+, (\w*)*, (.+){2,}: the classic
// exponential-backtracking shape. A heuristic, not a proof — together with the length limit it keeps
// the obvious traps out.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

function ruleProblem(rule: unknown): string | undefined {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return 'must be an object';
  const { name, kind, regex, mask, ...rest } = rule as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `unknown field "${extra[0]}"`;
  if (typeof name !== 'string' || name.trim().length === 0) return 'name must be a non-empty string';
  if (name.length > MAX_RULE_NAME_CHARS) return `name must be at most ${MAX_RULE_NAME_CHARS} characters`;
  if (typeof kind !== 'string' || !(Object.values(RuleKind) as string[]).includes(kind)) {
    return `kind must be one of ${Object.values(RuleKind).join(', ')}`;
  }
  if (typeof regex !== 'string' || regex.length === 0) return 'regex must be a non-empty string';
  if (regex.length > MAX_RULE_REGEX_CHARS) return `regex must be at most ${MAX_RULE_REGEX_CHARS} characters`;
  let compiled: RegExp;
  try {
    compiled = new RegExp(regex);
  } catch (error) {
    return `regex is not valid: ${(error as Error).message}`;
  }
  if (NESTED_QUANTIFIER.test(regex)) {
    return 'regex has a quantified group containing a quantifier (like (a+)+), which can take exponential time; rewrite it without nesting';
  }
  if (mask !== undefined) {
    if (kind !== RuleKind.Mask) return 'mask is only allowed on mask rules';
    if (typeof mask !== 'string') return 'mask must be a string';
    if (mask.length > MAX_MASK_CHARS) return `mask must be at most ${MAX_MASK_CHARS} characters`;
  }
  if ((kind === RuleKind.Mask || kind === RuleKind.Hash) && compiled.test('')) {
    return 'regex matches the empty string, so it would replace nothing useful; make it match at least one character';
  }
  return undefined;
}

/**
 * Checks a rule list as the API receives it; returns the normalised rules or the first problem.
 * Never throws.
 */
export function validateRules(input: unknown): { rules: ProcessingRule[] } | { problem: RuleProblem } {
  if (!Array.isArray(input)) return { problem: { index: -1, name: '', message: 'rules must be an array' } };
  if (input.length > MAX_RULES) {
    return { problem: { index: MAX_RULES, name: '', message: `at most ${MAX_RULES} rules per source` } };
  }
  const rules: ProcessingRule[] = [];
  for (const [index, rule] of input.entries()) {
    const message = ruleProblem(rule);
    const name = typeof (rule as { name?: unknown } | null)?.name === 'string' ? (rule as { name: string }).name : '';
    if (message) return { problem: { index, name, message } };
    const { kind, regex, mask } = rule as ProcessingRule;
    rules.push({ name: name.trim(), kind, regex, ...(kind === RuleKind.Mask ? { mask: mask ?? DEFAULT_MASK } : {}) });
  }
  return { rules };
}

/** Describes a problem for an error message: `rule 2 ("drop health"): regex is not valid: …`. */
export function describeRuleProblem(problem: RuleProblem): string {
  if (problem.index < 0) return problem.message;
  return `rule ${problem.index + 1}${problem.name ? ` ("${problem.name}")` : ''}: ${problem.message}`;
}

type Step = (message: string) => string | undefined;

const MAX_HASH_CACHE = 10_000;

/**
 * Replaces what a pattern matched: each participating capture group when the pattern has groups,
 * otherwise the whole match. Uses the `d` flag for group offsets.
 */
function replaceMatches(regex: RegExp, replace: (value: string) => string): Step {
  const hasGroups = new RegExp(`${regex.source}|`).exec('')!.length > 1;
  if (!hasGroups) return (message) => message.replace(regex, (match) => replace(match));
  // Match offsets (the `d` flag) are slow to compute in V8: most messages do not match, so a plain
  // test decides first.
  const probe = new RegExp(regex.source, regex.flags.replace(/[gd]/g, ''));
  return (message) => {
    if (!probe.test(message)) return message;
    regex.lastIndex = 0;
    let out = '';
    let copied = 0;
    for (let match = regex.exec(message); match; match = regex.exec(message)) {
      if (match[0].length === 0) regex.lastIndex++;
      const indices = match.indices!;
      for (let group = 1; group < indices.length; group++) {
        const span = indices[group];
        // Nested groups: a span inside one already replaced is skipped.
        if (!span || span[0] < copied || span[1] === span[0]) continue;
        out += message.slice(copied, span[0]) + replace(message.slice(span[0], span[1]));
        copied = span[1];
      }
    }
    return copied === 0 ? message : out + message.slice(copied);
  };
}

function compileStep(rule: ProcessingRule, hashKey: string | Buffer): Step {
  switch (rule.kind) {
    case RuleKind.Include: {
      const regex = new RegExp(rule.regex);
      return (message) => (regex.test(message) ? message : undefined);
    }
    case RuleKind.Exclude: {
      const regex = new RegExp(rule.regex);
      return (message) => (regex.test(message) ? undefined : message);
    }
    case RuleKind.Mask: {
      const mask = rule.mask ?? DEFAULT_MASK;
      return replaceMatches(new RegExp(rule.regex, 'gd'), () => mask);
    }
    case RuleKind.Hash: {
      const cache = new Map<string, string>();
      return replaceMatches(new RegExp(rule.regex, 'gd'), (value) => {
        let hashed = cache.get(value);
        if (hashed === undefined) {
          hashed = hashValue(value, hashKey);
          if (cache.size >= MAX_HASH_CACHE) cache.clear();
          cache.set(value, hashed);
        }
        return hashed;
      });
    }
  }
}

/** The keyed hash a hash rule writes: HMAC-SHA-256 of the value, hex, first 32 characters. */
export function hashValue(value: string, key: string | Buffer): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, HASH_HEX_CHARS);
}

/** A source's rules compiled once; `apply` runs them in order on one message. */
export class CompiledRules implements MessageRules {
  private readonly steps: Step[];
  /** Messages a filter dropped since the last `takeExcluded`. */
  private excluded = 0;

  constructor(rules: readonly ProcessingRule[], hashKey: string | Buffer) {
    this.steps = rules.map((rule) => compileStep(rule, hashKey));
  }

  apply(message: string): string | undefined {
    let current: string | undefined = message;
    for (const step of this.steps) {
      current = step(current);
      if (current === undefined) {
        this.excluded++;
        return undefined;
      }
    }
    return current;
  }

  /** The excluded count since the last `takeExcluded`. */
  peekExcluded(): number {
    return this.excluded;
  }

  /** Returns the excluded count since the last call and resets it. */
  takeExcluded(): number {
    const count = this.excluded;
    this.excluded = 0;
    return count;
  }
}

/** Compiles validated rules; undefined for an empty list, so the hot path can skip rules entirely. */
export function compileRules(rules: readonly ProcessingRule[], hashKey: string | Buffer): CompiledRules | undefined {
  return rules.length === 0 ? undefined : new CompiledRules(rules, hashKey);
}
