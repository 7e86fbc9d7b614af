import { describe, expect, it } from "vitest";
import { API_ROUTES } from "./route-table";
import { createRouter } from "./router";

describe("the router", () => {
  const match = createRouter(API_ROUTES);

  it("matches literal paths literally: the dot in /openapi.json is no wildcard", () => {
    expect(match("GET", "/openapi.json")).toMatchObject({ kind: "found" });
    expect(match("GET", "/openapiXjson")).toEqual({ kind: "notFound" });
  });

  it("takes one path segment for a parameter, and names the methods a path takes", () => {
    expect(match("GET", "/products/prod-0001")).toMatchObject({
      kind: "found",
      params: { id: "prod-0001" },
    });
    expect(match("GET", "/products/a/b")).toEqual({ kind: "notFound" });
    expect(match("DELETE", "/orders")).toEqual({
      kind: "methodNotAllowed",
      allow: ["GET", "POST"],
    });
  });
});
