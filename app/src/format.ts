/** Display helpers. */
import { DEVICE_STATUS_ACTIVE, DEVICE_STATUS_REVOKED } from '@zkpin/sdk';

export function short(key: string): string {
  return key.length > 12 ? `${key.slice(0, 4)}…${key.slice(-4)}` : key;
}

export function statusName(status: number): string {
  if (status === DEVICE_STATUS_ACTIVE) return 'active';
  if (status === DEVICE_STATUS_REVOKED) return 'revoked';
  return `status ${status}`;
}

/** A unix timestamp (seconds, decimal string) as local date and time. */
export function when(timestamp: string): string {
  const ms = Number(timestamp) * 1000;
  return Number.isFinite(ms) ? new Date(ms).toLocaleString() : timestamp;
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
