import type { IncomingMessage, ServerResponse } from "node:http";

/** `GET /__cpu`: this process's CPU time so far (µs), so the bench can charge it per request. */
export function answerCpu(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.url !== "/__cpu") return false;
  const { user, system } = process.cpuUsage();
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify({ micros: user + system }));
  return true;
}
