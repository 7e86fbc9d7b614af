import type { ShopEvent } from "./events";

/**
 * The ports every domain shares. Each domain keeps its own in its `ports.ts`; adapters
 * implement them, and core receives them as parameters: it never creates an SDK client
 * or reads the environment.
 */

export interface EventPublisher {
  publish(event: ShopEvent): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

/** Structured logging; the extra object is merged into the JSON line. */
export interface Logger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
