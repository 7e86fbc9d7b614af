import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { RESOURCE_ENV } from "../adapters/table-definitions";
import { CONSUMER_EVENTS } from "../consumers/subscriptions";
import { REPOSITORY_ROOT } from "./shop-function";
import {
  apiFunction,
  catalogLoaderFunction,
  consumers,
  type FunctionSpec,
  filterPolicyFor,
  queueSubscriptions,
  queues,
  type ResourceNames,
  resourceEnvironment,
  tables,
  websocketFunction,
} from "./topology";

const FUNCTIONS: [string, FunctionSpec][] = [
  ["api", apiFunction],
  ["websocket", websocketFunction],
  ["catalogLoader", catalogLoaderFunction],
  ...Object.entries(consumers),
];

/** Physical names that say which resource they stand for. */
const NAMES: ResourceNames = {
  tables: Object.fromEntries(
    Object.keys(tables).map((name) => [name, `table-${name}`]),
  ) as ResourceNames["tables"],
  topicArn: "arn:aws:sns:us-east-1:000000000000:order-events",
  failureQueueUrls: {
    analyticsDeadLetter: "https://sqs.us-east-1.amazonaws.com/000000000000/analytics-dlq",
    streamFailures: "https://sqs.us-east-1.amazonaws.com/000000000000/stream-failures",
  },
  websocketManagementUrl: "https://websocket.example.com/live",
  identity: {
    issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
    audience: "app-client",
    jwksUrl: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool/.well-known/jwks.json",
  },
};

interface LambdaModule {
  handler?: unknown;
  buildHandler?: (env: Record<string, string | undefined>) => unknown;
}

function load(spec: FunctionSpec): Promise<LambdaModule> {
  return import(/* @vite-ignore */ pathToFileURL(join(REPOSITORY_ROOT, spec.entry)).href);
}

describe("the topology", () => {
  it("names, for every function, a module that exports its builder and its Lambda handler", async () => {
    for (const [name, spec] of FUNCTIONS) {
      const module = await load(spec);
      expect(typeof module.buildHandler, name).toBe("function");
      expect(typeof module.handler, name).toBe("function");
    }
  });

  it("tells each function exactly the resources its access grants, and each reads exactly those", async () => {
    const resourceVariables = new Set<string>(Object.values(RESOURCE_ENV));
    for (const [name, spec] of FUNCTIONS) {
      const given = resourceEnvironment(spec.access, NAMES);
      const read = new Set<string>();
      const env = new Proxy<Record<string, string | undefined>>(
        { AWS_REGION: "us-east-1", ...given },
        {
          get(target, key) {
            if (typeof key === "string") read.add(key);
            return typeof key === "string" ? target[key] : undefined;
          },
        },
      );
      const module = await load(spec);
      expect(() => module.buildHandler?.(env), name).not.toThrow();
      expect([...read].filter((v) => resourceVariables.has(v)).sort(), name).toEqual(
        Object.keys(given).sort(),
      );
      for (const variable of Object.keys(given)) {
        const without = { AWS_REGION: "us-east-1", ...given, [variable]: undefined };
        expect(() => module.buildHandler?.(without), `${name} without ${variable}`).toThrow(
          new RegExp(`${variable} is required`),
        );
      }
    }
  });

  it("filters each subscription to exactly the events its consumer declares", () => {
    for (const subscription of queueSubscriptions) {
      expect(filterPolicyFor(subscription.eventTypes), subscription.queue).toEqual({
        event_type: [...CONSUMER_EVENTS[subscription.queue]],
      });
    }
    const analytics = consumers.analytics.source;
    expect(analytics.eventTypes).toEqual(CONSUMER_EVENTS.analytics);
  });

  it("gives every queue a visibility timeout of at least six times its consumer's timeout", () => {
    for (const spec of Object.values(consumers)) {
      if (spec.source.kind !== "sqs") continue;
      expect(queues[spec.source.queue].visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
        6 * spec.timeoutSeconds,
      );
    }
  });

  it("feeds every queue from the topic and every queue to exactly one consumer", () => {
    const fed = queueSubscriptions.map((s) => s.queue).sort();
    const consumed = Object.values(consumers)
      .flatMap((c) => (c.source.kind === "sqs" ? [c.source.queue] : []))
      .sort();
    expect(fed).toEqual(Object.keys(queues).sort());
    expect(consumed).toEqual(Object.keys(queues).sort());
  });

  it("feeds each queue to at least 2 invocations at once (Lambda's minimum), within any reserved concurrency", () => {
    for (const [name, spec] of Object.entries(consumers)) {
      if (spec.source.kind !== "sqs") continue;
      expect(spec.source.maxConcurrency, name).toBeGreaterThanOrEqual(2);
      if ("reservedConcurrency" in spec) {
        expect(spec.source.maxConcurrency, name).toBeLessThanOrEqual(spec.reservedConcurrency);
      }
      // Locally, at least one worker and never more than the cloud would run.
      expect(spec.source.localConcurrency, name).toBeGreaterThanOrEqual(1);
      expect(spec.source.localConcurrency, name).toBeLessThanOrEqual(spec.source.maxConcurrency);
    }
  });

  it("sends every dead letter to a queue after three receives", () => {
    for (const queue of Object.values(queues)) expect(queue.deadLetter.maxReceiveCount).toBe(3);
    for (const spec of Object.values(consumers)) {
      if (spec.source.kind === "sns") expect(spec.source.maxReceiveCount).toBe(3);
    }
  });
});
