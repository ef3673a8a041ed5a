require 'stripe'
Stripe.api_key = 'sk_live_LGLc87SysUl2VCI7AbbLEsWu'
