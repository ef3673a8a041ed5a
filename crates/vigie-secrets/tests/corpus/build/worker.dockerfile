FROM python:3.13-slim
ARG PIP_EXTRA_INDEX_TOKEN=HGnytgJVYSV5xtKau9XWwEXC
LABEL org.opencontainers.image.title="worker" deploy.api_key="oUyJrJJkLaWMs0ywlZ6qKcnhKJnU"
ENV PIP_EXTRA_INDEX_TOKEN=${PIP_EXTRA_INDEX_TOKEN}
COPY requirements.txt .
RUN pip install -r requirements.txt
