import { createHash } from 'node:crypto';
import { maskSecret } from '../secrets.ts';

/**
 * SHA-256 of a string as lowercase hex: the only form in which a secret is stored or compared.
 *
 * @param value - the secret (or any string)
 * @returns 64 hex characters
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * A secret value held in memory. It serializes as `"[redacted]"` (JSON, `util.inspect`, string
 * conversion), so that it cannot leak through logs or results by accident; `reveal()` is the only
 * way to read it, and should appear only where the secret is sent to its own provider or store.
 */
export class Secret {
  readonly #value: string;
  /** SHA-256 hex of the value. */
  readonly hash: string;
  /** Masked preview of the value. */
  readonly preview: string;

  constructor(value: string) {
    this.#value = value;
    this.hash = sha256Hex(value);
    this.preview = maskSecret(value);
  }

  /** Returns the secret itself. Call only to send it to its provider or write it to its own store. */
  reveal(): string {
    return this.#value;
  }

  /** Always `"[redacted]"`. */
  toJSON(): string {
    return '[redacted]';
  }

  /** Always `"[redacted]"`. */
  toString(): string {
    return '[redacted]';
  }

  [inspectSymbol](): string {
    return `Secret(${this.preview})`;
  }
}
