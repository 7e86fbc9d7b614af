import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { PaymentProvider, PaymentRequest, PaymentResult } from "../core/fraud/ports";

export interface SimulatedPaymentSettings {
  /** How long each authorization takes. */
  readonly latencyMs: number;
  /** Share of orders declined, 0 to 1. Which ones is fixed by the order id. */
  readonly declineRate: number;
}

/**
 * A payment provider stand-in with configurable latency and decline rate. Its decisions
 * depend only on the order id, as a real provider's answer to a repeated idempotency key
 * would, so a retry gets the same answer and the same authorization id.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  constructor(private readonly settings: SimulatedPaymentSettings) {}

  async authorize(request: PaymentRequest, signal: AbortSignal): Promise<PaymentResult> {
    if (this.settings.latencyMs > 0) await sleep(this.settings.latencyMs, undefined, { signal });
    signal.throwIfAborted();
    const digest = createHash("sha256").update(request.orderId).digest();
    const draw = digest.readUInt32BE(0) / 0xffffffff;
    if (draw < this.settings.declineRate)
      return { status: "declined", reason: "card declined by issuer" };
    return { status: "authorized", authorizationId: `auth_${digest.toString("hex").slice(0, 16)}` };
  }
}
