/** Runs the emulators in their own process, so they do not share a core with what is measured. */
import { startEmulators } from "../../local/emulators/stack";

const emulators = await startEmulators({ dynamodbPort: 0, snsSqsPort: 0 });
process.send?.({ dynamodb: emulators.dynamodb, snsSqs: emulators.snsSqs });
const stop = () => void emulators.stop().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("disconnect", stop);
