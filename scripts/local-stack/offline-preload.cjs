/**
 * Preloaded into the serverless-offline process (NODE_OPTIONS --require, see offline.ts).
 *
 * serverless-offline runs an `Event` (asynchronous) invocation without awaiting it, so a type function that
 * throws (Connect down, retries exhausted) becomes an unhandled rejection, and osls exits on it: one failed
 * request stopped the whole local stack. In AWS, Lambda retries the event twice and then sends it to the
 * dead-letter queue (serverless.yml); the sweep lists the request again either way. Locally we log the
 * failure and keep running, as the deployed stack would. Only the error's name and message are printed
 * (the Connect client's messages carry no secret).
 */
process.on('unhandledRejection', (reason) => {
  const name = reason instanceof Error ? reason.name : 'Error';
  const message = reason instanceof Error ? reason.message : String(reason);
  process.stderr.write(
    `[local-stack] asynchronous invocation failed: ${name}: ${message} ` +
      '(in AWS: retried twice, then the dead-letter queue; the next sweep picks the request up again)\n',
  );
});
