import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { paddockOver } from '../../../src/core/commands/compose.js';
import { tempEngines } from '../../helpers/engine.js';
import { paddockP, startServe, waitFor } from '../../helpers/cli.js';

const engines = tempEngines();

const alerts = (e: Awaited<ReturnType<typeof engines.open>>) => e.store.events.query({ kindPrefix: 'alert', limit: 100 }).filter((a) => (a as { type?: string }).type === 'log');

/**
 * Threat: events changed or removed outside Paddock (the database edited while no host ran) going
 * unnoticed until someone clicks Verify. A long-lived host (the app, `serve`) checks the log once
 * it has started and raises an `alert` of type `log` when the check fails.
 */
describe('the log check of a long-lived host', () => {
  it('an intact log raises nothing; an edited one raises a `log` alert naming the first bad event', async () => {
    const e = await engines.open();
    for (let i = 0; i < 30; i++) e.log({ kind: 'alert', agent: null, type: 'test', message: `m${i}` });
    await paddockOver(e).checkLogOnStart();
    expect(alerts(e)).toEqual([]);
    await e.close();
    const db = new Database(join(engines.dir(), 'paddock.db'));
    db.exec("DROP TRIGGER events_no_update; UPDATE events SET body = replace(body, 'm7', 'm8') WHERE id = 8;");
    db.close();
    const again = await engines.open();
    await paddockOver(again).checkLogOnStart();
    const [a] = alerts(again);
    expect((a as { message?: string } | undefined)?.message).toMatch(/^the activity log failed its check: event 8: hash mismatch .*paddock log verify/);
  });

  it('`paddock serve` on an edited log: the alert is in the log for the user, without anyone running verify', async () => {
    const data = join(engines.dir(), 'served');
    const first = await startServe(data);
    await first.stop();
    const db = new Database(join(data, 'paddock.db'));
    db.exec('DROP TRIGGER events_no_delete;'); // the first step of removing events unseen
    db.close();
    const host = await startServe(data);
    try {
      const line = await waitFor(async () => {
        const r = await paddockP(['--data-dir', data, 'events', '--kind', 'alert', '--json']);
        return r.stdout.split('\n').find((l) => l.includes('"type":"log"'));
      }, 20_000);
      expect(JSON.parse(line)).toMatchObject({ kind: 'alert', agent: null, type: 'log' });
      expect(JSON.parse(line).message).toMatch(/append-only triggers were removed/);
    } finally {
      await host.stop();
    }
  });
});
