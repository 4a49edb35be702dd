// Minimal declarations for the syslog-client test dependency (it ships no types).
declare module 'syslog-client' {
  export const Transport: { Tcp: number; Udp: number };
  export const Facility: Record<string, number>;
  export const Severity: Record<string, number>;
  interface ClientOptions {
    port?: number;
    transport?: number;
    rfc3164?: boolean;
    appName?: string;
    syslogHostname?: string;
    facility?: number;
    severity?: number;
    tcpTimeout?: number;
  }
  interface LogOptions {
    facility?: number;
    severity?: number;
    rfc3164?: boolean;
    appName?: string;
    syslogHostname?: string;
    timestamp?: Date;
    msgid?: string;
  }
  export interface Client {
    log(message: string, options: LogOptions, callback: (error?: Error) => void): Client;
    close(): Client;
    on(event: 'error' | 'close', listener: (error?: Error) => void): Client;
  }
  export function createClient(target: string, options?: ClientOptions): Client;
}
