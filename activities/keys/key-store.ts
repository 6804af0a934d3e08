/**
 * Where terminal keys live. The signer reads the current key on every gateway call, so a rotated key
 * is used from the next call on, in every activity of this worker. Implementations: file (one host),
 * memory (static keys, tests); a secret manager plugs in behind the same interface.
 */

/** One terminal's credentials: the key it signs with and the one before it (both valid at the gateway). */
export interface StoredTerminal {
  terminalSn: string;
  /** The device_id the terminal was activated with; check-in requires it. */
  deviceId?: string;
  /** Signs every call. */
  currentKey: string;
  /**
   * The key that signed the last successful check-in. Usually still accepted by the gateway until the next rotation,
   * but not after a check-in whose answer was lost (the gateway's previous key is then one this store never saw):
   * a record, not a key to fall back on.
   */
  previousKey?: string;
  /** When currentKey was received (ISO 8601); undefined for a key configured by hand. */
  keyReceivedAt?: string;
  /** The last check-in attempt, successful or not (never the key). */
  lastCheckin?: { at: string; ok: boolean; error?: string };
}

export interface TerminalKeyStore {
  get(terminalSn: string): Promise<StoredTerminal | undefined>;
  /** Replaces the terminal's entry atomically: a reader sees the old entry or the new one, never a mix. */
  put(terminal: StoredTerminal): Promise<void>;
  /**
   * Reads, changes and writes one entry as one step (no other write of this store in between), so a
   * check-in never writes back a key it read before someone else rotated it. Returns the new entry,
   * or undefined (and writes nothing) when the terminal is not stored.
   */
  update(terminalSn: string, change: (t: StoredTerminal) => StoredTerminal): Promise<StoredTerminal | undefined>;
  terminalSns(): Promise<string[]>;
}
