import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zlib } from "node:zlib";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { parse, print } from "graphql";
import {
  DailySalesDocument,
  OrderStatusDocument,
  OrderUpdatesDocument,
  PlaceOrderDocument,
  ProductsDocument,
} from "../generated/client/graphql";
import type { HttpResult } from "./http";
import { type AssetName, PLAYGROUND_ASSETS } from "./playground-assets";

const ASSET_PREFIX = "/graphql/assets/";

/** For a URL that names its content: a year, the most a cache is asked to keep anything. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** How much of a file's SHA-256 its URL carries: enough that no two versions share one. */
const HASH_LENGTH = 16;

/**
 * Brotli at quality 5, not its best (11): an eighth larger, in a fiftieth of the time (for
 * GraphiQL, about 40 ms rather than two seconds, on a container's first request for it).
 */
const BROTLI = {
  params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
};

type Encoding = "br" | "gzip";
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
const compress: Record<Encoding, (data: Buffer) => Promise<Buffer>> = {
  br: (data) => brotliAsync(data, BROTLI),
  gzip: (data) => gzipAsync(data),
};

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
    query: `# Live: paste an order of the customer in Headers, run, and watch each change arrive.\n${pretty(OrderUpdatesDocument.toString())}`,
    variables: JSON.stringify({ id: "paste an order id" }, null, 2),
  },
  {
    query: `# Admins only: paste a token from \`npm run -s token -- --admin\` into Headers.\n${pretty(DailySalesDocument.toString())}`,
    variables: JSON.stringify({ day: today }, null, 2),
  },
];

/** The page, linking each asset by `href`. */
const page = (href: (name: AssetName) => string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Shop GraphQL playground</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${href("graphiql.css")}">
<style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading the playground...</div>
<script src="${href("react.js")}"></script>
<script src="${href("react-dom.js")}"></script>
<script src="${href("graphiql.js")}"></script>
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

/**
 * The page's script. Queries and mutations go to POST /graphql; subscriptions to the
 * WebSocket API over graphql-transport-ws (GraphiQL's own graphql-ws client), with the
 * Headers tab as connection_init's payload, so its `Authorization` is the subscriber's
 * token. The WebSocket is `liveUrl` when the deployment names one (API Gateway's WebSocket
 * API has its own host), otherwise /graphql on the page's own host, as the local stack
 * serves it.
 */
const startScript = (today: string, token: string, liveUrl: string) => `(() => {
  const tabs = ${JSON.stringify(exampleTabs(today))}.map((tab) => ({
    ...tab,
    headers: ${JSON.stringify(startHeaders(token))},
  }));
  const sameHost = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
  const fetcher = GraphiQL.createFetcher({
    url: "/graphql",
    subscriptionUrl: ${JSON.stringify(liveUrl)} || sameHost,
  });
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

/**
 * Everything the page loads comes from this API; it connects to nothing else but the
 * WebSocket API, when that has a host of its own.
 */
const securityHeaders = (liveUrl: string) => ({
  "content-security-policy": `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'${liveUrl ? ` ${new URL(liveUrl).origin}` : ""}`,
  "x-content-type-options": "nosniff",
});

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

/** `graphiql.js` with `hash` is `graphiql.<hash>.js`. */
const versioned = (name: AssetName, hash: string) => name.replace(/(\.\w+)$/, `.${hash}$1`);

/** The asset a file name in a URL asks for, and the content hash it names, if it names one. */
function assetNamed(file: string): { name: AssetName; hash?: string } | undefined {
  const isAsset = (name: string): name is AssetName => Object.hasOwn(PLAYGROUND_ASSETS, name);
  if (isAsset(file)) return { name: file };
  const parts = /^(.+)\.([0-9a-f]+)(\.\w+)$/.exec(file);
  const name = parts ? `${parts[1]}${parts[3]}` : "";
  return parts && isAsset(name) ? { name, hash: parts[2] ?? "" } : undefined;
}

/**
 * The encoding to answer in, of those `accept-encoding` takes: brotli, else gzip, else none.
 * A coding listed with `q=0`, or left out where no `*` stands in for it, is refused.
 */
