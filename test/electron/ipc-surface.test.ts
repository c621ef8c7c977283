/**
 * The whole IPC surface, channel by channel with its argument validator. Any
 * new channel, renamed channel or loosened validator changes this snapshot,
 * so it shows up in review. Update deliberately with `npx vitest run -u test/electron`.
 */
import { expect, it } from 'vitest';
import { AUDIT_CHANNELS, PROGRESS_CHANNEL } from '../../src/shared/api/audit-api';
import { auditIpcSurface } from '../../src/main/electron/ipc';

it('IPC surface', () => {
  const surface = auditIpcSurface();
  expect(surface.map((s) => s.channel).sort()).toEqual(Object.values(AUDIT_CHANNELS).sort());
  expect({ invoke: surface, mainToRenderer: [PROGRESS_CHANNEL] }).toMatchSnapshot();
});
