import { describe, expect, it } from "vitest";
import { nodeVersionProblem } from "./node-check";

describe("the Node.js version the local commands run on", () => {
  it.each(["22.13.0", "22.23.3", "23.4.0", "24.0.0", "25.2.1"])("accepts %s", (version) => {
    expect(nodeVersionProblem(version, false)).toBeUndefined();
  });

  // node:sqlite is missing before 22.5, and behind a flag up to 22.12 and 23.3.
  it.each(["18.20.4", "20.20.2", "22.4.1", "22.12.0", "23.3.0"])("refuses %s", (version) => {
    expect(nodeVersionProblem(version, false)).toBe(
      `The local commands need Node.js 22.13 or newer (23.x from 23.4), and this is Node.js ${version}: run them through npm (npm start, npm run dlq, ...), whose scripts use the project's own Node.js 22 from node_modules/.bin, or install Node.js 22.`,
    );
  });

  it("tells an npm script that found an old Node.js that the project's own is missing", () => {
    expect(nodeVersionProblem("20.20.2", true)).toBe(
      "The local commands need Node.js 22.13 or newer (23.x from 23.4), and this npm script found Node.js 20.20.2: the project's own Node.js 22 (the node package, node_modules/.bin/node) is missing, so run npm install with its install script allowed, or install Node.js 22.",
    );
  });
});
