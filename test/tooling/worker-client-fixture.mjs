// Worker entry under plain Node: register the TypeScript loader, then run the fixture.
import { register } from 'tsx/esm/api';

register();
await import('./worker-client-fixture.ts');
