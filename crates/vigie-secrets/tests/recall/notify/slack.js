const { WebClient } = require('@slack/web-api');
const web = new WebClient('xoxb-95119861788-598309759327-VNUpMA3zhN7DHr69bft9EcmU');
const webhook = 'https://hooks.slack.com/services/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';
module.exports = { web, webhook };
