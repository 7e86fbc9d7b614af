import { createServer } from "node:net";
import { LocalSetupError } from "./setup-error";

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** Fails with a one-line explanation when something already listens on the port. */
export function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new LocalSetupError(
              `port ${port} (${what}) is already in use; stop what uses it or set ${envVar} to another port`,
            )
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}
