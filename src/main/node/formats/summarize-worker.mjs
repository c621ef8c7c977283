// Worker entry under plain Node: register the TypeScript loader, then run the worker.
import { register } from 'tsx/esm/api';

register();
await import('./summarize-worker.ts');
