import { describe, expect, it } from "vitest";

describe("the runtime", () => {
  it("is Node.js 22, the Lambda runtime's major version", () => {
    expect(process.versions.node.split(".")[0]).toBe("22");
  });
});
