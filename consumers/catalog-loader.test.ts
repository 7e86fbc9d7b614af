import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoProductHistoryRepository } from "../adapters/dynamo-product-repository";
import sampleCatalog from "../catalog/sample-catalog.json" with { type: "json" };
import { catalogLoaderFunction } from "../infra/topology";
import { buildFunction } from "../local/lambda/functions";
import { createLambdaContext } from "../local/lambda/lambda-context";
import { receiveCustomResourceResponse } from "../test/support/custom-resource";
import { asAdmin, createTestShop, type TestShop } from "../test/support/test-shop";
import type { CatalogFileRow, LoaderRequest, LoaderResponse } from "./catalog-loader-contract";

let shop: TestShop;
let loader: (request: LoaderRequest) => Promise<LoaderResponse>;

beforeAll(async () => {
  shop = await createTestShop();
  const handler = await buildFunction<LoaderRequest, LoaderResponse>(
    catalogLoaderFunction,
    shop.envFor(catalogLoaderFunction),
    { logger: shop.logger },
  );
  loader = (request) => handler(request, createLambdaContext("catalog-loader", 300_000));
});
afterAll(() => shop.destroy());

const row = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  name: `Product ${id}`,
  description: "Loaded from a file.",
  category: "Imported",
  brand: "Acme",
  priceCents: 1200,
  currency: "USD",
  stock: 7,
  ...overrides,
});

const history = () =>
  new DynamoProductHistoryRepository(
    shop.local.document,
    shop.provisioned.tableNames.productHistory,
  );

describe("the catalog loader", () => {
  it("reports every bad row with its number and the field, and writes nothing", async () => {
    const rows = [
      row("ok-1"),
      row("bad-price", { priceCents: "12.50" }),
      row("ok-2"),
      { name: "no id" },
      row("bad-stock", { stock: -1, currency: "EUR" }),
      row("ok-1"),
      "not an object",
    ];
    expect(await loader({ action: "validate", rows })).toEqual({
      problems: [
        { row: 2, field: "price.amountCents", reason: "must be a whole number of cents" },
        { row: 4, field: "id", reason: "is required" },
        { row: 5, field: "price.currency", reason: "must be USD, the shop's only currency" },
        { row: 6, field: "id", reason: "repeats the id of row 1" },
        { row: 7, field: "row", reason: "must be an object" },
      ],
    });
    const imported = await loader({ action: "import", rows, actor: "catalog-import:test" });
    expect(imported).toHaveProperty("problems");
    expect(await shop.stockOf("ok-1")).toBeUndefined();
    expect(await shop.stockOf("ok-2")).toBeUndefined();
  });

  it("imports idempotently: the same rows twice change nothing the second time", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(`twice-${i}`));
    expect(await loader({ action: "import", rows, actor: "catalog-import:test" })).toEqual({
      created: 30,
      updated: 0,
      unchanged: 0,
      conflicts: [],
    });
    const entries = await history().history("twice-3");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ change: "CREATED", actor: "catalog-import:test" });

    expect(await loader({ action: "import", rows, actor: "catalog-import:test" })).toEqual({
      created: 0,
      updated: 0,
      unchanged: 30,
      conflicts: [],
    });
    expect(await history().history("twice-3")).toHaveLength(1);
  });

  it("brings a known product to the file's description and price, and leaves its stock alone", async () => {
    await loader({ action: "import", rows: [row("known")], actor: "catalog-import:test" });
    await shop.services().orders.placeOrder(asAdmin, {
      customerId: "buyer",
      items: [{ productId: "known", quantity: 2 }],
    });
    const changed = row("known", { priceCents: 1500, name: "Renamed", stock: 100 });
    expect(
      await loader({ action: "import", rows: [changed], actor: "catalog-import:test" }),
    ).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const product = await shop.services().catalog.getProduct(asAdmin, "known");
    expect(product).toMatchObject({ name: "Renamed", priceCents: 1500, stock: 5, version: 2 });
    expect((await history().history("known")).map((e) => e.change)).toEqual(["CREATED", "UPDATED"]);
  });

  it("exports the products on sale in the file's shape, which imports back unchanged", async () => {
    await loader({
      action: "import",
      rows: [row("export-a"), row("export-b")],
      actor: "catalog-import:test",
    });
    await shop.services().catalogAdmin.archiveProduct(asAdmin, "export-b");
    const { rows } = (await loader({ action: "export" })) as { rows: readonly CatalogFileRow[] };
    expect(rows.find((r) => r.id === "export-a")).toEqual(row("export-a"));
    expect(rows.map((r) => r.id)).not.toContain("export-b");
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort());
    expect(await loader({ action: "import", rows, actor: "catalog-import:test" })).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: rows.length,
    });
  });
});

describe("the sample catalog, as the stack loads it at deploy time", () => {
  it("adds the 50 sample products on create, keeps the owner's changes on update, and removes nothing on delete", async () => {
    const empty = await createTestShop();
    try {
      const handler = await buildFunction<unknown, unknown>(
        catalogLoaderFunction,
        empty.envFor(catalogLoaderFunction),
        { logger: empty.logger },
      );
      const run = (type: "Create" | "Update" | "Delete") =>
        receiveCustomResourceResponse(
          (event) => handler(event, createLambdaContext("catalog-loader", 300_000)),
          type,
        );
      expect(await run("Create")).toMatchObject({
        Status: "SUCCESS",
        PhysicalResourceId: "sample-catalog",
        Data: { Created: 50, Unchanged: 0 },
      });
      const first = sampleCatalog[0];
      if (!first) throw new Error("the sample catalog is empty");
      expect(await empty.stockOf(first.id)).toBe(first.stock);
      const entries = await new DynamoProductHistoryRepository(
        empty.local.document,
        empty.provisioned.tableNames.productHistory,
      ).history(first.id);
      expect(entries).toMatchObject([{ change: "CREATED", actor: "sample-catalog" }]);

      const { catalogAdmin, catalog } = empty.services();
      await catalogAdmin.updateProduct(asAdmin, first.id, {
        price: { amountCents: 1, currency: "USD" },
        expectedVersion: 1,
      });
      expect(await run("Update")).toMatchObject({
        Status: "SUCCESS",
        Data: { Created: 0, Unchanged: 50 },
      });
      expect((await catalog.getProduct(asAdmin, first.id))?.priceCents).toBe(1);

      expect(await run("Delete")).toMatchObject({ Status: "SUCCESS" });
      expect(await empty.stockOf(first.id)).toBe(first.stock);
    } finally {
      empty.destroy();
    }
  });

  it("answers FAILED, with the reason, when it cannot load", async () => {
    const handler = await buildFunction<unknown, unknown>(
      catalogLoaderFunction,
      shop.envFor(catalogLoaderFunction, {
        PRODUCTS_TABLE_NAME: "no-such-table",
        AWS_SDK_MAX_ATTEMPTS: "1",
      }),
      { logger: shop.logger },
    );
    const response = await receiveCustomResourceResponse((event) =>
      handler(event, createLambdaContext("catalog-loader", 300_000)),
    );
    expect(response).toMatchObject({ Status: "FAILED", PhysicalResourceId: "sample-catalog" });
    expect(String(response.Reason)).toMatch(/resource not found|non-existent table/i);
  });
});
