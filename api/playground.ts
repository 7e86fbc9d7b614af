import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { parse, print } from "graphql";
import {
  DailySalesDocument,
  OrderStatusDocument,
  PlaceOrderDocument,
  ProductsDocument,
} from "../generated/client/graphql";
import type { HttpResult } from "./http";
import { type AssetName, PLAYGROUND_ASSETS } from "./playground-assets";

const ASSET_PREFIX = "/graphql/assets/";

/** A generated document's text, printed canonically. */
const pretty = (document: { toString(): string }) => print(parse(document.toString()));

/**
 * The example operations the playground opens with, from the typed client's documents.
 * Built when the playground is asked for, not when the API loads.
 */
const exampleTabs = (today: string) => [
  { query: pretty(ProductsDocument.toString()), variables: JSON.stringify({ first: 5 }, null, 2) },
  {
    query: pretty(PlaceOrderDocument.toString()),
    variables: JSON.stringify(
      { input: { items: [{ productId: "prod-0001", quantity: 1 }] } },
      null,
      2,
    ),
  },
  {
    query: pretty(OrderStatusDocument.toString()),
    variables: JSON.stringify({ id: "paste an order id" }, null, 2),
  },
  {
    query: `# Admins only: paste a token from \`npm run -s token -- --admin\` into Headers.\n${pretty(DailySalesDocument.toString())}`,
    variables: JSON.stringify({ day: today }, null, 2),
  },
];

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Shop GraphQL playground</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql.css">
<style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading the playground...</div>
<script src="${ASSET_PREFIX}react.js"></script>
<script src="${ASSET_PREFIX}react-dom.js"></script>
<script src="${ASSET_PREFIX}graphiql.js"></script>
<script src="${ASSET_PREFIX}playground.js"></script>
</body>
</html>
`;

/**
 * The headers tab the playground opens with: a bearer token when the runtime gave one (the
 * local runtime mints a customer's), otherwise none, so the catalog still answers.
 */
const startHeaders = (token: string) =>
  token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : "{}";

const startScript = (today: string, token: string) => `(() => {
  const tabs = ${JSON.stringify(exampleTabs(today))}.map((tab) => ({
    ...tab,
    headers: ${JSON.stringify(startHeaders(token))},
  }));
  const fetcher = async (params, options) => {
    const response = await fetch(${JSON.stringify("/graphql")}, {
      method: "POST",
      headers: {
        ...(options && options.headers),
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(params),
    });
    return response.json();
  };
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultTabs: tabs,
      // The active tab's text comes from these when given; without them it opens empty.
      query: tabs[0].query,
      variables: tabs[0].variables,
      headers: tabs[0].headers,
      defaultEditorToolsVisibility: "variables",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
`;

// Everything the page loads comes from this API; nothing from elsewhere.
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'",
  "x-content-type-options": "nosniff",
};

function locateAssets(): (name: AssetName) => string {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, "playground");
  if (existsSync(join(bundled, "graphiql.js"))) return (name) => join(bundled, name);
  // The packages' export maps hide these files; their package.json is exported, and they sit beside it.
  const require = createRequire(import.meta.url);
  return (name) => {
    const { pkg, file } = PLAYGROUND_ASSETS[name];
    return join(dirname(require.resolve(`${pkg}/package.json`)), file);
  };
}

/** Serves the playground page and its assets; undefined for every other request. */
export function createPlayground(options: { readonly token?: string } = {}) {
  let pathOf: ((name: AssetName) => string) | undefined;
  const cache = new Map<AssetName, string>();
  const asset = (name: AssetName): string => {
    let body = cache.get(name);
    if (body === undefined) {
      pathOf ??= locateAssets();
      body = readFileSync(pathOf(name), "utf8");
      cache.set(name, body);
    }
    return body;
  };
  const respond = (body: string, type: string, cacheControl: string): HttpResult => ({
    statusCode: 200,
    headers: { "content-type": type, "cache-control": cacheControl, ...SECURITY_HEADERS },
    body,
  });

  return function servePlayground(event: APIGatewayProxyEventV2): HttpResult | undefined {
    if (event.requestContext.http.method !== "GET") return undefined;
    const path = event.rawPath;
    if (path === "/graphql") {
      const wantsPage =
        (event.headers?.accept ?? "").includes("text/html") && !event.rawQueryString;
      return wantsPage ? respond(PAGE, "text/html; charset=utf-8", "no-cache") : undefined;
    }
    if (!path.startsWith(ASSET_PREFIX)) return undefined;
    const name = path.slice(ASSET_PREFIX.length);
    if (name === "playground.js")
      return respond(
        startScript(new Date().toISOString().slice(0, 10), options.token ?? ""),
        "application/javascript",
        "no-cache",
      );
    if (!(name in PLAYGROUND_ASSETS)) return undefined;
    const spec = PLAYGROUND_ASSETS[name as AssetName];
    return respond(asset(name as AssetName), spec.type, "public, max-age=86400");
  };
}
