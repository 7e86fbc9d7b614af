import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { typeDefs } from "../generated/type-defs";

describe("the schema the server builds", () => {
  // The server skips validating the SDL when it starts (a cold start's milliseconds): here
  // graphql-js checks it in full.
  it("comes from SDL that is valid in full", () => {
    expect(() => buildSchema(typeDefs)).not.toThrow();
  });
});
