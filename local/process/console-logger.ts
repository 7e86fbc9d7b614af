/** The local runtime's own log lines (pollers, the HTTP bridge), shaped like the handlers'. */
export interface LocalLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"] as const;

/**
 * JSON lines on stderr, one per message, at or above POWERTOOLS_LOG_LEVEL like the
 * handlers' Powertools loggers, so one level setting quiets the whole local stack.
 */
export function consoleLogger(service: string): LocalLogger {
  const threshold = LEVELS.indexOf(
    (process.env.POWERTOOLS_LOG_LEVEL ?? "INFO").toUpperCase() as (typeof LEVELS)[number],
  );
  const write = (level: "INFO" | "WARN" | "ERROR") => (message: string, extra?: object) => {
    if (LEVELS.indexOf(level) < threshold) return;
    process.stderr.write(
      `${JSON.stringify({ level, message, service, timestamp: new Date().toISOString(), ...extra })}\n`,
    );
  };
  return { info: write("INFO"), warn: write("WARN"), error: write("ERROR") };
}
