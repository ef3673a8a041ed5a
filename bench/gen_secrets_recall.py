#!/usr/bin/env python3
"""Writes the recall corpus of vigie's secrets engine: realistic files of the families people commit
credentials in (credential files whose format is the signal, framework configuration, provider
tokens, data dumps) and decoys that look like secrets and are not.

The corpus was written from the families' public file formats, without looking at vigie's rules,
and frozen (committed) before any rule was tuned on it. It is kept in the repository as
`crates/vigie-secrets/tests/recall/`; this generator documents how it was made and is not run by
the tests (re-running it with the same seed gives the same files).

In the templates, `⟦` marks a line that holds one secret a careful reviewer would report (the
marker is removed); the manifest `expected.toml` lists those lines per file. A file with no marked
line is a decoy: any finding in it is a false positive.

Usage: gen_secrets_recall.py OUT_DIR
"""

import base64
import hashlib
import json
import os
import random
import string
import sys

R = random.Random(20261207)
ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"


def rnd(n, alphabet=ALNUM):
    return "".join(R.choice(alphabet) for _ in range(n))


def hexs(n):
    return rnd(n, HEX)


def b64(nbytes):
    return base64.b64encode(bytes(R.getrandbits(8) for _ in range(nbytes))).decode()


def b64url(nbytes):
    return base64.urlsafe_b64encode(bytes(R.getrandbits(8) for _ in range(nbytes))).decode().rstrip("=")


def human_pw():
    words = ["Summer", "Winter", "Falcon", "Tiger", "Orange", "Marble", "Rocket", "Harbor", "Maple", "Cobalt"]
    return R.choice(words) + str(R.randint(10, 2099)) + R.choice("!#$%*")


def weak_pw():
    return R.choice(["hunter2", "postgres", "secret123", "admin2020", "Passw0rd", "letmein!", "qwerty78", "backup99"])


def strong_pw(n=20):
    return rnd(n, ALNUM + "!#%^*-_")


def crypt_sha512():
    salt = rnd(16, ALNUM + "./")
    return f"$6${salt}${rnd(86, ALNUM + './')}"


def crypt_yescrypt():
    return f"$y$j9T${rnd(22, ALNUM + './')}${rnd(43, ALNUM + './')}"


def bcrypt():
    return f"$2b$12${rnd(53, ALNUM + './')}"


def bcrypt_y():
    return f"$2y$10${rnd(53, ALNUM + './')}"


def md5crypt():
    return f"$1${rnd(8, ALNUM + './')}${rnd(22, ALNUM + './')}"


def argon2():
    return f"$argon2id$v=19$m=65536,t=3,p=4${b64(16).rstrip('=')}${b64(32).rstrip('=')}"


def mysql_hash():
    return "*" + hashlib.sha1(rnd(12).encode()).hexdigest().upper()


