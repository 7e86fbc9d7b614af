import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { NotAuthenticatedError } from "../core/shared/access";
import { DependencyUnavailableError } from "../core/shared/errors";
import type { Viewer } from "../core/shared/viewer";

/** Where tokens come from and whom they are for. */
export interface TokenIssuer {
  /** The `iss` every token must carry (a Cognito user pool's URL in the cloud). */
  readonly issuer: string;
  /** The app client tokens must be issued to (`aud` of ID tokens, `client_id` of access tokens). */
  readonly audience: string;
  /** Where the issuer publishes its public keys. */
  readonly jwksUrl: string;
  /** The group whose members are admins (`cognito:groups`). */
  readonly adminGroup: string;
}

/** The longest token accepted: Cognito's are about 1 KB, and a token is read before it is checked. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Tells who calls from the `Authorization` header: a bearer JWT, verified against the
 * issuer's published keys (jose; RS256 only, so `alg: none` or a key confusion cannot
 * pass), then its issuer, audience and lifetime. The keys are fetched once and cached for
 * the life of the container (refetched at most every 30 s when a token names an unknown
 * key, as after a rotation). No header is an anonymous caller; a header that does not hold
 * a valid token is refused, never taken as anonymous.
 */
export class JwtAuthenticator {
  private readonly jwksUrl: URL;
  private keySet: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly settings: TokenIssuer) {
    this.jwksUrl = new URL(settings.jwksUrl);
  }

  /**
   * The issuer's key set, made on the first token: making it loads Node's fetch (its
   * `Headers`), which takes milliseconds a cold start answering anonymous callers need not spend.
   */
  private get keys(): ReturnType<typeof createRemoteJWKSet> {
    this.keySet ??= createRemoteJWKSet(this.jwksUrl, {
      timeoutDuration: 3000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    return this.keySet;
  }

  async viewerFor(authorization: string | undefined): Promise<Viewer> {
    if (authorization === undefined) return { kind: "anonymous" };
    const [scheme, token, ...rest] = authorization.trim().split(/\s+/);
    if (scheme?.toLowerCase() !== "bearer" || !token || rest.length > 0) {
      throw new NotAuthenticatedError('the Authorization header must be "Bearer <token>"');
    }
    if (token.length > MAX_TOKEN_LENGTH) throw new NotAuthenticatedError("the token is too long");
    return viewerOf(await this.verify(token), this.settings);
  }

  private async verify(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        algorithms: ["RS256"],
        clockTolerance: 5,
        requiredClaims: ["sub", "exp"],
      });
      return payload;
    } catch (error) {
      if (
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid ||
        (error instanceof TypeError && /fetch/i.test(error.message))
      ) {
        throw new DependencyUnavailableError("the identity provider's keys could not be read", {
          cause: error,
        });
      }
      if (error instanceof errors.JOSEError) {
        throw new NotAuthenticatedError(`the token is not valid: ${describe(error)}`);
      }
      throw error;
    }
  }
}

function describe(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return "it has expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `its ${error.claim} is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "its algorithm is not accepted";
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "its signature does not verify";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer signed it";
  return "it is malformed";
}

/**
 * The viewer a verified token names. Cognito issues ID tokens (`aud` is the app client) and
 * access tokens (`client_id` is); either is accepted for this client only. Members of the
 * admin group are admins; everyone else is the customer whose id is the token's subject.
 */
function viewerOf(payload: JWTPayload, settings: TokenIssuer): Viewer {
  const tokenUse = payload.token_use;
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const forUs =
    tokenUse === "access"
      ? payload.client_id === settings.audience
      : audiences.includes(settings.audience);
  if (!forUs)
    throw new NotAuthenticatedError("the token is not valid: its audience is not accepted");
  const subject = String(payload.sub);
  const groups = payload["cognito:groups"];
  if (Array.isArray(groups) && groups.includes(settings.adminGroup)) {
    return { kind: "admin", subject };
  }
  return { kind: "customer", customerId: subject };
}
