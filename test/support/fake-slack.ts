/**
 * The tests' Slack fake is the local console's Web API stand-in (src/console/slack-web-api.ts):
 * one implementation. This module keeps the names the tests have always imported.
 */
export {
  type Fault,
  type FaultOptions,
  type Params,
  type RecordedCall,
  SlackWebApi as FakeSlack,
  type SlackWebApiOptions as FakeSlackOptions,
  StandardTiers,
  type StoredMessage,
} from "../../src/console/slack-web-api.js";