def aws_key_id():
    return "AKIA" + rnd(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def aws_secret():
    return rnd(40, ALNUM + "/+")


def ghp():
    return "ghp_" + rnd(36)


def github_pat():
    return "github_pat_" + rnd(22) + "_" + rnd(59)


def glpat():
    return "glpat-" + rnd(20, ALNUM + "-_")


def slack_bot():
    return f"xoxb-{R.randint(10**10, 10**11)}-{R.randint(10**11, 10**12)}-{rnd(24)}"


def stripe_live():
    return "sk_live_" + rnd(24)


def sendgrid():
    return "SG." + rnd(22, ALNUM + "-_") + "." + rnd(43, ALNUM + "-_")


def npm_token():
    return "npm_" + rnd(36)


def pypi_token():
    return "pypi-AgEIcHlwaS5vcmc" + rnd(60, ALNUM + "-_")


def openai():
    return "sk-proj-" + rnd(48, ALNUM + "-_") + "T3BlbkFJ" + rnd(48, ALNUM + "-_")


def anthropic():
    return "sk-ant-api03-" + rnd(93, ALNUM + "-_") + "AA"


def google_api():
    return "AIza" + rnd(35, ALNUM + "-_")


def twilio_sid():
    return "AC" + hexs(32)


def vault_legacy():
    return "s." + rnd(24)


def vault_hvs():
    return "hvs." + rnd(90, ALNUM + "-_")


def wp_salt():
    return rnd(64, ALNUM + "!@#$%^&*()-_[]{}<>~+=,.;:/?|")


def django_key():
    return "django-insecure-" + rnd(50, string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)")


def uuid():
    h = hexs(32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def filezilla_b64(pw):
    return base64.b64encode(pw.encode()).decode()


def winscp_obfuscated(pw):
    # WinSCP's obfuscation: a hex string of bytes XORed with a constant, length-prefixed.
    return "A35C" + "".join(f"{(ord(c) ^ 0xA3) & 0xFF:02X}" for c in ("\xff" + chr(len(pw)) + pw)) + hexs(16).upper()


def jetbrains_hex(pw):
    # JetBrains webServers.xml stores the password XOR-obfuscated as hex digits.
    return "".join(f"{(ord(c) ^ 0xDFAA):04x}" for c in pw)


# ---------------------------------------------------------------------------------------------
FILES = {}


def add(path, text):
    assert path not in FILES, path
    FILES[path] = text


# ---- Credential files whose format is the signal ----------------------------------------------

add("home/alice/.pgpass", f"""# host:port:database:username:password
db.internal.example.org:5432:orders:orders_app:⟦{human_pw()}
db.internal.example.org:5432:*:postgres:⟦{weak_pw()}
localhost:5432:reporting:report:⟦{strong_pw(18)}
""")
add("ops/backup/pgpass", f"""*:*:*:replicator:⟦{weak_pw()}
""")
add("deploy/roles/postgres/files/.pgpass", f"""# managed by ansible
10.0.3.12:6432:billing:billing_rw:⟦{strong_pw(24)}
""")

add("ops/recovery/etc/shadow", f"""root:⟦{crypt_sha512()}:19527:0:99999:7:::
daemon:*:19527:0:99999:7:::
bin:*:19527:0:99999:7:::
sys:*:19527:0:99999:7:::
sync:*:19527:0:99999:7:::
www-data:*:19527:0:99999:7:::
sshd:!:19527::::::
deploy:⟦{crypt_yescrypt()}:19701:0:99999:7:::
backup:!*:19527:0:99999:7:::
""")
add("images/base/rootfs/etc/shadow", f"""root:⟦{md5crypt()}:18000:0:99999:7:::
nobody:*:18000:0:99999:7:::
app:⟦{bcrypt()}:18000:0:99999:7:::
""")
add("tests/fixtures/users.shadow", f"""admin:⟦{crypt_sha512()}:19000:0:99999:7:::
guest:!:19000:0:99999:7:::
""")

add("home/alice/.my.cnf", f"""[client]
user=alice
⟦password={human_pw()}
host=mysql.internal.example.org

[mysqldump]
user=backup
⟦password="{strong_pw(16)}"
""")
add("deploy/mysql/my.cnf", f"""[mysqld]
bind-address = 0.0.0.0
max_connections = 500
innodb_buffer_pool_size = 2G

[client]
user = root
⟦password = {weak_pw()}
""")

add(".dbeaver/data-sources.json", json.dumps({
    "folders": {},
    "connections": {
        "postgres-jdbc-18c2b3": {
            "provider": "postgresql", "driver": "postgres-jdbc", "name": "prod-orders",
            "save-password": True,
            "configuration": {"host": "orders-db.prod.example.org", "port": "5432", "database": "orders",
                              "url": "jdbc:postgresql://orders-db.prod.example.org:5432/orders",
                              "type": "prod", "auth-model": "native",
                              "user": "orders_ro", "password": "⟦" + human_pw()},
        },
        "mysql8-1a2b": {
            "provider": "mysql", "driver": "mysql8", "name": "legacy-crm",
            "save-password": True,
            "configuration": {"host": "10.1.2.3", "port": "3306", "database": "crm",
                              "auth-model": "native", "user": "crm", "password": "⟦" + strong_pw(14)},
        },
    },
}, indent=1, ensure_ascii=False) + "\n")
add("workspace/.metadata/.dbeaver-data-sources.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<data-sources>
	<data-source id="oracle_thin-1" provider="oracle" driver="oracle_thin" name="ERP" save-password="true" show-system-objects="true" read-only="false">
		<folder name="prod"/>
		<connection host="erp-db.corp.example.org" port="1521" server="" database="ERP" url="jdbc:oracle:thin:@erp-db.corp.example.org:1521:ERP" user="erp_app" ⟦password="{human_pw()}" type="prod"/>
	</data-source>
</data-sources>
""")

add("home/bob/.3T/robo-3t/1.4.4/robo3t.json", json.dumps({
    "autoExpand": True, "batchSize": 50,
    "connections": [{
        "configVersion": 4, "connectionName": "prod-replica", "serverHost": "mongo-1.example.org", "serverPort": 27017,
        "credentials": [{"databaseName": "admin", "enabled": True, "mechanism": "SCRAM-SHA-1",
                         "userName": "admin", "userPassword": "⟦" + strong_pw(18)}],
        "ssh": {"enabled": False, "host": "", "port": 22, "userName": "", "userPassword": "", "privateKeyFile": "", "passphrase": ""},
    }],
}, indent=4, ensure_ascii=False) + "\n")

add(".idea/webServers.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="WebServers">
    <option name="servers">
      <webServer id="4f1c2f9a-0e1b-4c59-9d1e-52f3c2a7b1de" name="staging" url="https://staging.example.org">
        <fileTransfer host="staging.example.org" port="22" rootFolder="/var/www" accessType="SFTP">
          <advancedOptions>
            <advancedOptions dataProtectionLevel="Private" passiveMode="true" shareSSLContext="true" />
          </advancedOptions>
          <option name="port" value="22" />
          ⟦<option name="password" value="{jetbrains_hex(human_pw())}" />
          <option name="username" value="deploy" />
        </fileTransfer>
      </webServer>
    </option>
  </component>
</project>
""")
add("legacy/site/.idea/webServers.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="WebServers">
    <option name="servers">
      <webServer id="b2a5c6d1-7c1a-4bd6-8e2e-1f0a9f3d0c11" name="ftp-live" url="http://www.example.org">
        <fileTransfer host="ftp.example.org" port="21" ⟦password="{jetbrains_hex(weak_pw())}" username="webmaster" />
      </webServer>
    </option>
  </component>
</project>
""")

add("home/carol/.config/filezilla/sitemanager.xml", f"""<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<FileZilla3 version="3.66.4" platform="windows">
	<Servers>
		<Server>
			<Host>ftp.example.org</Host>
			<Port>21</Port>
			<Protocol>0</Protocol>
			<Type>0</Type>
			<User>carol</User>
			⟦<Pass encoding="base64">{filezilla_b64(human_pw())}</Pass>
			<Logontype>1</Logontype>
			<Name>shop</Name>
		</Server>
		<Server>
			<Host>sftp.partner.example.net</Host>
			<Port>22</Port>
			<Protocol>1</Protocol>
			<User>upload</User>
			⟦<Pass encoding="base64">{filezilla_b64(strong_pw(12))}</Pass>
			<Logontype>1</Logontype>
			<Name>partner</Name>
		</Server>
	</Servers>
</FileZilla3>
""")
add("home/carol/.config/filezilla/recentservers.xml", f"""<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<FileZilla3 version="3.66.4" platform="*nix">
	<RecentServers>
		<Server>
			<Host>files.example.com</Host>
			<Port>21</Port>
			<Protocol>0</Protocol>
			<Type>0</Type>
			<User>ftpuser</User>
			⟦<Pass encoding="base64">{filezilla_b64(weak_pw())}</Pass>
			<Logontype>1</Logontype>
		</Server>
	</RecentServers>
</FileZilla3>
""")

add("theme/sftp-config.json", f"""{{
    // The tab key will cycle through the settings when first created
    // Visit https://codexns.io/products/sftp_for_subime/settings for help

    // sftp, ftp or ftps
    "type": "sftp",

    "save_before_upload": true,
    "upload_on_save": true,
    "sync_down_on_open": false,
    "confirm_downloads": false,
    "confirm_sync": true,
    "confirm_overwrite_newer": false,

    "host": "www.example.org",
    "user": "themes",
    ⟦"password": "{human_pw()}",
    "port": "22",

    "remote_path": "/var/www/wp-content/themes/shop/",
    "ignore_regexes": [
        "\\\\.sublime-(project|workspace)", "sftp-config(-alt\\\\d?)?\\\\.json",
        "sftp-settings\\\\.json", "/venv/", "\\\\.svn/", "\\\\.hg/", "\\\\.git/"
    ],
    //"file_permissions": "664",
    //"dir_permissions": "775",

    //"extra_list_connections": 0,

    "connect_timeout": 30,
    //"keepalive": 120,
    //"ftp_passive_mode": true,
    //"ssh_key_file": "~/.ssh/id_rsa",
    //"sftp_flags": ["-F", "/path/to/ssh_config"],
}}
""")
add("plugins/sftp-config.json", f"""{{
    "type": "ftp",
    "upload_on_save": false,
    "host": "203.0.113.17",
    "user": "plugins",
    ⟦"password": "{weak_pw()}",
    "remote_path": "/public_html/plugins/",
    "connect_timeout": 30
}}
""")
add("site/.ftpconfig", f"""{{
    "protocol": "sftp",
    "host": "deploy.example.org",
    "port": 22,
    "user": "www",
    ⟦"pass": "{human_pw()}",
    "promptForPass": false,
    "remote": "/srv/www",
    "local": "",
    "agent": "",
    "privatekey": "/home/dev/.ssh/deploy_ed25519",
    ⟦"passphrase": "{strong_pw(16)}",
    "hosthash": "",
    "ignorehost": true,
    "connTimeout": 10000,
    "keepalive": 10000,
    "keyboardInteractive": false,
    "remoteCommand": "",
    "remoteShell": "",
    "watch": [],
    "watchTimeout": 500
}}
""")
add("blog/.ftpconfig", f"""{{
    "protocol": "ftp",
    "host": "ftp.blog.example.net",
    "port": 21,
    "user": "blog",
    ⟦"pass": "{weak_pw()}",
    "remote": "/",
    "secure": false,
    "connTimeout": 10000,
    "pasvTimeout": 10000,
    "keepalive": 10000
}}
""")

add("tools/winscp/WinSCP.ini", f"""[Configuration\\Interface]
RandomSeedFile=%APPDATA%\\winscp.rnd
[Sessions\\deploy@web01.example.org]
HostName=web01.example.org
UserName=deploy
⟦Password={winscp_obfuscated(human_pw())}
FSProtocol=2
[Sessions\\backup@nas.local]
HostName=nas.local
PortNumber=2222
UserName=backup
⟦Password={winscp_obfuscated(weak_pw())}
""")

add("games/ventrilo/ventrilo_srv.ini", f"""[Server]
Name=Guild Voice
Phonetic=Guild Voice
Auth=1
Duplicates=1
⟦AdminPassword={human_pw()}
⟦Password={weak_pw()}
SendBuffer=0
RecvBuffer=0
Diag=0
LogonTimeout=5
CloseStd=1
TimeStamp=0
PingRate=10
ExtraBuffer=0
ChanWidth=0
ChanDepth=0
ChanClients=0
DisableQuit=0
VoiceCodec=0
VoiceFormat=1
SilentLobby=0
AutoKick=0
""")
add("games/teamspeak/ts3server.ini", f"""machine_id=
default_voice_port=9987
voice_ip=0.0.0.0
licensepath=
filetransfer_port=30033
filetransfer_ip=0.0.0.0
query_port=10011
query_ip=0.0.0.0
dbplugin=ts3db_mariadb
dbpluginparameter=ts3db_mariadb.ini
dbsqlpath=sql/
dbsqlcreatepath=create_mariadb/
logpath=logs
logquerycommands=0
""")
add("games/teamspeak/ts3db_mariadb.ini", f"""[config]
host=127.0.0.1
port=3306
username=teamspeak
⟦password={human_pw()}
database=ts3
socket=
""")

add("deploy/redis/redis.conf", f"""# Redis configuration file example.
bind 127.0.0.1 -::1
protected-mode yes
port 6379
tcp-backlog 511
timeout 0
tcp-keepalive 300
daemonize no
supervised no
loglevel notice
databases 16
save 3600 1 300 100 60 10000
dbfilename dump.rdb
dir /var/lib/redis
⟦requirepass {human_pw()}
⟦masterauth {strong_pw(22)}
maxmemory 2gb
maxmemory-policy allkeys-lru
appendonly yes
""")
add("deploy/redis/users.acl", f"""user default off
⟦user app on >{strong_pw(20)} ~app:* +@all -@dangerous
⟦user metrics on >{weak_pw()} ~* +info +ping
user readonly on nopass ~cache:* +get
""")
add("ops/redis/sentinel.conf", f"""port 26379
sentinel monitor mymaster 10.0.0.5 6379 2
⟦sentinel auth-pass mymaster {human_pw()}
sentinel down-after-milliseconds mymaster 5000
sentinel failover-timeout mymaster 60000
""")

def docker_auth(user, pw):
    return base64.b64encode(f"{user}:{pw}".encode()).decode()

add("home/dave/.docker/config.json", f"""{{
	"auths": {{
		"ghcr.io": {{
			⟦"auth": "{docker_auth('dave', ghp())}"
		}},
		"registry.gitlab.example.org:5050": {{
			⟦"auth": "{docker_auth('dave', human_pw())}"
		}},
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com": {{
			⟦"auth": "{docker_auth('AWS', b64(600))}"
		}}
	}},
	"currentContext": "default"
}}
""")
add("ci/docker/config.json", f"""{{
  "auths": {{
    "https://index.docker.io/v1/": {{
      ⟦"auth": "{docker_auth('ci-bot', strong_pw(20))}"
    }},
    "quay.io": {{
      ⟦"auth": "{docker_auth('org+builder', rnd(64, string.ascii_uppercase + string.digits))}"
    }},
    "harbor.internal.example.org": {{
      ⟦"auth": "{docker_auth('robot$ci', rnd(32))}"
    }}
  }}
}}
""")
add("legacy/.dockercfg", f"""{{"registry.example.com:5000":{{"auth":"⟦{docker_auth('build', weak_pw())}","email":"build@example.com"}}}}
""")

def tfstate(resources):
    return json.dumps({"version": 4, "terraform_version": "1.7.5", "serial": 42,
                       "lineage": uuid(), "outputs": {}, "resources": resources, "check_results": None}, indent=2, ensure_ascii=False) + "\n"

add("infra/prod/terraform.tfstate", tfstate([
    {"mode": "managed", "type": "random_password", "name": "db", "provider": "provider[\"registry.terraform.io/hashicorp/random\"]",
     "instances": [{"schema_version": 3, "attributes": {"bcrypt_hash": "⟦" + bcrypt(), "id": "none", "keepers": None, "length": 24,
                                                         "lower": True, "min_lower": 0, "min_numeric": 0, "min_special": 0, "min_upper": 0,
                                                         "number": True, "numeric": True, "override_special": None,
                                                         "result": "⟦" + strong_pw(24), "special": True, "upper": True},
                    "sensitive_attributes": [[{"type": "get_attr", "value": "result"}], [{"type": "get_attr", "value": "bcrypt_hash"}]]}]},
    {"mode": "managed", "type": "aws_iam_access_key", "name": "ses", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
     "instances": [{"schema_version": 0, "attributes": {"create_date": "2024-03-01T10:00:00Z", "encrypted_secret": None,
                                                         "encrypted_ses_smtp_password_v4": None, "id": "⟦" + aws_key_id(),
                                                         "key_fingerprint": None, "pgp_key": None,
                                                         "secret": "⟦" + aws_secret(),
                                                         "ses_smtp_password_v4": "⟦" + "B" + rnd(43, ALNUM + "/+"),
                                                         "status": "Active", "user": "ses-sender"},
                    "sensitive_attributes": [[{"type": "get_attr", "value": "secret"}], [{"type": "get_attr", "value": "ses_smtp_password_v4"}]]}]},
]))
add("infra/bastion/terraform.tfstate", tfstate([
    {"mode": "managed", "type": "tls_private_key", "name": "bastion", "provider": "provider[\"registry.terraform.io/hashicorp/tls\"]",
     "instances": [{"schema_version": 1, "attributes": {"algorithm": "ED25519", "ecdsa_curve": "P224", "id": hexs(40),
                                                         "private_key_openssh": "⟦-----BEGIN OPENSSH PRIVATE KEY-----\n" + b64(300) + "\n-----END OPENSSH PRIVATE KEY-----\n",
                                                         "private_key_pem": "⟦-----BEGIN PRIVATE KEY-----\n" + b64(48) + "\n-----END PRIVATE KEY-----\n",
                                                         "private_key_pem_pkcs8": "⟦-----BEGIN PRIVATE KEY-----\n" + b64(48) + "\n-----END PRIVATE KEY-----\n",
                                                         "public_key_fingerprint_md5": ":".join(hexs(2) for _ in range(16)),
                                                         "public_key_openssh": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + b64(32).rstrip("=") + "\n",
                                                         "public_key_pem": "-----BEGIN PUBLIC KEY-----\n" + b64(44) + "\n-----END PUBLIC KEY-----\n",
                                                         "rsa_bits": 2048},
                    "sensitive_attributes": [[{"type": "get_attr", "value": "private_key_pem"}]]}]},
]))
add("infra/network/terraform.tfstate", tfstate([
    {"mode": "managed", "type": "aws_vpc", "name": "main", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
     "instances": [{"schema_version": 1, "attributes": {"arn": "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b2c3d4e5f67890",
                                                         "cidr_block": "10.0.0.0/16", "id": "vpc-0a1b2c3d4e5f67890",
                                                         "owner_id": "123456789012", "tags": {"Name": "main"}},
                    "sensitive_attributes": []}]},
]))

logins = {"nextId": 4, "logins": [
    {"id": i, "hostname": h, "httpRealm": None, "formSubmitURL": h, "usernameField": "username", "passwordField": "password",
     "encryptedUsername": "MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA" + b64(18),
     "encryptedPassword": "MEIEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECB" + b64(26),
     "guid": "{" + uuid() + "}", "encType": 1, "timeCreated": 1700000000000 + i, "timeLastUsed": 1700000000000 + i,
     "timePasswordChanged": 1700000000000 + i, "timesUsed": i}
    for i, h in enumerate(["https://mail.example.org", "https://intranet.example.org", "https://bank.example.com"], 1)],
    "potentiallyVulnerablePasswords": [], "dismissedBreachAlertsByLoginGUID": {}, "version": 3}
add("home/erin/.mozilla/firefox/k3j2h1.default-release/logins.json", "⟦" + json.dumps(logins, separators=(",", ":"), ensure_ascii=False))

add("home/frank/.netrc", f"""machine api.heroku.com
  login frank@example.org
  ⟦password {uuid()}
machine git.heroku.com
  login frank@example.org
  ⟦password {uuid()}
""")
add("ci/.netrc", f"""⟦machine github.com login ci-bot password {ghp()}
""")
add("home/frank/.git-credentials", f"""⟦https://frank:{ghp()}@github.com
⟦https://frank.b:{glpat()}@gitlab.example.org
""")
add("deploy/.git-credentials", f"""⟦https://x-token-auth:{rnd(32)}@bitbucket.org
""")

# ---- Framework secrets ----------------------------------------------------------------------------

def wp_config(db_pw, salts=True):
    lines = ["<?php", "/**", " * The base configuration for WordPress", " *", " * @package WordPress", " */", "",
             "// ** Database settings - You can get this info from your web host ** //",
             "/** The name of the database for WordPress */", "define( 'DB_NAME', 'wordpress' );", "",
             "/** Database username */", "define( 'DB_USER', 'wp_user' );", "",
             "/** Database password */", f"⟦define( 'DB_PASSWORD', '{db_pw}' );", "",
             "/** Database hostname */", "define( 'DB_HOST', 'localhost' );", "",
             "/** Database charset to use in creating database tables. */", "define( 'DB_CHARSET', 'utf8mb4' );", "",
             "/** The database collate type. Don't change this if in doubt. */", "define( 'DB_COLLATE', '' );", "",
             "/**#@+", " * Authentication unique keys and salts.", " */"]
    for k in ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]:
        pad = " " * (17 - len(k))
        lines.append(f"⟦define( '{k}',{pad}'{wp_salt()}' );")
    lines += ["", "/**#@-*/", "", "$table_prefix = 'wp_';", "", "define( 'WP_DEBUG', false );", "",
              "/* That's all, stop editing! Happy publishing. */", "",
              "/** Absolute path to the WordPress directory. */", "if ( ! defined( 'ABSPATH' ) ) {",
              "\tdefine( 'ABSPATH', __DIR__ . '/' );", "}", "", "require_once ABSPATH . 'wp-settings.php';", ""]
    return "\n".join(lines)

add("www/shop/wp-config.php", wp_config(human_pw()))
add("www/blog/wp-config.php", wp_config(weak_pw()))
add("www/blog/wp-config-sample.php", wp_config("password_here").replace("⟦", "").replace("'" , "'"))
# The sample's salts must be the placeholder WordPress ships.
FILES["www/blog/wp-config-sample.php"] = "\n".join(
    (l.split(",")[0] + ", 'put your unique phrase here' );") if l.startswith("define( '") and ("KEY" in l or "SALT" in l) else l
    for l in FILES["www/blog/wp-config-sample.php"].split("\n"))

add("backend/mysite/settings.py", f'''"""
Django settings for mysite project.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
⟦SECRET_KEY = '{django_key()}'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

ALLOWED_HOSTS = ["mysite.example.org"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "shop",
]

DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mysite",
        "USER": "mysite",
        ⟦"PASSWORD": "{human_pw()}",
        "HOST": "db",
        "PORT": "5432",
    }}
}}

