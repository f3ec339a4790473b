// How a running run shows it is alive: a heartbeat in the store every few seconds (by the database's clock), and
// the grace period after which a run without one is taken for dead (crashed). Flags set them per command; the
// environment (NNLAB_HEARTBEAT_S, NNLAB_GRACE_S) for every command of a shell or machine; and how long a store
// call rides out an outage (NNLAB_STORE_RETRY_S).

/** Seconds between heartbeats: the option, else NNLAB_HEARTBEAT_S, else 5. */
export function heartbeatSeconds(o: { heartbeatS?: number } = {}): number {
  return o.heartbeatS ?? fromEnv('NNLAB_HEARTBEAT_S') ?? 5;
}

/** Seconds without a heartbeat before a running run is crashed: the option, else NNLAB_GRACE_S, else 30. */
export function graceSeconds(o: { graceS?: number } = {}): number {
  return o.graceS ?? fromEnv('NNLAB_GRACE_S') ?? 30;
}

/**
 * Seconds a store call keeps retrying while the store is unreachable (a database restart, a dropped
 * connection) before it fails: NNLAB_STORE_RETRY_S, else 60. A run outlives an outage shorter than this.
 */
export function storeRetrySeconds(): number {
  return fromEnv('NNLAB_STORE_RETRY_S') ?? 60;
}

function fromEnv(name: string): number | undefined {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;
}
