import { ShopError } from "../shared/errors";
import type { PaymentProvider, PaymentRequest, PaymentResult } from "./ports";

/** The provider did not answer within the time the consumer can afford; retry later. */
export class PaymentUnavailableError extends ShopError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PaymentUnavailableError";
  }
}

export interface PaymentRetryPolicy {
  readonly attemptTimeoutMs: number;
  readonly maxAttempts: number;
}

/**
 * Authorizes with a timeout per attempt and retries timeouts and provider errors, never
 * past `deadline` (epoch ms): a hung provider costs at most the consumer's own budget.
 * Retrying is safe because the order id is the provider's idempotency key.
 */
export async function authorizePayment(
  provider: PaymentProvider,
  request: PaymentRequest,
  policy: PaymentRetryPolicy,
  deadline: number,
): Promise<PaymentResult> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const budget = Math.min(policy.attemptTimeoutMs, deadline - Date.now());
    if (budget <= 0) break;
    try {
      return await provider.authorize(request, AbortSignal.timeout(budget));
    } catch (error) {
      lastError = error;
    }
  }
  throw new PaymentUnavailableError(
    `payment for order ${request.orderId} did not complete in time`,
    {
      cause: lastError,
    },
  );
}