EMAIL_HOST = "smtp.example.org"
EMAIL_HOST_USER = "noreply@example.org"
⟦EMAIL_HOST_PASSWORD = "{strong_pw(16)}"
''')
add("services/cms/cms/settings/production.py", f'''from .base import *  # noqa

⟦SECRET_KEY = "{rnd(50, string.ascii_letters + string.digits + "!@#%^&*(-_=+)")}"
DEBUG = False
ALLOWED_HOSTS = ["cms.example.org"]
''')
add("services/cms/cms/settings/base.py", '''import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DB_NAME", "cms"),
        "PASSWORD": os.environ.get("DB_PASSWORD", ""),
    }
}
''')

add("rails/config/master.key", f"⟦{hexs(32)}")
add("rails/config/secrets.yml", f"""# Be sure to restart your server when you modify this file.
development:
  ⟦secret_key_base: {hexs(128)}

test:
  ⟦secret_key_base: {hexs(128)}

production:
  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>
""")
add("legacy-rails/config/initializers/secret_token.rb", f"""# Be sure to restart your server when you modify this file.
⟦Legacy::Application.config.secret_key_base = '{hexs(128)}'
""")

add("laravel/.env", f"""APP_NAME=Shop
APP_ENV=production
⟦APP_KEY=base64:{b64(32)}
APP_DEBUG=false
APP_URL=https://shop.example.org

LOG_CHANNEL=stack

DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_PORT=3306
DB_DATABASE=shop
DB_USERNAME=shop
⟦DB_PASSWORD={human_pw()}

MAIL_MAILER=smtp
MAIL_HOST=smtp.mailgun.org
MAIL_PORT=587
MAIL_USERNAME=postmaster@mg.example.org
⟦MAIL_PASSWORD={hexs(32)}-{hexs(8)}-{hexs(8)}
""")
add("laravel/.env.example", """APP_NAME=Laravel
APP_ENV=local
APP_KEY=
APP_DEBUG=true
APP_URL=http://localhost

DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_PORT=3306
DB_DATABASE=laravel
DB_USERNAME=root
DB_PASSWORD=

MAIL_MAILER=smtp
MAIL_HOST=mailpit
MAIL_PASSWORD=null
""")
add("laravel-api/config/app.php", f"""<?php

return [
    'name' => env('APP_NAME', 'Laravel'),
    'env' => env('APP_ENV', 'production'),
    ⟦'key' => env('APP_KEY', 'base64:{b64(32)}'),
    'cipher' => 'AES-256-CBC',
];
""")

add("billing/src/main/resources/application.properties", f"""spring.application.name=billing
server.port=8080
spring.datasource.url=jdbc:postgresql://billing-db:5432/billing
spring.datasource.username=billing
⟦spring.datasource.password={human_pw()}
spring.jpa.hibernate.ddl-auto=validate
spring.mail.host=smtp.example.org
spring.mail.username=billing@example.org
⟦spring.mail.password={strong_pw(14)}
management.endpoints.web.exposure.include=health,info
""")
add("inventory/src/main/resources/application.yml", f"""spring:
  application:
    name: inventory
  datasource:
    url: jdbc:mysql://inventory-db:3306/inventory?useSSL=true
    username: inventory
    ⟦password: {weak_pw()}
  rabbitmq:
    host: rabbit
    username: inventory
    ⟦password: {human_pw()}
server:
  port: 8081
""")
add("inventory/src/main/resources/application-local.yml", """spring:
  datasource:
    url: jdbc:h2:mem:inventory
    username: sa
    password: ${DB_PASSWORD:}
""")

add("Api/appsettings.json", f"""{{
  "Logging": {{
    "LogLevel": {{
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }}
  }},
  "ConnectionStrings": {{
    ⟦"DefaultConnection": "Server=sql.prod.example.org;Database=Orders;User Id=orders_app;Password={human_pw()};TrustServerCertificate=True",
    ⟦"Reporting": "Data Source=10.0.4.20;Initial Catalog=Reports;uid=report;pwd={strong_pw(14)};"
  }},
  "Jwt": {{
    "Issuer": "https://api.example.org",
    "Audience": "orders",
    ⟦"Key": "{b64(48)}"
  }},
  "AllowedHosts": "*"
}}
""")
add("Web/appsettings.Production.json", f"""{{
  "ConnectionStrings": {{
    ⟦"Default": "Host=pg.example.org;Port=5432;Database=web;Username=web;Password={weak_pw()}"
  }},
  "JwtSettings": {{
    ⟦"SecretKey": "{rnd(64)}",
    "ExpiryMinutes": 60
  }}
}}
""")
add("Web/appsettings.Development.json", """{
  "ConnectionStrings": {
    "Default": "Server=(localdb)\\\\mssqllocaldb;Database=Web;Trusted_Connection=True;MultipleActiveResultSets=true"
  },
  "Logging": { "LogLevel": { "Default": "Debug" } }
}
""")
add("LegacyWeb/Web.config", f"""<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    ⟦<add name="Main" connectionString="Data Source=sql01;Initial Catalog=Legacy;User ID=legacy;Password={human_pw()}" providerName="System.Data.SqlClient" />
  </connectionStrings>
  <system.web>
    <compilation debug="false" targetFramework="4.8" />
    ⟦<machineKey validationKey="{hexs(128).upper()}" decryptionKey="{hexs(48).upper()}" validation="HMACSHA256" decryption="AES" />
  </system.web>
  <runtime>
    <assemblyBinding xmlns="urn:schemas-microsoft-com:asm.v1">
      <dependentAssembly>
        <assemblyIdentity name="System.Web.Helpers" publicKeyToken="31bf3856ad364e35" />
        <bindingRedirect oldVersion="1.0.0.0-3.0.0.0" newVersion="3.0.0.0" />
      </dependentAssembly>
      <dependentAssembly>
        <assemblyIdentity name="Newtonsoft.Json" publicKeyToken="30ad4fe6b2a6aeed" culture="neutral" />
        <bindingRedirect oldVersion="0.0.0.0-13.0.0.0" newVersion="13.0.0.0" />
      </dependentAssembly>
    </assemblyBinding>
  </runtime>
</configuration>
""")

FLASK_KEY = "".join("\\x%02x" % R.getrandbits(8) for _ in range(16))
add("webapp/config.py", f'''import os


