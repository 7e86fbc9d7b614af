import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLambdaContext } from "../local/lambda/lambda-context";
import { graphqlEvent, httpEvent } from "../test/support/api-events";
import { receiveCustomResourceResponse } from "../test/support/custom-resource";
import { createTestShop, type TestShop } from "../test/support/test-shop";
import { createShopApp } from "./shop-app";
import { apiFunction, catalogLoaderFunction, consumers } from "./topology";

let shop: TestShop;
let bundles: Record<string, string>;
const savedEnv = { ...process.env };

/**
 * The functions as Lambda runs them: bundled by esbuild into one minified ESM file each,
 * imported from the cloud assembly, and invoked against the local emulators.
 */
beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  const outdir = mkdtempSync(join(tmpdir(), "bundles-"));
  createShopApp({
    outdir,
    context: { "aws:cdk:enable-asset-metadata": true, playground: "on", sampleCatalog: "true" },
  }).app.synth();
  const template = JSON.parse(readFileSync(join(outdir, "Shop.template.json"), "utf8")) as {
    Resources: Record<
      string,
      { Type: string; Metadata?: Record<string, string>; Properties: Record<string, unknown> }
    >;
  };
  bundles = {};
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== "AWS::Lambda::Function") continue;
    const service = (resource.Properties.Environment as { Variables: Record<string, string> })
      .Variables.POWERTOOLS_SERVICE_NAME as string;
    bundles[service] = join(outdir, resource.Metadata?.["aws:asset:path"] ?? "", "index.mjs");
  }
  // Every bundle reads its own variables; in one process they share one environment.
  for (const spec of [apiFunction, catalogLoaderFunction, ...Object.values(consumers)]) {
    Object.assign(process.env, shop.envFor(spec));
  }
  Object.assign(process.env, { SHOP_ENVIRONMENT: "production", PLAYGROUND: "on" });
}, 120_000);
afterAll(() => {
  process.env = savedEnv;
  shop.destroy();
});

async function load(service: string) {
  const file = bundles[service];
  if (!file || !existsSync(file)) throw new Error(`no bundle for ${service}`);
  return (await import(pathToFileURL(file).href)) as {
    handler: (
      event: unknown,
      context: unknown,
    ) => Promise<{ statusCode?: number; body?: string } & Record<string, unknown>>;
  };
}

describe("the bundled functions", () => {
  it("bundle every function with its source map", () => {
    expect(Object.keys(bundles).sort()).toEqual(
      [
        "shop-api",
        "shop-websocket",
        "shop-catalog-loader",
        ...Object.keys(consumers).map((name) => `shop-${name}`),
      ].sort(),
    );
    for (const file of Object.values(bundles)) expect(existsSync(`${file}.map`)).toBe(true);
  });

  it("serve GraphQL and REST from the api bundle", async () => {
    const { handler } = await load("shop-api");
    const answer = await handler(
      graphqlEvent('{ product(id: "prod-0007") { name } }'),
      createLambdaContext("api"),
    );
    expect(JSON.parse(answer.body ?? "")).toEqual({
      data: { product: { name: "Smartwatch Series 5" } },
    });
    const rest = await handler(
      httpEvent({ path: "/products/prod-0007" }),
      createLambdaContext("api"),
    );
    expect(rest.statusCode).toBe(200);
  });

  it("load the sample catalog from the catalog loader bundle, as CloudFormation asks it to", async () => {
    const { handler } = await load("shop-catalog-loader");
    const response = await receiveCustomResourceResponse((event) =>
      handler(event, createLambdaContext("catalog-loader")),
    );
    // The shop holds the sample catalog already: nothing is added, nothing changed.
    expect(response).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: "sample-catalog",
      Data: { Created: 0, Unchanged: 50 },
    });
  });

  it("serve the playground's files from beside the api bundle", async () => {
    const { handler } = await load("shop-api");
    expect(existsSync(join(bundles["shop-api"] ?? "", "..", "playground", "graphiql.js"))).toBe(
      true,
    );
    const asset = await handler(
      httpEvent({ path: "/graphql/assets/graphiql.js" }),
      createLambdaContext("api"),
    );
    expect(asset.statusCode).toBe(200);
    expect(asset.body?.length).toBeGreaterThan(100_000);
  });

  it("load every consumer bundle and handle an empty batch", async () => {
    for (const service of ["shop-fraud", "shop-inventory", "shop-email"]) {
      const { handler } = await load(service);
      expect(await handler({ Records: [] }, createLambdaContext(service)), service).toEqual({
        batchItemFailures: [],
      });
    }
    const stream = await load("shop-streamProcessor");
    expect(await stream.handler({ Records: [] }, createLambdaContext("stream"))).toEqual({
      batchItemFailures: [],
    });
    const analytics = await load("shop-analytics");
    expect(
      await analytics.handler({ Records: [] }, createLambdaContext("analytics")),
    ).toBeUndefined();
    // The reconciler's bundle runs a pass against the emulators: nothing owed, nothing late.
    const reconciler = await load("shop-reconciler");
    expect(await reconciler.handler({}, createLambdaContext("reconciler"))).toMatchObject({
      unfinished: false,
    });
  });
});
