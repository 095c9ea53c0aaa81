// The Web API's error codes (`ErrorCode` of @slack/web-api) without loading the SDK: the modules
// that classify Slack failures are part of every start, the SDK (about 10 MB) is loaded only when
// Slack is configured (test/e2e/no-heavy-sdks.test.ts). The type keeps the values the SDK's.
import type { ErrorCode as SdkErrorCode } from '@slack/web-api';

export const ErrorCode = {
  RequestError: 'slack_webapi_request_error',
  HTTPError: 'slack_webapi_http_error',
  PlatformError: 'slack_webapi_platform_error',
  RateLimitedError: 'slack_webapi_rate_limited_error',
} as const satisfies { [K in keyof typeof SdkErrorCode]?: `${(typeof SdkErrorCode)[K]}` };
