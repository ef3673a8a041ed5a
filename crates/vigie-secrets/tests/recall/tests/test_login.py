def test_login_rejects_wrong_password(client):
    r = client.post("/login", data={"username": "alice", "password": "wrong"})
    assert r.status_code == 401


def test_login(client, user_factory):
    user = user_factory(password="correct horse battery staple")
    r = client.post("/login", data={"username": user.name, "password": "correct horse battery staple"})
    assert r.status_code == 200
