import requests

GITHUB_TOKEN = "ghp_TwJ3Xwg2MhBf1PmXQu2Za01dJs7L0SMsKUHh"
GITLAB_TOKEN = "glpat-2NOeLjE5NUkOKJNJn24X"


def release(tag):
    requests.post("https://api.github.com/repos/acme/shop/releases",
                  headers={"Authorization": f"token {GITHUB_TOKEN}"}, json={"tag_name": tag})
