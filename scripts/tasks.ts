/**
 * `npm run tasks -- list|show|release`: the task records of the local stack (or of a deployed `--stage`). See
 * scripts/tasks/cli.ts and docs/lifecycle.md.
 */
import { runAsProcess } from './cli';
import { runCli } from './tasks/cli';
import { tasksTarget } from './tasks/targets';

runAsProcess('tasks', (argv, env, io) => runCli(argv, env, io, { target: tasksTarget }));
