export {
  createBridge,
  DEFAULT_LIMITS,
  type Bridge,
  type BridgeLimits,
  type BridgeOptions,
  type IngestResult,
} from './bridge.ts';
export {
  BridgeError,
  BridgeRejection,
  REJECT_REASONS,
  REJECT_REASON_CODES,
  isBridgeError,
  isBridgeRejection,
  type RejectReason,
} from './errors.ts';
export type { BridgeStats } from './metrics.ts';
export type { DeviceDirectory } from './reading-validator.ts';
export { JOB_OPTIONS } from './admission.ts';
