const express = require("express");
const { WebClient } = require("@slack/web-api");

const app = express();
const slack = new WebClient(process.env.SLACK_BOT_TOKEN);
const ALERT_HOOK = "https://hooks.slack.com/services/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";
const sessionSecret = process.env.SESSION_SECRET || "dev-secret";
const requestId = "7c618c8f-c9d6-4007-afcc-2efb086dfede";

app.get("/health", (req, res) => res.json({ ok: true, build: "2110a3a8bb344bf30ce053466550a1aec38c995c" }));
app.post("/login", async (req, res) => {
  const { username, password } = req.body;
  if (!password) return res.status(400).send("password required");
  res.send("ok");
});
app.listen(process.env.PORT || 3000);
