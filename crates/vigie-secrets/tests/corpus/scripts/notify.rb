require "slack-ruby-client"
require "twilio-ruby"

Slack.configure do |config|
  config.token = "xoxb-566939183254-742519433304-zOWhbmoCgCyBEhfi2WLFniRw"
end

TWILIO_ACCOUNT_SID = "AC542841faefcf6f55ba1e520f7bf53b79"
TWILIO_AUTH_TOKEN = "8ff0a97393aa6db351c3c27abb9f3e21"
client = Twilio::REST::Client.new(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)