class Config:
    ⟦SECRET_KEY = b"{FLASK_KEY}"
    SQLALCHEMY_TRACK_MODIFICATIONS = False


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
''')
add("webapp/app.py", f'''from flask import Flask

app = Flask(__name__)
⟦app.secret_key = b"{rnd(24)}"


@app.route("/")
def index():
    return "ok"
''')

add("api/src/config.js", f"""module.exports = {{
  port: process.env.PORT || 3000,
  ⟦jwtSecret: process.env.JWT_SECRET || '{rnd(32)}',
  ⟦sessionSecret: process.env.SESSION_SECRET || "{human_pw()}",
  mongoUrl: process.env.MONGO_URL || 'mongodb://localhost:27017/api',
  logLevel: process.env.LOG_LEVEL || 'info',
}};
""")
add("worker/src/settings.ts", f"""export const settings = {{
  queue: process.env.QUEUE_NAME ?? 'jobs',
  ⟦stripeKey: process.env.STRIPE_SECRET_KEY ?? '{stripe_live()}',
  ⟦smtpPassword: process.env.SMTP_PASSWORD || `{strong_pw(16)}`,
  concurrency: Number(process.env.CONCURRENCY ?? 4),
}};
""")

add("scripts/send_report.py", f'''import smtplib
from email.message import EmailMessage

