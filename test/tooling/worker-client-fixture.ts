// A worker for the worker-client tests: answers, fails, hangs, exits or crashes on request.
import { serveWorker } from '../../src/main/node/read/worker-client';

export const FIXTURE_METHODS = {
  echo: (text: string) => `echo: ${text}`,
  refuse: (why: string) => {
    throw new Error(why);
  },
  wait: (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms)),
  exit: (code: number) => process.exit(code),
  crash: (why: string) => {
    setTimeout(() => {
      throw new Error(why);
    });
    return new Promise<never>(() => {});
  },
};

serveWorker(FIXTURE_METHODS);
