/**
 * `npm run doctor [-- --stage <name>]`: a health check of the local stack (or of a deployed stage), one line
 * per check. See scripts/doctor/checks.ts and docs/operations.md ("The doctor").
 */
import { runAsProcess } from './cli';
import { runCli } from './doctor/cli';
import { doctorTarget } from './doctor/targets';

// Each check catches its own errors: what reaches runAsProcess is a bug, or the AWS SDK failing to start.
runAsProcess('doctor', (argv, env, io) => runCli(argv, env, io, { target: doctorTarget }));
