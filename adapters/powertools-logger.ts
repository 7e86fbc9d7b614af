import { Logger } from "@aws-lambda-powertools/logger";
import type { Logger as LoggerPort } from "../core/shared/ports";

/**
 * Core's logger port over Powertools: structured JSON lines with the service name, and
 * the log level from POWERTOOLS_LOG_LEVEL.
 */
export function createLogger(serviceName: string): LoggerPort {
  const logger = new Logger({ serviceName });
  return {
    info: (message, extra) => (extra ? logger.info(message, extra) : logger.info(message)),
    warn: (message, extra) => (extra ? logger.warn(message, extra) : logger.warn(message)),
    error: (message, extra) => (extra ? logger.error(message, extra) : logger.error(message)),
  };
}
