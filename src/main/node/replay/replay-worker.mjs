// Worker entry under plain Node: register tsx's loader in this thread, then run the TS worker.
import { register } from 'tsx/esm/api';

register();
await import('./replay-worker.ts');
