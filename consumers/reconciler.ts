import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, ScheduledEvent } from "aws-lambda";
import { createSnsClient } from "../adapters/aws-clients";
import { type Environment, readConfig, serviceLocation } from "../adapters/config";
import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import {
  DynamoProductHistoryRepository,
  DynamoProductRepository,
} from "../adapters/dynamo-product-repository";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { instrumented } from "../adapters/invocation";
import { SnsEventPublisher } from "../adapters/sns-event-publisher";
import { uuidGenerator } from "../adapters/system-clock";
import { CatalogAdminService } from "../core/catalog/catalog-admin";
import { HotProductWatch } from "../core/catalog/hot-products";
import { OrderLifecycle } from "../core/orders/order-lifecycle";
import { OrderOutbox } from "../core/orders/outbox";
import { type ReconcileReport, Reconciler } from "../core/orders/reconciler";
import { publishMetrics } from "./event-consumer";
import { consumerSettings, createConsumerRuntime } from "./runtime";

/** Time kept back from the invocation's budget, for reporting. */
const DEADLINE_MARGIN_MS = 3000;

/**
 * Builds the reconciler, run on a schedule (EventBridge Scheduler in the cloud, a timer in
 * the local runtime): it publishes what orders and catalog changes still owe after the grace period, rejects
 * orders that never settled, and reports the oldest owed event as a metric to alarm on.
 */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    ...consumerSettings(vars),
    sns: serviceLocation(vars, "SNS"),
    ordersTable: vars.resource("ordersTable"),
    productsTable: vars.resource("productsTable"),
    productHistoryTable: vars.resource("productHistoryTable"),
    analyticsTable: vars.resource("analyticsTable"),
    orderEventsTopicArn: vars.resource("orderEventsTopic"),
    settings: {
      graceMs: 1000 * vars.number("OUTBOX_GRACE_SECONDS", 60, { min: 0, integer: true }),
      pendingTimeoutMs:
        1000 * vars.number("PENDING_TIMEOUT_SECONDS", 1800, { min: 1, integer: true }),
      alarmAfterMs: 1000 * vars.number("OWED_ALARM_SECONDS", 600, { min: 1, integer: true }),
    },
    hotProducts: {
      // 200 orders a second: well before one product's item tops out near 500.
      ordersPerMinute: vars.number("HOT_PRODUCT_ORDERS_PER_MINUTE", 12_000, {
        min: 1,
        integer: true,
      }),
      buckets: vars.number("HOT_PRODUCT_BUCKETS", 8, { min: 2, max: 16, integer: true }),
    },
  }));
  const runtime = createConsumerRuntime("reconciler", config, overrides);
  const orders = new DynamoOrderRepository(runtime.dynamodb.document, {
    orders: config.ordersTable,
  });
  const publisher = new SnsEventPublisher(
    createSnsClient(config.sns, config.sdk),
    config.orderEventsTopicArn,
  );
  const productHistory = new DynamoProductHistoryRepository(
    runtime.dynamodb.document,
    config.productHistoryTable,
  );
  const products = new DynamoProductRepository(
    runtime.dynamodb.document,
    config.productsTable,
    config.productHistoryTable,
  );
  const hotProducts = new HotProductWatch({
    rates: new DynamoAnalyticsRepository(runtime.dynamodb.document, config.analyticsTable),
    products,
    admin: new CatalogAdminService({
      products,
      history: productHistory,
      publisher,
      clock: runtime.clock,
      ids: uuidGenerator,
      logger: runtime.logger,
    }),
    logger: runtime.logger,
    settings: config.hotProducts,
  });
  const reconciler = new Reconciler({
    orders,
    outbox: new OrderOutbox({ orders, publisher, logger: runtime.logger }),
    catalog: { history: productHistory, publisher },
    lifecycle: new OrderLifecycle(orders, runtime.clock),
    now: () => runtime.clock.now().getTime(),
    logger: runtime.logger,
    settings: config.settings,
  });
  return instrumented(
    runtime.name,
    runtime.logger,
    async (
      _event: ScheduledEvent | Record<string, never>,
      context: Context,
    ): Promise<ReconcilerReport> => {
      const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
      try {
        const report = {
          ...(await reconciler.run(deadline)),
          madeHot: await hotProducts.run(runtime.clock.now()),
        };
        runtime.metrics.addMetric("OwedEventsRedelivered", MetricUnit.Count, report.redelivered);
        runtime.metrics.addMetric("OrdersTimedOut", MetricUnit.Count, report.timedOut);
        runtime.metrics.addMetric(
          "OldestOwedEventAge",
          MetricUnit.Seconds,
          report.oldestOwedSeconds,
        );
        return report;
      } finally {
        publishMetrics(runtime);
      }
    },
  );
}

/** What a run did: the reconciling, and the products it made hot by their order rate. */
export type ReconcilerReport = ReconcileReport & { readonly madeHot: readonly string[] };

export const handler = lazyHandler<ScheduledEvent, ReconcilerReport>(buildHandler);
