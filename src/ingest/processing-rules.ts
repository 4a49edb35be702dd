import { createHmac } from 'node:crypto';
import { AppError, ErrorCode } from '../core/errors.js';
import { compileLinearRegex, type LinearRegex } from '../core/linear-regex.js';
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
  // RE2 syntax, matched in linear time whatever the pattern (core/linear-regex.ts).
  const result = compileLinearRegex(regex);
  if (!result.ok) return `regex is not valid: ${result.message}`;
  const compiled = result.regex;
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
 * otherwise the whole match.
 */
function replaceMatches(regex: LinearRegex, replace: (value: string) => string): Step {
  if (regex.groupCount === 0) return (message) => regex.replace(message, (m) => replace(m.groups[0] ?? ''));
  return (message) => {
    // Most messages do not match: the automaton says so without tracking groups.
    if (!regex.test(message)) return message;
    let out = '';
    let copied = 0;
    for (const match of regex.matchAll(message)) {
      for (let group = 1; group < match.spans.length; group++) {
        const span = match.spans[group];
        // Nested groups: a span inside one already replaced is skipped.
        if (!span || span[0] < copied || span[1] === span[0]) continue;
        out += message.slice(copied, span[0]) + replace(message.slice(span[0], span[1]));
        copied = span[1];
      }
    }
    return copied === 0 ? message : out + message.slice(copied);
  };
}

/** A stored rule's pattern. Rules are validated when saved; one saved by an older version that RE2 refuses stops that source's intake with a message instead of running without it. */
function ruleRegex(rule: ProcessingRule): LinearRegex {
  const compiled = compileLinearRegex(rule.regex);
  if (!compiled.ok) {
    throw new AppError(
      ErrorCode.Unavailable,
      `processing rule "${rule.name}" of this source has a regex that is no longer accepted (${compiled.message}); fix the source's rules (PUT /api/v1/sources/{id})`,
    );
  }
  return compiled.regex;
}

function compileStep(rule: ProcessingRule, hashKey: string | Buffer): Step {
  switch (rule.kind) {
    case RuleKind.Include: {
      const regex = ruleRegex(rule);
      return (message) => (regex.test(message) ? message : undefined);
    }
    case RuleKind.Exclude: {
      const regex = ruleRegex(rule);
      return (message) => (regex.test(message) ? undefined : message);
    }
    case RuleKind.Mask: {
      const mask = rule.mask ?? DEFAULT_MASK;
      return replaceMatches(ruleRegex(rule), () => mask);
    }
    case RuleKind.Hash: {
      const cache = new Map<string, string>();
      return replaceMatches(ruleRegex(rule), (value) => {
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
