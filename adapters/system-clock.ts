import { randomUUID } from "node:crypto";
import type { Clock, IdGenerator } from "../core/shared/ports";

/** The real time, for every handler; tests pass their own clock to the services instead. */
export const systemClock: Clock = { now: () => new Date() };

/** Random UUIDs as order ids. */
export const uuidGenerator: IdGenerator = { newId: () => randomUUID() };
