export { createBridge, type Bridge, type BridgeOptions } from './bridge.ts';
export { DEFAULT_LIMITS, type BridgeLimits } from './defaults.ts';
export type { IngestResult } from './ingest.ts';
export {
  BridgeError,
  BridgeRejection,
  REJECT_REASONS,
  REJECT_REASON_CODES,
  isBridgeError,
  isBridgeRejection,
  isTransient,
  type RejectReason,
} from './errors.ts';
export { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-server.ts';
export type { BridgeStats } from './metrics.ts';
export type { DeviceDirectory, TimestampWindow } from './reading-validator.ts';
export { JOB_OPTIONS, PROVE_JOB_NAME } from './admission.ts';
