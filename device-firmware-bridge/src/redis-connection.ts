/** The bridge's one Redis connection: opened by `start()`, shared by admission and the queue. */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BridgeError } from './errors.ts';
import { withTimeout } from './with-timeout.ts';

/** A connection that opens on `connectRedis`; errors are logged at debug (ioredis reconnects). */
export function createRedis(url: string, connectTimeoutMs: number, log: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', (e: Error) => log.debug({ err: e.message }, 'redis connection error'));
  return redis;
}

/** Resolves when the connection is ready; rejects on its first connection error. */
function redisReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onReady = () => {
      redis.off('error', onError);
      resolve();
    };
    const onError = (e: Error) => {
      redis.off('ready', onReady);
      reject(e);
    };
    redis.once('ready', onReady);
    redis.once('error', onError);
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
  });
}

/** Connects and PINGs within `timeoutMs` each; otherwise disconnects and throws REDIS_UNREACHABLE. */
export async function connectRedis(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(redisReady(redis), timeoutMs, 'Redis connect');
    await withTimeout(redis.ping(), timeoutMs, 'Redis PING');
  } catch (e) {
    redis.disconnect();
    throw new BridgeError(
      'REDIS_UNREACHABLE',
      `cannot reach Redis at ${url}: ${(e as Error).message}. Start Redis or set REDIS_URL.`,
    );
  }
}
