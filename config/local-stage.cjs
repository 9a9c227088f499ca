/**
 * The default (local) stage's settings for serverless.yml: each from its environment variable when set (the
 * local stack sets them for its own ports and emulator), otherwise the local default of config/stack.json.
 * None of them is a real credential; deployed stages read their secrets from SSM.
 */
const { local } = require('./stack.json');

const fromEnv = (name, fallback) => process.env[name] || fallback;

module.exports = () => ({
  connectApiUrl: fromEnv('CONNECT_API_URL', local.connectApiUrl),
  connectApiKey: fromEnv('CONNECT_API_KEY', local.connectApiKey),
  webhookSecrets: fromEnv('CONNECT_WEBHOOK_SECRETS', local.webhookSecret),
  httpPort: fromEnv('OFFLINE_HTTP_PORT', String(local.ports.http)),
  lambdaPort: fromEnv('LAMBDA_INVOKE_PORT', String(local.ports.lambda)),
});
