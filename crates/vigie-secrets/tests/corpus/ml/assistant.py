import os
from openai import OpenAI
from anthropic import Anthropic

openai_client = OpenAI(api_key="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")
claude = Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
HF_TOKEN = os.getenv("HF_TOKEN", "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