SMTP_USER = "reports@example.org"
⟦SMTP_APP_PASSWORD = "{" ".join(rnd(4, string.ascii_lowercase) for _ in range(4))}"


def send(body):
    msg = EmailMessage()
    msg["Subject"] = "Weekly report"
    msg["From"] = SMTP_USER
    msg["To"] = "team@example.org"
    msg.set_content(body)
    with smtplib.SMTP_SSL("smtp.gmail.com", 465) as s:
        s.login(SMTP_USER, SMTP_APP_PASSWORD)
        s.send_message(msg)
''')
add("home/gina/.config/msmtp/config", f"""defaults
auth on
tls on
tls_trust_file /etc/ssl/certs/ca-certificates.crt

account gmail
host smtp.gmail.com
port 587
from gina@example.org
user gina@example.org
⟦password {" ".join(rnd(4, string.ascii_lowercase) for _ in range(4))}

account default : gmail
""")

# ---- Provider tokens and data -------------------------------------------------------------------

add("db/dump/users.sql", f"""-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------

DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `email` varchar(255) NOT NULL,
  `password_hash` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `users` WRITE;
⟦INSERT INTO `users` VALUES (1,'admin@example.org','{bcrypt_y()}'),(2,'ops@example.org','{bcrypt_y()}');
UNLOCK TABLES;
""")
add("db/dump/auth.sql", f"""--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';

CREATE TABLE public.accounts (
    id integer NOT NULL,
    username character varying(64) NOT NULL,
    password character varying(255) NOT NULL
);

COPY public.accounts (id, username, password) FROM stdin;
⟦1	admin	{argon2()}
⟦2	support	{argon2()}
\\.
""")
add("db/migrations/0003_seed_admin.sql", f"""-- Seed the first administrator.
⟦INSERT INTO admins (login, password) VALUES ('root', '{bcrypt()}');
""")
add("db/dump/mysql-users.sql", f"""-- Users and grants
⟦CREATE USER 'app'@'%' IDENTIFIED BY '{human_pw()}';
GRANT SELECT, INSERT, UPDATE, DELETE ON shop.* TO 'app'@'%';
⟦CREATE USER 'repl'@'10.0.%' IDENTIFIED WITH mysql_native_password AS '{mysql_hash()}';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'10.0.%';
⟦ALTER USER 'root'@'localhost' IDENTIFIED BY '{weak_pw()}';
⟦INSERT INTO `user` VALUES ('localhost','backup','{mysql_hash()}','Y','N','N');
FLUSH PRIVILEGES;
""")
add("deploy/mysql/init/01-users.sql", f"""⟦GRANT ALL PRIVILEGES ON wordpress.* TO 'wp'@'%' IDENTIFIED BY '{weak_pw()}';
FLUSH PRIVILEGES;
""")

add("ops/vault/README.md", f"""# Vault (staging)

Initialised on 2023-06-02. Keep this file private.

```
⟦Unseal Key 1: {b64(33)}
⟦Unseal Key 2: {b64(33)}
⟦Unseal Key 3: {b64(33)}

⟦Initial Root Token: {vault_legacy()}
```
""")
add("ops/vault/agent.hcl", f"""vault {{
  address = "https://vault.example.org:8200"
}}

auto_auth {{
  method "token_file" {{
    config = {{
      token_file_path = "/etc/vault/token"
    }}
  }}
}}
""")
add("scripts/vault-login.sh", f"""#!/bin/sh
set -e
export VAULT_ADDR=https://vault.example.org:8200
⟦export VAULT_TOKEN={vault_legacy()}
vault kv get secret/app
""")
add("scripts/vault-ci.sh", f"""#!/bin/sh
⟦VAULT_TOKEN="{vault_hvs()}" vault read -field=password database/creds/ci
""")

add("auth/jwt.go", f"""package auth

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

⟦var signingKey = []byte("{rnd(32)}")

func Sign(sub string) (string, error) {{
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()}})
	return t.SignedString(signingKey)
}}
""")
add("internal/session/store.go", f"""package session

import "github.com/gorilla/sessions"

⟦var Store = sessions.NewCookieStore([]byte("{human_pw()}{rnd(8)}"))
""")

dcj = base64.b64encode(json.dumps({"auths": {"registry.example.org": {"username": "puller", "password": strong_pw(20),
                                                                         "auth": docker_auth("puller", strong_pw(20))}}}).encode()).decode()
add("k8s/base/regcred.yaml", f"""apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: shop
type: kubernetes.io/dockerconfigjson
data:
  ⟦.dockerconfigjson: {dcj}
""")
add("k8s/base/app-secret.yaml", f"""apiVersion: v1
kind: Secret
metadata:
  name: app
type: Opaque
stringData:
  ⟦DATABASE_PASSWORD: "{human_pw()}"
  DATABASE_USER: app
""")

add("charts/rabbitmq/values-prod.yaml", f"""replicaCount: 3
auth:
  username: admin
  ⟦password: "{strong_pw(18)}"
  ⟦erlangCookie: "{rnd(32, string.ascii_uppercase)}"
persistence:
  enabled: true
  size: 20Gi
""")
add("charts/mongodb/values.yaml", f"""architecture: replicaset
auth:
  enabled: true
  ⟦rootPassword: "{human_pw()}"
  usernames: [app]
  ⟦passwords: ["{strong_pw(16)}"]
  databases: [app]
  ⟦replicaSetKey: {rnd(40)}
""")
add("charts/mongodb/values.schema.json", """{
  "$schema": "http://json-schema.org/schema#",
  "type": "object",
  "properties": {
    "auth": {
      "type": "object",
      "properties": {
        "rootPassword": { "type": "string", "title": "MongoDB root password", "form": true },
        "erlangCookie": { "type": "string", "description": "leave empty to generate one" }
      }
    }
  }
}
""")
add("compose/cache/docker-compose.yml", f"""services:
  redis:
    image: redis:7.2-alpine
    ⟦command: redis-server --appendonly yes --requirepass {human_pw()}
    ports:
      - "6379:6379"
  app:
    image: registry.example.org/shop/app:1.4.2
    environment:
      REDIS_URL: redis://redis:6379/0
""")
add("compose/db/docker-compose.yml", f"""services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: shop
      ⟦POSTGRES_PASSWORD: {weak_pw()}
  mysql:
    image: mysql:8.4
    ⟦command: ["mysqld", "--default-authentication-plugin=mysql_native_password"]
    environment:
      ⟦MYSQL_ROOT_PASSWORD: "{human_pw()}"
""".replace("⟦command", "command"))

add("scripts/deploy.sh", f"""#!/usr/bin/env bash
set -euo pipefail
⟦export AWS_ACCESS_KEY_ID={aws_key_id()}
⟦export AWS_SECRET_ACCESS_KEY={aws_secret()}
aws s3 sync ./dist s3://shop-assets --delete
""")
add("tools/release.py", f'''import requests

⟦GITHUB_TOKEN = "{ghp()}"
⟦GITLAB_TOKEN = "{glpat()}"


def release(tag):
    requests.post("https://api.github.com/repos/acme/shop/releases",
                  headers={{"Authorization": f"token {{GITHUB_TOKEN}}"}}, json={{"tag_name": tag}})
