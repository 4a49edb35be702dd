import { describe, expect, it } from 'vitest';
import { ingestTokenCandidates } from '../../src/http/ingest-token.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('ingest token extraction', () => {
  it('finds the token in every accepted form', () => {
    expect(ingestTokenCandidates({ authorization: 'Bearer tok' })).toEqual(['tok']);
    expect(ingestTokenCandidates({ authorization: 'bearer  tok ' })).toEqual(['tok']);
    expect(ingestTokenCandidates({ authorization: 'Splunk tok' })).toEqual(['tok']);
    expect(ingestTokenCandidates({ authorization: `Basic ${b64('anyone:tok')}` })).toEqual(['tok']);
    expect(ingestTokenCandidates({ authorization: `Basic ${b64(':tok:with:colons')}` })).toEqual(['tok:with:colons']);
    expect(ingestTokenCandidates({ 'x-sumo-token': ' tok ' })).toEqual(['tok']);
    expect(ingestTokenCandidates({}, { pathToken: 'tok' })).toEqual(['tok']);
  });

  it('tries an ApiKey both as given and as the key of the base64 id:key form clients build', () => {
    expect(ingestTokenCandidates({ authorization: 'ApiKey tok' })).toEqual(['tok']);
    expect(ingestTokenCandidates({ authorization: `ApiKey ${b64('id:tok')}` })).toEqual([b64('id:tok'), 'tok']);
  });

  it('orders path, X-Sumo-Token, then Authorization, without duplicates', () => {
    expect(ingestTokenCandidates({ 'x-sumo-token': 'b', authorization: 'Bearer c' }, { pathToken: 'a' })).toEqual(['a', 'b', 'c']);
    expect(ingestTokenCandidates({ 'x-sumo-token': 'a', authorization: 'Bearer a' })).toEqual(['a']);
  });

  it('finds nothing in other schemes or broken Basic credentials', () => {
    expect(ingestTokenCandidates({ authorization: 'Digest abc' })).toEqual([]);
    expect(ingestTokenCandidates({ authorization: 'Basic !!!' })).toEqual([]);
    expect(ingestTokenCandidates({ authorization: `Basic ${b64('no-colon')}` })).toEqual([]);
    expect(ingestTokenCandidates({ authorization: 'Bearer' })).toEqual([]);
  });
});
