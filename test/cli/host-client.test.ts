import { describe, expectTypeOf, it } from 'vitest';
import type { RunInfo } from '../../src/shared/agent.schema.js';
import type { Approval } from '../../src/shared/approval.schema.js';
import type { DoctorCheck } from '../../src/shared/api.js';
import type { ControlParams, ControlResult } from '../../src/shared/control.js';
import type { callHost } from '../../src/cli/host-client.js';

// Issue 14: the CLI's results are derived from the API map (no `unknown`, no `params as never`).
// Checked by `npm run typecheck` (tsconfig.test.json); the runtime part only keeps vitest happy.
describe('the CLI’s host calls are typed from the map', () => {
  it('results and parameters follow the API map and the host methods', () => {
    expectTypeOf<ControlResult<'runs:list'>>().toEqualTypeOf<RunInfo[]>();
    expectTypeOf<ControlResult<'approvals:list'>>().toEqualTypeOf<Approval[]>();
    expectTypeOf<ControlResult<'net:set'>>().toEqualTypeOf<{ live: boolean }>();
    expectTypeOf<ControlResult<'approvals:answer'>['applied']>().toMatchTypeOf<string>();
    expectTypeOf<ControlResult<'keychain'>>().toEqualTypeOf<DoctorCheck>();
    expectTypeOf<ControlParams<'runs:pause'>>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<ReturnType<typeof callHost<'net:set'>>>().resolves.toEqualTypeOf<{ live: boolean }>();
    // @ts-expect-error: a method that is not in the map does not compile.
    expectTypeOf<ControlResult<'ps'>>().toBeNever();
  });
});
