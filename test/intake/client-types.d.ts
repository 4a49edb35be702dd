// Minimal declarations for test-only clients that ship no types.
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array): Uint8Array;
}

declare module 'splunk-logging' {
  interface SplunkContext {
    message: unknown;
    severity?: string;
    metadata?: { time?: number; host?: string; source?: string; sourcetype?: string; index?: string };
  }
  type SplunkCallback = (error: Error | null, response: { statusCode: number } | null, body: unknown) => void;
  export class Logger {
    constructor(config: { token: string; url: string; maxBatchCount?: number; maxBatchSize?: number; maxRetries?: number; path?: string });
    send(context: SplunkContext, callback?: SplunkCallback): void;
    flush(callback?: SplunkCallback): void;
    error: (error: Error, context: unknown) => void;
  }
}
