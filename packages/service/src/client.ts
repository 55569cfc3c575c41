// The browser-safe face of the service: the six operations' schemas and the client interface.
// Nothing here (or below it) imports a Node built-in: the dashboard and `ctd serve` bundle it.
import type * as z from 'zod/mini';
import type {
  ClearHistoryInputSchema,
  ClearHistoryOutputSchema,
  GetHistoryInputSchema,
  GetHistoryOutput,
  ImportManualInputSchema,
  ImportManualOutputSchema,
  RefreshInputSchema,
  RefreshOutput,
  ScanInputSchema,
  ScanOutput,
  StatusOutput,
} from './schemas.ts';

export * from './schemas.ts';

/** Input of {@link TokenDiscoveryClient.scan}. */
export type ScanInput = z.input<typeof ScanInputSchema>;
/** Input of {@link TokenDiscoveryClient.getHistory}. */
export type GetHistoryInput = z.input<typeof GetHistoryInputSchema>;
/** Input of {@link TokenDiscoveryClient.clearHistory}. */
export type ClearHistoryInput = z.input<typeof ClearHistoryInputSchema>;
/** Output of {@link TokenDiscoveryClient.clearHistory}. */
export type ClearHistoryOutput = z.output<typeof ClearHistoryOutputSchema>;
/** Input of {@link TokenDiscoveryClient.refreshToken}. */
export type RefreshInput = z.input<typeof RefreshInputSchema>;
/** Input of {@link TokenDiscoveryClient.importManual}. The token is write-only. */
export type ImportManualInput = z.input<typeof ImportManualInputSchema>;
/** Output of {@link TokenDiscoveryClient.importManual}. */
export type ImportManualOutput = z.output<typeof ImportManualOutputSchema>;

/**
 * The six operations of CLI Token Discovery, as a client sees them: the in-process
 * `TokenDiscoveryService`, the OpenClaw gateway methods (`tokenDiscovery.*`) and `ctd serve`'s
 * HTTP API all implement it, so the dashboard works over any of them. Every answer is secret-free.
 */
export interface TokenDiscoveryClient {
  /** Detect, validate, import and record. */
  scan(input?: ScanInput): Promise<ScanOutput>;
  /** Every known credential and a summary, without a network call. */
  status(input?: Record<string, never>): Promise<StatusOutput>;
  /** The usage history of one credential or all. */
  getHistory(input?: GetHistoryInput): Promise<GetHistoryOutput>;
  /** Clear one credential's history or all of it. */
  clearHistory(input?: ClearHistoryInput): Promise<ClearHistoryOutput>;
  /** Renew a login or list the ways to. */
  refreshToken(input: RefreshInput): Promise<RefreshOutput>;
  /** Check a pasted key with its provider and import it. */
  importManual(input: ImportManualInput): Promise<ImportManualOutput>;
}

/** The names of the six operations, e.g. to build a transport. */
export const OPERATIONS = [
  'scan',
  'status',
  'getHistory',
  'clearHistory',
  'refreshToken',
  'importManual',
] as const satisfies readonly (keyof TokenDiscoveryClient)[];
