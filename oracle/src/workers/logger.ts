import { pino, type Logger } from 'pino';

/** Workers log nothing unless given a logger (main.ts passes the service's). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