''')
add("notify/slack.js", f"""const {{ WebClient }} = require('@slack/web-api');
⟦const web = new WebClient('{slack_bot()}');
⟦const webhook = 'https://hooks.slack.com/services/T{rnd(8, string.ascii_uppercase + string.digits)}/B{rnd(10, string.ascii_uppercase + string.digits)}/{rnd(24)}';
module.exports = {{ web, webhook }};
""")
add("payments/stripe.rb", f"""require 'stripe'
⟦Stripe.api_key = '{stripe_live()}'
""")
add("mail/sendgrid.php", f"""<?php
⟦$sendgrid = new \\SendGrid('{sendgrid()}');
""")
add(".npmrc", f"""registry=https://registry.npmjs.org/
⟦//registry.npmjs.org/:_authToken={npm_token()}
always-auth=true
""")
add("home/hank/.pypirc", f"""[distutils]
index-servers =
    pypi

[pypi]
username = __token__
⟦password = {pypi_token()}
""")
add("ml/notebook_config.py", f'''import os
⟦os.environ["OPENAI_API_KEY"] = "{openai()}"
⟦os.environ["ANTHROPIC_API_KEY"] = "{anthropic()}"
''')
add("mobile/android/app/src/main/res/values/keys.xml", f"""<?xml version="1.0" encoding="utf-8"?>
<resources>
    ⟦<string name="google_maps_key" translatable="false">{google_api()}</string>
</resources>
""")
add("sms/twilio_config.json", f"""{{
  "accountSid": "{twilio_sid()}",
  ⟦"authToken": "{hexs(32)}",
  "from": "+15005550006"
}}
""")
add("certs/server.key", "⟦-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(b64(48) for _ in range(20)) + "\n-----END RSA PRIVATE KEY-----\n")
add("home/ivan/.ssh/id_ed25519", "⟦-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(b64(51) for _ in range(5)) + "\n-----END OPENSSH PRIVATE KEY-----\n")
add("home/ivan/.ssh/id_ed25519.pub", f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{b64(32).rstrip('=')} ivan@laptop\n")
add("deploy/kubeconfig", f"""apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: {b64(600)}
    server: https://k8s.example.org:6443
  name: prod
contexts:
- context:
    cluster: prod
    user: deployer
  name: prod
current-context: prod
users:
- name: deployer
  user:
    ⟦token: eyJhbGciOiJSUzI1NiIsImtpZCI6Ik{rnd(40)}.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Ii{rnd(120)}.{rnd(86, ALNUM + '-_')}
""")
add("config/database.yml", f"""default: &default
  adapter: postgresql
  encoding: unicode
  pool: 5

production:
  <<: *default
  ⟦url: postgres://shop:{human_pw()}@pg.prod.example.org:5432/shop
""")
add("config/mongo.env", f"""⟦MONGO_URI=mongodb+srv://app:{strong_pw(16).replace('#','x').replace('%','y')}@cluster0.ab1cd.mongodb.net/app?retryWrites=true
""")
add("services/search/elastic.yml", f"""elasticsearch:
  hosts: ["https://es.example.org:9200"]
  username: elastic
  ⟦password: {rnd(20)}
""")
add("ansible/group_vars/all/vars.yml", f"""---
ntp_servers: [0.pool.ntp.org, 1.pool.ntp.org]
⟦mysql_root_password: {human_pw()}
⟦grafana_admin_password: "{weak_pw()}"
app_user: deploy
""")
add("ansible/group_vars/all/vault.yml", """$ANSIBLE_VAULT;1.1;AES256
62313365396662343061393464336163383764373764613633653634306231386433626436623361
6132653230656139386534613132353737633835666164620a376331653764386536343664663937
33343331383565303836643636353964396236663865656231333633653965626263383132303233
""")
add("monitoring/grafana.ini", f"""[server]
http_port = 3000
[security]
admin_user = admin
⟦admin_password = {human_pw()}
⟦secret_key = {rnd(32)}
[smtp]
enabled = true
host = smtp.example.org:587
""")
add("jenkins/credentials.properties", f"""⟦nexus.password={strong_pw(16)}
nexus.user=deployer
⟦sonar.token=squ_{hexs(40)}
""")
add("ops/kafka/client.properties", f"""bootstrap.servers=kafka-1.example.org:9093
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
⟦sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="svc-orders" password="{human_pw()}";
""")
add("ops/openvpn/auth.txt", f"""vpnuser
⟦{human_pw()}
""")
add("ops/rsync/rsyncd.secrets", f"""⟦backup:{weak_pw()}
⟦mirror:{strong_pw(14)}
""")
add("ops/htpasswd/.htpasswd", f"""⟦admin:$apr1${rnd(8, ALNUM)}${rnd(22, ALNUM + './')}
⟦editor:{bcrypt_y()}
""")
add("ops/smb/credentials", f"""username=fileshare
⟦password={human_pw()}
domain=CORP
""")
add("home/jack/.s3cfg", f"""[default]
⟦access_key = {aws_key_id()}
⟦secret_key = {aws_secret()}
host_base = s3.amazonaws.com
use_https = True
""")
add("home/jack/.aws/credentials", f"""[default]
⟦aws_access_key_id = {aws_key_id()}
⟦aws_secret_access_key = {aws_secret()}

[staging]
⟦aws_access_key_id = {aws_key_id()}
⟦aws_secret_access_key = {aws_secret()}
""")
add("gcp/service-account.json", json.dumps({
    "type": "service_account", "project_id": "shop-prod-3141", "private_key_id": hexs(40),
    "private_key": "⟦-----BEGIN PRIVATE KEY-----\n" + b64(60) + "\n-----END PRIVATE KEY-----\n",
    "client_email": "deployer@shop-prod-3141.iam.gserviceaccount.com", "client_id": str(R.randint(10**20, 10**21)),
    "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
}, indent=2, ensure_ascii=False) + "\n")
add("azure/storage.env", f"""⟦AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=shopassets;AccountKey={b64(64)};EndpointSuffix=core.windows.net
""")
add("php/config/parameters.yml", f"""parameters:
    database_host: 127.0.0.1
    database_name: symfony
    database_user: symfony
    ⟦database_password: {human_pw()}
    ⟦secret: {hexs(40)}
""")
add("symfony/.env.local", f"""⟦APP_SECRET={hexs(32)}
⟦DATABASE_URL="postgresql://app:{weak_pw()}@127.0.0.1:5432/app?serverVersion=16&charset=utf8"
""")

# ---- Decoys: look like secrets, are not -----------------------------------------------------------

add("symfony/.env", """# In all environments, the following files are loaded if they exist,
# the latter taking precedence over the former:
#
#  * .env                contains default values for the environment variables needed by the app
#  * .env.local          uncommitted file with local overrides

###> symfony/framework-bundle ###
APP_ENV=dev
APP_SECRET=
###< symfony/framework-bundle ###

###> doctrine/doctrine-bundle ###
DATABASE_URL="postgresql://app:!ChangeMe!@127.0.0.1:5432/app?serverVersion=16&charset=utf8"
###< doctrine/doctrine-bundle ###

###> symfony/messenger ###
MESSENGER_TRANSPORT_DSN=doctrine://default?auto_setup=0
###< symfony/messenger ###

###> symfony/mailer ###
MAILER_DSN=null://null
###< symfony/mailer ###

###> symfony/lock ###
LOCK_DSN=flock
###< symfony/lock ###
""")
add("symfony/compose.yaml", """services:
###> doctrine/doctrine-bundle ###
  database:
    image: postgres:${POSTGRES_VERSION:-16}-alpine
    environment:
      POSTGRES_DB: ${POSTGRES_DB:-app}
      # You should definitely change the password in production
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-!ChangeMe!}
      POSTGRES_USER: ${POSTGRES_USER:-app}
###< doctrine/doctrine-bundle ###
""")
add("ops/kafka/client.properties.template", """bootstrap.servers=kafka:9093
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="REPLACEME" password="REPLACEME";
""")
add("ops/kafka/connect-distributed.properties", """bootstrap.servers=localhost:9092
group.id=connect-cluster
key.converter=org.apache.kafka.connect.json.JsonConverter
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${file:/opt/secrets/kafka.properties:user}" password="${file:/opt/secrets/kafka.properties:password}";
""")
add("LegacyWeb/packages.config", """<?xml version="1.0" encoding="utf-8"?>
<packages>
  <package id="Microsoft.AspNet.Mvc" version="5.2.9" targetFramework="net48" />
  <package id="Newtonsoft.Json" version="13.0.3" targetFramework="net48" />
</packages>
""")
add("LegacyWeb/Views/Web.config", """<?xml version="1.0"?>
<configuration>
  <configSections>
    <sectionGroup name="system.web.webPages.razor" type="System.Web.WebPages.Razor.Configuration.RazorWebSectionGroup, System.Web.WebPages.Razor, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31BF3856AD364E35">
      <section name="host" type="System.Web.WebPages.Razor.Configuration.HostSection, System.Web.WebPages.Razor, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31BF3856AD364E35" requirePermission="false" />
      <section name="pages" type="System.Web.WebPages.Razor.Configuration.RazorPagesSection, System.Web.WebPages.Razor, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31BF3856AD364E35" requirePermission="false" />
    </sectionGroup>
  </configSections>
  <system.web.webPages.razor>
    <host factoryType="System.Web.Mvc.MvcWebRazorHostFactory, System.Web.Mvc, Version=5.2.9.0, Culture=neutral, PublicKeyToken=31BF3856AD364E35" />
  </system.web.webPages.razor>
</configuration>
""")
add("Desktop/App.config", """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <startup><supportedRuntime version="v4.0" sku=".NETFramework,Version=v4.8" /></startup>
  <runtime>
    <assemblyBinding xmlns="urn:schemas-microsoft-com:asm.v1">
      <dependentAssembly>
        <assemblyIdentity name="System.Runtime.CompilerServices.Unsafe" publicKeyToken="b03f5f7f11d50a3a" culture="neutral" />
        <bindingRedirect oldVersion="0.0.0.0-6.0.0.0" newVersion="6.0.0.0" />
      </dependentAssembly>
      <dependentAssembly>
        <assemblyIdentity name="System.Memory" publicKeyToken="cc7b13ffcd2ddd51" culture="neutral" />
        <bindingRedirect oldVersion="0.0.0.0-4.0.1.2" newVersion="4.0.1.2" />
      </dependentAssembly>
      <dependentAssembly>
        <assemblyIdentity name="System.Buffers" publicKeyToken="cc7b13ffcd2ddd51" culture="neutral" />
      </dependentAssembly>
    </assemblyBinding>
  </runtime>
  <connectionStrings>
    <add name="Local" connectionString="Data Source=.\\SQLEXPRESS;Initial Catalog=Desktop;Integrated Security=True" providerName="System.Data.SqlClient" />
  </connectionStrings>
</configuration>
""")
add("docker/web/Dockerfile", """FROM node:20-alpine AS build
ARG NPM_TOKEN
WORKDIR /app
COPY .npmrc package.json package-lock.json ./
RUN npm ci && rm -f .npmrc
COPY . .
RUN npm run build

FROM nginx:1.27-alpine
COPY --from=build /app/dist /usr/share/nginx/html
""")
add("docker/api/Dockerfile", """FROM python:3.12-slim
ARG PIP_EXTRA_INDEX_URL
ENV PYTHONDONTWRITEBYTECODE=1
RUN --mount=type=secret,id=pip_token PIP_INDEX_URL=$(cat /run/secrets/pip_token) pip install -r requirements.txt
COPY . /app
CMD ["gunicorn", "app:app"]
""")
add("docs/payments.md", """# Payments

In test mode use Stripe's documentation key:

```ruby
Stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'
```

AWS examples use the documented pair `AKIAIOSFODNN7EXAMPLE` / `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.
""")
add("docs/setup.md", """# Setup

1. Create `~/.pgpass` with a line `hostname:port:database:username:password` and `chmod 600` it.
2. Put your token in `~/.npmrc`: `//registry.npmjs.org/:_authToken=${NPM_TOKEN}`.
3. Export `VAULT_TOKEN=<your token>` before running `make deploy`.
4. Set `password=<your-password>` in `~/.my.cnf`.
""")
add("package-lock.json", json.dumps({
    "name": "shop", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "shop", "version": "1.0.0", "dependencies": {"express": "^4.19.2"}},
        "node_modules/express": {"version": "4.19.2", "resolved": "https://registry.npmjs.org/express/-/express-4.19.2.tgz",
                                 "integrity": "sha512-" + b64(64)},
        "node_modules/accepts": {"version": "1.3.8", "resolved": "https://registry.npmjs.org/accepts/-/accepts-1.3.8.tgz",
                                 "integrity": "sha512-" + b64(64)},
    }}, indent=2, ensure_ascii=False) + "\n")
add("go.sum", "".join(f"github.com/acme/mod{i} v1.{i}.0 h1:{b64(32)}\ngithub.com/acme/mod{i} v1.{i}.0/go.mod h1:{b64(32)}\n" for i in range(8)))
add("dist/SHA256SUMS", "".join(f"{hexs(64)}  vigie-{a}.tar.gz\n" for a in ["linux-amd64", "linux-arm64", "darwin-arm64"]))
add("web/index.html", f"""<!doctype html>
<html>
<head>
  <script src="https://cdn.example.org/lib.js" integrity="sha384-{b64(48)}" crossorigin="anonymous"></script>
  <meta name="csrf-token" content="{{{{ csrf_token() }}}}">
</head>
<body><img alt="" src="data:image/png;base64,{b64(120)}"></body>
</html>
""")
add("charts/app/values.yaml", """image:
  repository: registry.example.org/shop/app
  tag: "1.4.2"
postgresql:
  auth:
    username: app
    password: ""
    existingSecret: app-db
redis:
  auth:
    password: "{{ .Values.global.redisPassword }}"
rabbitmq:
  auth:
    erlangCookie: ""
""")
add("charts/app/templates/secret.yaml", """apiVersion: v1
kind: Secret
metadata:
  name: {{ include "app.fullname" . }}
type: Opaque
data:
  password: {{ .Values.password | b64enc | quote }}
  api-key: {{ required "apiKey is required" .Values.apiKey | b64enc }}
""")
add("terraform/modules/db/variables.tf", """variable "db_password" {
  description = "Password of the master user"
  type        = string
  sensitive   = true
}

variable "api_token" {
  type      = string
  sensitive = true
  default   = null
}
""")
add("terraform/modules/db/main.tf", """resource "random_password" "master" {
  length  = 24
  special = true
}

resource "aws_db_instance" "this" {
  identifier = "orders"
  engine     = "postgres"
  username   = "orders"
  password   = random_password.master.result
}
""")
add("deploy/redis/redis-default.conf", """bind 127.0.0.1
port 6379
# Require clients to issue AUTH <PASSWORD> before processing any other commands.
# requirepass foobared
# masterauth <master-password>
""")
add("home/kim/.docker/config.json", """{
	"auths": {
		"ghcr.io": {},
		"https://index.docker.io/v1/": {}
	},
	"credsStore": "desktop",
	"currentContext": "desktop-linux"
}
""")
add("ops/etc/passwd", """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
deploy:x:1000:1000:Deploy,,,:/home/deploy:/bin/bash
""")
add("images/minimal/etc/shadow", """root:*:19527:0:99999:7:::
daemon:*:19527:0:99999:7:::
nobody:!:19527:0:99999:7:::
app:!!:19527::::::
""")
add("src/test/java/com/example/HashTest.java", """package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HashTest {
    @org.junit.jupiter.api.Test
    void sha256OfEmpty() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hash.sha256(""));
    }

    @org.junit.jupiter.api.Test
    void uuidIsParsed() {
        assertEquals(4, java.util.UUID.fromString("123e4567-e89b-42d3-a456-426614174000").version());
    }
}
""")
add("CHANGELOG.md", f"""# Changelog

## 2.3.0
- Fix login redirect (commit {hexs(40)}).
- Bump express to 4.19.2 (#{R.randint(100, 999)}).
- Rotate the password hashing to argon2id.
""")
add("src/app/config.ts", """export const config = {
  apiUrl: process.env.API_URL ?? 'http://localhost:8080',
  token: process.env.API_TOKEN,
  password: process.env.DB_PASSWORD || '',
  secret: process.env.SESSION_SECRET || 'changeme',
};
""")
add("src/app/i18n/en.json", """{
  "login.password": "Password",
  "login.password_placeholder": "Enter your password",
  "settings.api_key": "API key",
  "settings.token_help": "Paste the token you created in the dashboard",
  "reset.secret_question": "What was the name of your first pet?"
}
""")
add("src/auth/password_policy.py", '''MIN_LENGTH = 12
FORBIDDEN = {"password", "123456", "qwerty", "letmein"}


