import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApiChecker } from "../test/support/openapi-check";
import { buildOpenApiDocument, OPENAPI_CACHE_CONTROL } from "./openapi";
import { CATALOG_CACHE_CONTROL } from "./rest-routes";
import { API_ROUTES } from "./route-table";

const document = buildOpenApiDocument();

/** Every operation of the document as `METHOD /path`. */
function described(): string[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe("the OpenAPI document", () => {
  it("describes every route of the route table but /graphql, and nothing else", () => {
    const restRoutes = API_ROUTES.filter((route) => route.path !== "/graphql").map(
      (route) => `${route.method} ${route.path}`,
    );
    expect(described().sort()).toEqual(restRoutes.sort());
  });

  it("asks for a bearer token on the routes for signed-in callers, and lets anyone else call", () => {
    for (const route of API_ROUTES.filter((r) => r.path !== "/graphql")) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      const label = `${route.method} ${route.path}`;
      expect(operation?.security, label).toEqual(
        route.audience === "callers" ? [{ bearerAuth: [] }] : [{}, { bearerAuth: [] }],
      );
      // The function refuses a bad token and an oversized body before any route runs.
      expect(Object.keys(operation?.responses ?? {}), label).toEqual(
        expect.arrayContaining(["401", "413", "503"]),
      );
    }
  });

  it("is committed as openapi.json (npm run openapi writes it)", () => {
    const committed: unknown = JSON.parse(readFileSync("openapi.json", "utf8"));
    expect(
      committed,
      "openapi.json differs from what api/openapi.ts builds: run npm run openapi",
    ).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it("holds only schemas that compile as JSON Schema 2020-12", () => {
    // The checker compiles every body and header schema of the document it is given.
    expect(() => openApiChecker(document)).not.toThrow();
    const components = document.components;
    const mistyped = {
      ...document,
      components: { ...components, schemas: { ...components.schemas, Error: { type: "strnig" } } },
    };
    expect(() => openApiChecker(mistyped)).toThrow("strnig");
  });
});

describe("the check of an answer against the document", () => {
  const { problems, check } = openApiChecker(document);
  const product = {
    product_id: "prod-1",
    name: "Kettle",
    category: "Kitchen",
    brand: "Boil",
    description: "A kettle.",
    price: 19.99,
    currency: "USD",
    stock: 3,
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
  };
  const request = { path: "/products/prod-1" };
  const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers: { "content-type": "application/json", "x-correlation-id": "order-flow-1", ...headers },
    body: JSON.stringify(json),
    json,
  });
  const cacheable = { "cache-control": CATALOG_CACHE_CONTROL };

  it("passes an answer the document describes", () => {
    expect(problems(request, answer(200, product, cacheable))).toEqual([]);
    expect(
      problems(
        request,
        answer(404, { error: "Product not found" }, { "cache-control": "no-store" }),
      ),
    ).toEqual([]);
    expect(
      problems(
        { path: "/openapi.json" },
        answer(200, document, { "cache-control": OPENAPI_CACHE_CONTROL }),
      ),
    ).toEqual([]);
  });

  it("fails a product without a price, saying which request and what did not match", () => {
    const { price: _, ...withoutPrice } = product;
    expect(() => check(request, answer(200, withoutPrice, cacheable))).toThrow(
      "GET /products/prod-1 answered 200, which openapi.json does not describe: the body does not match: body must have required property 'price'",
    );
  });

  it("fails a field the document does not name, or of another type", () => {
    expect(problems(request, answer(200, { ...product, colour: "red" }, cacheable))).toEqual([
      "the body does not match: body must NOT have additional properties",
    ]);
    expect(problems(request, answer(200, { ...product, price: "19.99" }, cacheable))).toEqual([
      "the body does not match: body/price must be number",
    ]);
  });

  it("fails a status the operation does not list", () => {
    expect(problems(request, answer(409, { error: "no" }))).toEqual([
      "status 409 is not one it lists (200, 400, 401, 404, 413, 500, 503)",
    ]);
  });

  it("fails a missing or different header the document requires", () => {
    expect(problems(request, answer(200, product))).toEqual([
      "the Cache-Control header is missing",
    ]);
    expect(problems(request, answer(200, product, { "cache-control": "private" }))).toEqual([
      'the Cache-Control header "private" does not match: Cache-Control must be equal to constant',
    ]);
    expect(
      problems(request, answer(200, product, { ...cacheable, "x-correlation-id": "has spaces" })),
    ).toEqual([
      'the X-Correlation-Id header "has spaces" does not match: X-Correlation-Id must match pattern "^[\\x21-\\x7e]{1,128}$"',
    ]);
  });

  it("fails another content type, and a route the document does not describe", () => {
    expect(
      problems(request, { status: 200, headers: cacheable, body: "hello", json: undefined }),
    ).toEqual([
      "content-type (none) is not application/json",
      "the X-Correlation-Id header is missing",
    ]);
    expect(problems({ method: "DELETE", path: "/products/prod-1" }, answer(200, product))).toEqual([
      "the document describes no such operation",
    ]);
  });
});
