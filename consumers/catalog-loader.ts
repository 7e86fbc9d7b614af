import type { CloudFormationCustomResourceEvent, Context } from "aws-lambda";
import { createDynamoClients, createSnsClient, sdkSettings } from "../adapters/aws-clients";
import { type Environment, readConfig, serviceLocation } from "../adapters/config";
import {
  DynamoProductHistoryRepository,
  DynamoProductRepository,
} from "../adapters/dynamo-product-repository";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { instrumented } from "../adapters/invocation";
import { createLogger } from "../adapters/powertools-logger";
import { SnsEventPublisher } from "../adapters/sns-event-publisher";
import { systemClock, uuidGenerator } from "../adapters/system-clock";
import sampleCatalog from "../catalog/sample-catalog.json" with { type: "json" };
import { CatalogAdminService, type ImportOutcome } from "../core/catalog/catalog-admin";
import {
  type CatalogFileRow,
  checkCatalogRows,
  type RowProblem,
  toCatalogFileRow,
} from "../core/catalog/product-input";
import type { ImportSummary, LoaderRequest, LoaderResponse } from "./catalog-loader-contract";

/** Rows loaded at once: each is one transaction; a few run side by side. */
const PARALLEL_ROWS = 8;

/**
 * Builds the catalog loader. `npm run catalog` runs it in-process, against the local stack
 * or (with the caller's credentials) a deployed one; the stack runs it as the custom
 * resource that loads the sample catalog at deploy time. Every row it writes goes through
 * the catalog's own rules, history and events, as an admin's change does.
 */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    dynamodb: serviceLocation(vars, "DYNAMODB"),
    sns: serviceLocation(vars, "SNS"),
    sdk: sdkSettings(vars),
    productsTable: vars.resource("productsTable"),
    historyTable: vars.resource("productHistoryTable"),
    topicArn: vars.resource("orderEventsTopic"),
  }));
  const logger = overrides.logger ?? createLogger("shop-catalog-loader");
  const { document } = createDynamoClients(config.dynamodb, config.sdk);
  const products = new DynamoProductRepository(document, config.productsTable, config.historyTable);
  const catalog = new CatalogAdminService({
    products,
    history: new DynamoProductHistoryRepository(document, config.historyTable),
    publisher: new SnsEventPublisher(createSnsClient(config.sns, config.sdk), config.topicArn),
    clock: systemClock,
    ids: uuidGenerator,
    logger,
  });

  async function load(
    rows: readonly unknown[],
    actor: string,
    firstRow: number,
    mode: "upsert" | "createOnly",
  ): Promise<ImportSummary | { problems: readonly RowProblem[] }> {
    const checked = checkCatalogRows(rows, firstRow);
    // Nothing is written from a batch with a bad row.
    if (checked.problems.length > 0) return { problems: checked.problems };
    const outcomes: ImportOutcome[] = [];
    for (let start = 0; start < checked.rows.length; start += PARALLEL_ROWS) {
      const slice = checked.rows.slice(start, start + PARALLEL_ROWS);
      outcomes.push(
        ...(await Promise.all(slice.map((r) => catalog.importProduct(r, actor, mode)))),
      );
    }
    const count = (outcome: ImportOutcome) => outcomes.filter((o) => o === outcome).length;
    return {
      created: count("created"),
      updated: count("updated"),
      unchanged: count("unchanged"),
      conflicts: outcomes.flatMap((outcome, i) =>
        outcome === "conflict" ? [{ row: firstRow + i, id: checked.rows[i]?.id ?? "" }] : [],
      ),
    };
  }

  async function customResource(event: CloudFormationCustomResourceEvent): Promise<void> {
    let status: "SUCCESS" | "FAILED" = "SUCCESS";
    let reason = "";
    let data: Record<string, unknown> = {};
    try {
      // Deleting the resource removes no product: the catalog is the shop's business data.
      if (event.RequestType !== "Delete") {
        // Only what is missing is added: a product the owner has changed since stays as it is.
        const summary = await load(sampleCatalog, "sample-catalog", 1, "createOnly");
        if ("problems" in summary) throw new Error(JSON.stringify(summary.problems));
        data = { Created: summary.created, Unchanged: summary.unchanged };
        logger.info("sample catalog loaded", data);
      }
    } catch (error) {
      status = "FAILED";
      reason = error instanceof Error ? error.message : String(error);
      logger.error("sample catalog not loaded", { error: reason });
    }
    const response = await fetch(event.ResponseURL, {
      method: "PUT",
      headers: { "content-type": "" },
      body: JSON.stringify({
        Status: status,
        Reason: reason.slice(0, 1000) || "see the function's log",
        PhysicalResourceId: "sample-catalog",
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
        Data: data,
      }),
    });
    if (!response.ok) throw new Error(`CloudFormation's response URL answered ${response.status}`);
  }

  const run = async (
    event: LoaderRequest | CloudFormationCustomResourceEvent,
  ): Promise<LoaderResponse | undefined> => {
    if ("RequestType" in event) {
      await customResource(event);
      return undefined;
    }
    switch (event.action) {
      case "validate":
        return { problems: checkCatalogRows(event.rows).problems };
      case "import":
        return load(event.rows, event.actor, event.firstRow ?? 1, "upsert");
      case "export": {
        const rows: CatalogFileRow[] = [];
        for await (const batch of products.allProducts()) {
          for (const product of batch) if (!product.archived) rows.push(toCatalogFileRow(product));
        }
        rows.sort((a, b) => a.id.localeCompare(b.id));
        return { rows };
      }
    }
  };
  const invoked = instrumented("catalog-loader", logger, run);
  // `npm run catalog` runs it in-process, with no invocation to describe.
  return (event: LoaderRequest | CloudFormationCustomResourceEvent, context?: Context) =>
    context ? invoked(event, context) : run(event);
}

export const handler = lazyHandler(buildHandler);