def is_acceptable(password: str) -> bool:
    return len(password) >= MIN_LENGTH and password.lower() not in FORBIDDEN
''')
add("tests/test_login.py", '''def test_login_rejects_wrong_password(client):
    r = client.post("/login", data={"username": "alice", "password": "wrong"})
    assert r.status_code == 401


def test_login(client, user_factory):
    user = user_factory(password="correct horse battery staple")
    r = client.post("/login", data={"username": user.name, "password": "correct horse battery staple"})
    assert r.status_code == 200
''')
add("config/database.example.yml", """production:
  adapter: postgresql
  url: postgres://USER:PASSWORD@HOST:5432/DATABASE
""")
add("config/settings.yaml", """server:
  port: 8080
database:
  host: db
  user: app
  password: ${DB_PASSWORD}
  password_file: /run/secrets/db_password
oauth:
  client_id: shop-web
  client_secret_env: OAUTH_CLIENT_SECRET
""")
add("k8s/base/deployment.yaml", """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      imagePullSecrets:
        - name: regcred
      containers:
        - name: app
          image: registry.example.org/shop/app@sha256:9b2a3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809
          env:
            - name: DATABASE_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: app
                  key: DATABASE_PASSWORD
""")
add("k8s/base/sealed.yaml", f"""apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: app
spec:
  encryptedData:
    DATABASE_PASSWORD: AgB{b64(300)}
""")
add("ansible/roles/db/defaults/main.yml", """---
db_user: app
db_password: "{{ vault_db_password }}"
db_root_password: "{{ lookup('env', 'DB_ROOT_PASSWORD') }}"
""")
add("scripts/backup.sh", """#!/bin/sh
set -e
PGPASSFILE=/etc/backup/pgpass pg_dump -h db -U backup orders > /backup/orders.sql
mysqldump --defaults-extra-file=/etc/backup/my.cnf shop > /backup/shop.sql
redis-cli -a "$REDIS_PASSWORD" --no-auth-warning BGSAVE
""")
add("scripts/rotate.py", '''import secrets

