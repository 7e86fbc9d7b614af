import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

/**
 * The local stand-in for the Cognito user pool: it signs tokens shaped like Cognito's ID
 * tokens (issuer, audience, subject, `cognito:groups`) with an RS256 key, and publishes the
 * public key as a JWKS, which the api verifies exactly as it verifies Cognito's.
 */

export const LOCAL_ISSUER = "urn:shop:local-issuer";
export const LOCAL_AUDIENCE = "shop-local";
export const ADMIN_GROUP = "admin";
/** Where the JWKS is served, on the API's own port locally. */
export const JWKS_PATH = "/local-issuer/jwks.json";
/** How long a local token lasts: long enough for a day of work. */
export const LOCAL_TOKEN_SECONDS = 7 * 24 * 60 * 60;

export type TokenSubject = { readonly customer: string } | { readonly admin: string };

export interface LocalIssuer {
  /** The private signing key, as a JWK (tests pass it between processes). */
  readonly privateJwk: JWK;
  /** The public keys, as the JWKS endpoint serves them. */
  readonly jwks: { readonly keys: readonly JWK[] };
  /** A signed token for a customer or an admin. */
  mint(subject: TokenSubject, options?: { expiresInSeconds?: number }): Promise<string>;
}

/** An issuer over a signing key: the one in `dataDir` (made on first use), or a new one. */
export async function localIssuer(options: { dataDir?: string; privateJwk?: JWK } = {}) {
  const privateJwk =
    options.privateJwk ??
    (options.dataDir ? await signingKeyIn(options.dataDir) : await newSigningKey());
  return issuerFor(privateJwk);
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: "RS256", use: "sig", kid: `local-${Date.now().toString(36)}` };
}

/** The key in `<dataDir>/issuer/signing-key.json`, made and kept there (owner-only) if missing. */
async function signingKeyIn(dataDir: string): Promise<JWK> {
  const path = join(dataDir, "issuer", "signing-key.json");
  try {
    return JSON.parse(readFileSync(path, "utf8")) as JWK;
  } catch {
    const jwk = await newSigningKey();
    mkdirSync(join(dataDir, "issuer"), { recursive: true });
    writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
    chmodSync(path, 0o600);
    return jwk;
  }
}

async function issuerFor(privateJwk: JWK): Promise<LocalIssuer> {
  const key = await importJWK(privateJwk, "RS256");
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  return {
    privateJwk,
    jwks: { keys: [publicJwk] },
    mint(subject, options = {}) {
      const isAdmin = "admin" in subject;
      return new SignJWT({
        token_use: "id",
        "cognito:groups": isAdmin ? [ADMIN_GROUP] : [],
      })
        .setProtectedHeader({ alg: "RS256", kid: privateJwk.kid ?? "local", typ: "JWT" })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(isAdmin ? subject.admin : subject.customer)
        .setIssuedAt()
        .setExpirationTime(`${options.expiresInSeconds ?? LOCAL_TOKEN_SECONDS}s`)
        .sign(key);
    },
  };
}

/** Answers the JWKS request, if this is one; returns whether it did. */
export function answerJwks(
  issuer: LocalIssuer,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  if (request.method !== "GET" || request.url !== JWKS_PATH) return false;
  response.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=600" });
  response.end(JSON.stringify(issuer.jwks));
  return true;
}

/** A server that only publishes the issuer's JWKS (the tests' stand-in for Cognito). */
export async function serveJwks(issuer: LocalIssuer): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    if (!answerJwks(issuer, request, response)) {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}${JWKS_PATH}`, server };
}

/** The identity settings the api gets for a local issuer whose JWKS is at `jwksUrl`. */
export function localIdentity(jwksUrl: string) {
  return { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, jwksUrl };
}
