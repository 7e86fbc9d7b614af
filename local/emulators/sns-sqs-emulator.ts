import { mkdirSync } from "node:fs";
import { startFauxqs } from "fauxqs";
import { assertPortFree } from "../process/tcp-ports";
import { LOCAL_REGION } from "./local-aws";

export interface SnsSqsEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs in this process: the SNS and SQS wire protocols, filter policies and DLQ
 * redrive. With `dataDir`, topics, queues and messages persist there. Port 0 picks a free
 * port.
 */
export async function startSnsSqsEmulator(options: {
  port: number;
  dataDir?: string;
}): Promise<SnsSqsEmulator> {
  if (options.port !== 0) await assertPortFree(options.port, "SNS/SQS emulator", "SNS_SQS_PORT");
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port,
    host: "localhost",
    logger: false,
    defaultRegion: LOCAL_REGION,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return { endpoint: server.address, stop: () => server.stop() };
}