def new_password(n: int = 24) -> str:
    return secrets.token_urlsafe(n)

PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
''')
add("www/shop/wp-content/plugins/shop/includes/class-api.php", """<?php
class Shop_Api {
    private $api_key;

    public function __construct() {
        $this->api_key = get_option( 'shop_api_key' );
        $this->secret  = defined( 'SHOP_API_SECRET' ) ? SHOP_API_SECRET : '';
    }
}
""")
add("rails/config/credentials.yml.enc", b64(300) + "--" + b64(12) + "--" + b64(16) + "\n")
add("rails/config/storage.yml", """amazon:
  service: S3
  access_key_id: <%= Rails.application.credentials.dig(:aws, :access_key_id) %>
  secret_access_key: <%= Rails.application.credentials.dig(:aws, :secret_access_key) %>
  region: eu-west-1
  bucket: shop-<%= Rails.env %>
""")
add("api/src/crypto.js", """const crypto = require('crypto');
// RFC 4231 test case 1 key, used by the unit tests of the HMAC helper.
const HMAC_TEST_VECTOR = '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b';
function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data).digest('hex');
}
module.exports = { hmac, HMAC_TEST_VECTOR };
""")
add("api/.env.example", """PORT=3000
JWT_SECRET=your-jwt-secret
SESSION_SECRET=<generate with openssl rand -hex 32>
MONGO_URL=mongodb://localhost:27017/api
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
""")
add("Api/appsettings.Example.json", """{
  "ConnectionStrings": {
    "DefaultConnection": "Server=localhost;Database=Orders;User Id=sa;Password=<YourStrong@Passw0rd>;"
  },
  "Jwt": { "Key": "__JWT_KEY__" }
}
""")
add("mobile/ios/GoogleService-Info.plist.example", """<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>API_KEY</key>
	<string>YOUR_API_KEY</string>
	<key>GCM_SENDER_ID</key>
	<string>123456789012</string>
</dict>
</plist>
""")
add("ci/.gitlab-ci.yml", """stages: [build, deploy]
variables:
  DOCKER_DRIVER: overlay2
build:
  stage: build
  script:
    - echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"
    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .
deploy:
  stage: deploy
  script:
    - curl -fsS -H "PRIVATE-TOKEN: $DEPLOY_TOKEN" https://gitlab.example.org/api/v4/projects/42/deployments
""")
add(".github/workflows/release.yml", """name: release
on: { push: { tags: ["v*"] } }
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
""")
add("docs/api/authentication.md", """# Authentication

Send the token in a header: `Authorization: Bearer <token>`.

Example response:

```json
{"access_token": "YOUR_ACCESS_TOKEN", "token_type": "Bearer", "expires_in": 3600}
```
""")
add("ops/nginx/site.conf", """server {
    listen 443 ssl;
    server_name shop.example.org;
    ssl_certificate     /etc/ssl/shop.crt;
    ssl_certificate_key /etc/ssl/private/shop.key;
    auth_basic "restricted";
    auth_basic_user_file /etc/nginx/.htpasswd;
}
""")
add("games/ventrilo/ventrilo_srv.example.ini", """[Server]
Name=My Server
AdminPassword=
Password=
Auth=0
""")
add("theme/sftp-config.example.json", """{
    "type": "sftp",
    "host": "example.com",
    "user": "username",
    //"password": "password",
    "port": "22",
    "remote_path": "/example/path/"
}
""")
add(".idea/dataSources.xml", """<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="DataSourceManagerImpl" format="xml" multifile-model="true">
    <data-source source="LOCAL" name="orders@localhost" uuid="7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6">
      <driver-ref>postgresql</driver-ref>
      <synchronize>true</synchronize>
      <jdbc-driver>org.postgresql.Driver</jdbc-driver>
      <jdbc-url>jdbc:postgresql://localhost:5432/orders</jdbc-url>
      <working-dir>$ProjectFileDir$</working-dir>
    </data-source>
  </component>
</project>
""")
add("db/schema.sql", """CREATE TABLE users (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    api_token_digest char(64)
);
CREATE INDEX users_token ON users (api_token_digest);
""")
add("db/seeds/dev_users.sql", """-- Development users: the application rejects logins when password_hash is NULL.
INSERT INTO users (email, password_hash) VALUES ('dev@example.org', NULL);
""")
add("src/lib/jwt_test.go", """package lib

import "testing"

func TestParse(t *testing.T) {
	// Header and claims only: the signature part is deliberately empty.
	tok := "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjMifQ."
	if _, err := Parse(tok); err == nil {
		t.Fatal("unsigned token accepted")
	}
}
""")
add("vendor/github.com/acme/client/doc.go", """// Package client talks to the Acme API.
//
//	c := client.New(os.Getenv("ACME_TOKEN"))
package client
""")
add("notebooks/analysis.ipynb", json.dumps({"cells": [{"cell_type": "code", "source": ["import pandas as pd\n", "df = pd.read_csv('orders.csv')\n"],
                                                      "outputs": [], "metadata": {}, "execution_count": 1}],
                                           "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}, indent=1, ensure_ascii=False) + "\n")
add("android/gradle.properties", """org.gradle.jvmargs=-Xmx2048m -Dfile.encoding=UTF-8
android.useAndroidX=true
kotlin.code.style=official
RELEASE_STORE_PASSWORD=
RELEASE_KEY_ALIAS=upload
""")
add("home/alice/.gitconfig", """[user]
	name = Alice Martin
	email = alice@example.org
[credential]
	helper = store
[url "git@github.com:"]
	insteadOf = https://github.com/
""")
add("home/alice/.ssh/config", """Host bastion
    HostName bastion.example.org
    User alice
    IdentityFile ~/.ssh/id_ed25519
    IdentitiesOnly yes
""")
add("ops/vault/policy.hcl", """path "secret/data/app/*" {
  capabilities = ["read"]
}
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
""")
add("Cargo.lock", "".join(f'[[package]]\nname = "crate{i}"\nversion = "0.{i}.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{hexs(64)}"\n\n' for i in range(6)))


def main():
    out = sys.argv[1]
    manifest = ["# Expected findings of the recall corpus: the lines a careful reviewer reports, one per",
                "# secret (a line holding several values of one credential counts once). Files absent",
                "# from this list are decoys: any finding in them is a false positive.", ""]
    for path in sorted(FILES):
        text = FILES[path]
        lines = text.split("\n")
        marked = []
        clean = []
        for i, l in enumerate(lines, 1):
            if "⟦" in l:
                marked.append(i)
            clean.append(l.replace("⟦", ""))
        full = os.path.join(out, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write("\n".join(clean))
        if marked:
            manifest.append("[[file]]")
            manifest.append(f"path = {json.dumps(path)}")
            manifest.append(f"lines = {marked}")
            manifest.append("")
    with open(os.path.join(out, "expected.toml"), "w") as f:
        f.write("\n".join(manifest))
    n_pos = sum(1 for p in FILES if "⟦" in FILES[p])
    n_lines = sum(FILES[p].count("⟦") for p in FILES)
    print(f"{len(FILES)} files ({n_pos} with secrets, {len(FILES) - n_pos} decoys), {n_lines} expected lines")


if __name__ == "__main__":
    main()
