export interface PaymentRequest {
  /** Also the provider's idempotency key: asking twice for one order authorizes once. */
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
}

export type PaymentResult =
  | { readonly status: "authorized"; readonly authorizationId: string }
  | { readonly status: "declined"; readonly reason: string };

/** The payment provider port. `signal` aborts an attempt that takes too long. */
export interface PaymentProvider {
  authorize(request: PaymentRequest, signal: AbortSignal): Promise<PaymentResult>;
}
