import { resolve } from "node:path";
import { localIssuer, type TokenSubject } from "../local/emulators/local-issuer";

/**
 * The bearer token a command-line tool calls with: SHOP_TOKEN when set (a token from your
 * identity provider, for a deployed stack), otherwise one the local issuer signs for
 * `subject`, with the key `npm start` uses (in DATA_DIR).
 */
export async function bearerFor(subject: TokenSubject): Promise<{ authorization: string }> {
  const token =
    process.env.SHOP_TOKEN ||
    (await (
      await localIssuer({ dataDir: resolve(process.env.DATA_DIR ?? ".data") })
    ).mint(subject));
  return { authorization: `Bearer ${token}` };
}
