import { describe, expect, it } from "vitest";
import { CONSUMER_FACTORIES } from "../local/lambda/event-sources";
import { type ConsumerName, consumers, queueSubscriptions, queues } from "./topology";

describe("the topology", () => {
  it("names, for every consumer, an entry module that exports a Lambda handler", async () => {
    for (const [name, spec] of Object.entries(consumers)) {
      const module = (await import(`../${spec.entry}`)) as { handler?: unknown };
      expect(typeof module.handler, name).toBe("function");
      expect(typeof CONSUMER_FACTORIES[name as ConsumerName], name).toBe("function");
    }
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

  it("sends every dead letter to a queue after three receives", () => {
    for (const queue of Object.values(queues)) expect(queue.deadLetter.maxReceiveCount).toBe(3);
    for (const spec of Object.values(consumers)) {
      if (spec.source.kind === "sns") expect(spec.source.maxReceiveCount).toBe(3);
    }
  });
});
