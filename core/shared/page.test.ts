import { describe, expect, it } from "vitest";
import { InvalidInputError } from "./errors";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageRequest, readBackward } from "./page";

describe("pageRequest", () => {
  it("pages forward by default, and with first and after", () => {
    expect(pageRequest()).toEqual({ first: DEFAULT_PAGE_SIZE });
    expect(pageRequest(null, null, null, null)).toEqual({ first: DEFAULT_PAGE_SIZE });
    expect(pageRequest(5, "c")).toEqual({ first: 5, after: "c" });
  });

  it("pages backward with last, before, or both", () => {
    expect(pageRequest(null, null, 5)).toEqual({ last: 5 });
    expect(pageRequest(null, null, null, "c")).toEqual({ last: DEFAULT_PAGE_SIZE, before: "c" });
    expect(pageRequest(undefined, undefined, 5, "c")).toEqual({ last: 5, before: "c" });
  });

  it("clamps the page size either way", () => {
    expect(pageRequest(5000)).toEqual({ first: MAX_PAGE_SIZE });
    expect(pageRequest(null, null, 0)).toEqual({ last: 1 });
    expect(pageRequest(null, null, -3)).toEqual({ last: 1 });
  });

  it.each<[string, Parameters<typeof pageRequest>]>([
    ["first and last", [5, null, 5, null]],
    ["after and before", [null, "a", null, "b"]],
    ["first and before", [5, null, null, "b"]],
    ["after and last", [null, "a", 5, null]],
  ])("refuses %s together", (_, args) => {
    expect(() => pageRequest(...args)).toThrow(
      new InvalidInputError(
        "page forward with first and after, or backward with last and before, not both ways at once",
      ),
    );
  });
});

describe("readBackward", () => {
  it("puts a page read backward in the list's order, its extra item telling what comes before", () => {
    const edge = (node: string) => ({ node, cursor: `c-${node}` });
    expect(readBackward({ edges: [edge("c"), edge("b")], hasNextPage: true })).toEqual({
      edges: [edge("b"), edge("c")],
      hasPreviousPage: true,
      hasNextPage: false,
    });
    expect(readBackward({ edges: [edge("a")], hasNextPage: false }).hasPreviousPage).toBe(false);
  });
});
