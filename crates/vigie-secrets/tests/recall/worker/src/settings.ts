export const settings = {
  queue: process.env.QUEUE_NAME ?? 'jobs',
  stripeKey: process.env.STRIPE_SECRET_KEY ?? 'sk_live_qSno2T3RTHRAQbaQMWNFpGAy',
  smtpPassword: process.env.SMTP_PASSWORD || `NruN2Q_VBG7Mj1mm`,
  concurrency: Number(process.env.CONCURRENCY ?? 4),
};
