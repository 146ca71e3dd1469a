// Starts verdaccio (from .cache/agents/verdaccio) through its server API on 127.0.0.1, a free
// port, with the config file given; prints `PORT <n>` once listening. Stopped by its PID.
// Usage: node verdaccio-server.mjs VERDACCIO-PACKAGE-DIR CONFIG.yaml
import { createRequire } from 'node:module';

const require = createRequire(`${process.argv[2]}/`);
const { runServer } = require('verdaccio');
const app = await runServer(process.argv[3]);
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
