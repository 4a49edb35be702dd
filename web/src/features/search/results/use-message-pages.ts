import { useCallback, useEffect, useRef, useState } from 'react';
import type { SearchField } from '../../../../../src/protocol/search.js';
import { fetchMessages } from '../../../api/search-client';

export type Message = Record<string, string>;
export const PAGE_SIZE = 200;

/**
 * Messages of a job fetched page by page as the list asks for them. `version` changes whenever a
 * page arrives, so views that read the pages re-render.
 */
export function useMessagePages(jobId: string, first: { fields: SearchField[]; messages: { map: Message }[] }) {
  const pages = useRef(new Map<number, Message[]>());
  const inFlight = useRef(new Set<number>());
  const current = useRef(jobId);
  const [version, setVersion] = useState(0);
  const [fields, setFields] = useState<SearchField[]>(first.fields);

  useEffect(() => {
    current.current = jobId;
    pages.current = new Map([[0, first.messages.map((m) => m.map)]]);
    inFlight.current = new Set();
    setFields(first.fields);
    setVersion((v) => v + 1);
  }, [jobId, first]);

  /** Asks for the pages holding rows first..last (inclusive). */
  const ensure = useCallback(
    (firstRow: number, lastRow: number) => {
      for (let p = Math.floor(firstRow / PAGE_SIZE); p <= Math.floor(lastRow / PAGE_SIZE); p++) {
        if (pages.current.has(p) || inFlight.current.has(p)) continue;
        inFlight.current.add(p);
        fetchMessages(jobId, p * PAGE_SIZE, PAGE_SIZE)
          .then((page) => {
            if (current.current !== jobId) return;
            pages.current.set(p, page.messages.map((m) => m.map));
            setFields((known) => mergeFields(known, page.fields));
            setVersion((v) => v + 1);
          })
          .catch(() => undefined)
          .finally(() => inFlight.current.delete(p));
      }
    },
    [jobId],
  );

  const row = useCallback((i: number): Message | undefined => pages.current.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE], []);
  const loaded = useCallback((): Message[] => [...pages.current.values()].flat(), []);
  return { ensure, row, loaded, fields, version };
}

function mergeFields(known: SearchField[], more: SearchField[]): SearchField[] {
  const names = new Set(known.map((f) => f.name));
  const added = more.filter((f) => !names.has(f.name));
  return added.length === 0 ? known : [...known, ...added];
}
