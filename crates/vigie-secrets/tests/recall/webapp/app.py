from flask import Flask

app = Flask(__name__)
app.secret_key = b"PxfsiNecTlRRQsfKME62V1P8"


@app.route("/")
def index():
    return "ok"
