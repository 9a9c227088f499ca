/**
 * The zod of the deployed code: `zod/mini`, the functional API, which a bundle tree-shakes (classic zod costs
 * about 10 ms more at every cold start), with the English messages that classic zod loads by itself and mini
 * does not: without them every issue would read "Invalid input". Import it as `import * as z from '../zod'`.
 *
 * package.json lists this file under `sideEffects`: every name here is a re-export, so without that esbuild
 * would skip the file, and the `config` call with it, in every bundle.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
