// Worker entry under plain Node: register tsx's loader in this thread, then run the TS worker.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./replay-worker.ts', import.meta.url).href);
