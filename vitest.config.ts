import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql 16 has no exports map: Node resolves `graphql` to its CommonJS entry, Vite to
    // its ES module entry, and a schema built by a library loaded through Node (graphql-tools,
    // Apollo) is then "from another realm" to the project's own code. One entry for both, as
    // the bundles have.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "cdk.out/**"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    env: {
      // Handlers log JSON lines; in tests only failures are worth reading.
      POWERTOOLS_LOG_LEVEL: "CRITICAL",
      POWERTOOLS_METRICS_DISABLED: "true",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      NODE_OPTIONS: "--disable-warning=ExperimentalWarning",
    },
  },
});