export function preferredEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const weights = new Map<string, number>();
  for (const entry of (acceptEncoding ?? "").toLowerCase().split(",")) {
    const [coding = "", ...params] = entry.split(";").map((part) => part.trim());
    const q = params.find((param) => param.startsWith("q="));
    if (coding) weights.set(coding, q ? Number(q.slice(2)) : 1);
  }
  const weight = (coding: string) => weights.get(coding) ?? weights.get("*") ?? 0;
  const taken = (["br", "gzip"] as const).filter((coding) => weight(coding) > 0);
  return taken.sort((a, b) => weight(b) - weight(a))[0];
}

interface LoadedAsset {
  readonly bytes: Buffer;
  readonly text: string;
  readonly hash: string;
  /** Each encoding's body, in base64, made on the first request for it. */
  readonly encoded: Map<Encoding, Promise<string>>;
}

/** Serves the playground page and its assets; undefined for every other request. */
export function createPlayground(
  options: {
    readonly token?: string;
    /** The WebSocket API subscriptions go to; left out, /graphql on the page's host. */
    readonly liveUrl?: string;
  } = {},
) {
  const liveUrl = options.liveUrl ?? "";
  const SECURITY_HEADERS = securityHeaders(liveUrl);
  let pathOf: ((name: AssetName) => string) | undefined;
  // Read, hashed and compressed at most once per container.
  const loaded = new Map<AssetName, LoadedAsset>();
  const asset = (name: AssetName): LoadedAsset => {
    let found = loaded.get(name);
    if (!found) {
      pathOf ??= locateAssets();
      const bytes = readFileSync(pathOf(name));
      const hash = createHash("sha256").update(bytes).digest("hex").slice(0, HASH_LENGTH);
      found = { bytes, text: bytes.toString("utf8"), hash, encoded: new Map() };
      loaded.set(name, found);
    }
    return found;
  };
  let pageHtml: string | undefined;
  const respond = (body: string, type: string, cacheControl: string): HttpResult => ({
    statusCode: 200,
    headers: { "content-type": type, "cache-control": cacheControl, ...SECURITY_HEADERS },
    body,
  });

  // A hashed URL names one content for good, so browsers keep it a year and never ask
  // again; the plain name (for a person with curl) may change with any deploy.
  const serveAsset = async (
    name: AssetName,
    hashed: boolean,
    acceptEncoding: string | undefined,
  ): Promise<HttpResult> => {
    const { bytes, text, encoded } = asset(name);
    const headers = {
      "content-type": PLAYGROUND_ASSETS[name].type,
      "cache-control": hashed ? IMMUTABLE : "no-cache",
      vary: "accept-encoding",
      ...SECURITY_HEADERS,
    };
    const encoding = preferredEncoding(acceptEncoding);
    if (!encoding) return { statusCode: 200, headers, body: text };
    let body = encoded.get(encoding);
    if (!body) {
      body = compress[encoding](bytes).then((data) => data.toString("base64"));
      encoded.set(encoding, body);
    }
    return {
      statusCode: 200,
      headers: { ...headers, "content-encoding": encoding },
      body: await body,
      isBase64Encoded: true,
    };
  };

  return async function servePlayground(
    event: APIGatewayProxyEventV2,
  ): Promise<HttpResult | undefined> {
    if (event.requestContext.http.method !== "GET") return undefined;
    const path = event.rawPath;
    if (path === "/graphql") {
      const wantsPage =
        (event.headers?.accept ?? "").includes("text/html") && !event.rawQueryString;
      if (!wantsPage) return undefined;
      pageHtml ??= page((name) => `${ASSET_PREFIX}${versioned(name, asset(name).hash)}`);
      return respond(pageHtml, "text/html; charset=utf-8", "no-cache");
    }
    if (!path.startsWith(ASSET_PREFIX)) return undefined;
    const file = path.slice(ASSET_PREFIX.length);
    if (file === "playground.js")
      return respond(
        startScript(new Date().toISOString().slice(0, 10), options.token ?? "", liveUrl),
        "application/javascript",
        "no-cache",
      );
    const wanted = assetNamed(file);
    if (!wanted) return undefined;
    // A hash of other content (a page from before a deploy) names nothing this container has.
    if (wanted.hash !== undefined && wanted.hash !== asset(wanted.name).hash) return undefined;
    return serveAsset(wanted.name, wanted.hash !== undefined, event.headers?.["accept-encoding"]);
  };
}
